-- Attributes each order to a marketing channel from the UTM parameters of its landing page.
with orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

)

select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.utm_source,
    orders.utm_medium,
    orders.utm_campaign,
    case
        when channel_mapping.channel is not null then channel_mapping.channel
        when orders.utm_source is not null then 'other'
        when regexp_matches(coalesce(orders.referring_site, ''), '(google|bing|duckduckgo|ecosia)\.') then 'organic_search'
        else 'direct'
    end as channel,
    coalesce(channel_mapping.is_paid, false) as is_paid_channel

from orders
left join channel_mapping
    on channel_mapping.utm_source = orders.utm_source
   and channel_mapping.utm_medium = orders.utm_medium
