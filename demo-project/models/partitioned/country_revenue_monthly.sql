-- Revenue per month and country from the daily partitions: monthly partitions whose window comes as
-- month_start / month_end vars. A backfill over days of daily and monthly assets runs a month once all of
-- its days have succeeded (partitions mapped across partitionings by their windows).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['order_month', 'country_code'],
    )
}}

select
    cast(date_trunc('month', order_date) as date) as order_month,
    country_code,
    sum(orders) as orders,
    cast(sum(revenue) as decimal(18, 2)) as revenue
from {{ ref('country_revenue_daily') }}
where order_date >= cast('{{ var("month_start", "1900-01-01") }}' as date)
  and order_date < cast('{{ var("month_end", "9999-01-01") }}' as date)
group by 1, 2
