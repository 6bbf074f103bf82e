-- Orders and revenue per day and sales channel, built by dbt's microbatch strategy: one batch per day of
-- ordered_at, from config.begin. Tributary reads event_time, batch_size and begin from the manifest and makes
-- one daily partition per batch; a backfill runs each partition as `dbt build --event-time-start … --event-time-end …`.
{{
    config(
        materialized='incremental',
        incremental_strategy='microbatch',
        event_time='order_day',
        batch_size='day',
        begin='2026-09-01',
        lookback=1,
    )
}}

select
    cast(date_trunc('day', ordered_at) as timestamp) as order_day,
    sales_channel,
    count(*) as orders,
    cast(sum(total) as decimal(18, 2)) as revenue
from {{ ref('stg_shopify__orders') }}
group by 1, 2
