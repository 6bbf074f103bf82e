{{ config(tags=["daily"]) }}
select count(*) as n from {{ ref('daily_numbers') }}
