-- Return on ad spend per Google Ads campaign and day: spend against the net revenue of the orders the campaign
-- brought in (last-click attribution by utm_campaign).
with spend as (

    select * from {{ ref('int_campaign_spend_daily') }}

),

attributed_orders as (

    select
        order_date as date_day,
        utm_campaign,
        count(*) as orders,
        sum(net_revenue) as net_revenue
    from {{ ref('orders') }}
    where channel = 'paid_search' and utm_campaign is not null and is_paid
    group by 1, 2

),

campaigns as (

    select campaign_id, campaign_name, utm_campaign from {{ ref('stg_google_ads__campaigns') }}

),

joined as (

    select
        coalesce(spend.date_day, attributed_orders.date_day) as date_day,
        coalesce(spend.campaign_id, campaigns.campaign_id) as campaign_id,
        coalesce(spend.campaign_name, campaigns.campaign_name) as campaign_name,
        coalesce(spend.utm_campaign, attributed_orders.utm_campaign) as utm_campaign,
        coalesce(spend.spend, 0) as spend,
        coalesce(spend.clicks, 0) as clicks,
        coalesce(spend.impressions, 0) as impressions,
        coalesce(attributed_orders.orders, 0) as attributed_orders,
        coalesce(attributed_orders.net_revenue, 0) as attributed_net_revenue
    from spend
    full outer join attributed_orders
        on attributed_orders.date_day = spend.date_day
       and attributed_orders.utm_campaign = spend.utm_campaign
    left join campaigns on campaigns.utm_campaign = attributed_orders.utm_campaign

)

select
    date_day,
    campaign_id,
    campaign_name,
    utm_campaign,
    cast(spend as decimal(18, 2)) as spend,
    cast(clicks as bigint) as clicks,
    cast(impressions as bigint) as impressions,
    cast(attributed_orders as integer) as attributed_orders,
    cast(attributed_net_revenue as decimal(18, 2)) as attributed_net_revenue,
    cast(attributed_net_revenue / nullif(spend, 0) as decimal(18, 2)) as roas,
    cast(spend / nullif(attributed_orders, 0) as decimal(18, 2)) as cost_per_order

from joined
