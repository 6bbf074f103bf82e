{{ config(tags=["hourly"]) }}
select 2 as id
