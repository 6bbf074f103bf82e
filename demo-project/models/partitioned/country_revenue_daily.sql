-- Revenue per day and shipping country, windowed by vars: a backfill partition runs
-- `dbt build --vars '{"min_date": "2026-09-01", "max_date": "2026-09-02"}'` (dagster-dbt's names), and the
-- partition's rows are replaced (delete+insert on the day). Without vars (a plain build) every day is built.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['order_date', 'country_code'],
    )
}}

select
    order_date,
    country_code,
    count(*) as orders,
    cast(sum(total) as decimal(18, 2)) as revenue
from {{ ref('stg_shopify__orders') }}
where order_date >= cast('{{ var("min_date", "1900-01-01") }}' as date)
  and order_date < cast('{{ var("max_date", "9999-01-01") }}' as date)
group by 1, 2
