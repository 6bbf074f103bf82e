{{ config(tags=["daily"]) }}
select 1 as id
