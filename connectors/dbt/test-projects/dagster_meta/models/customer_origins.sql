{{
    config(
        meta={
            'dagster': {
                'asset_key': ['customized', 'marts', 'customer_origins'],
            }
        }
    )
}}

-- Reads a source whose asset key is customized, and sets its own key in the SQL config block.
select
    raw_customers.id as customer_id,
    count(raw_events.event_id) as events

from {{ source('jaffle_shop', 'raw_customers') }} as raw_customers
left join {{ source('jaffle_shop', 'raw_events') }} as raw_events on raw_events.customer_id = raw_customers.id
group by 1
