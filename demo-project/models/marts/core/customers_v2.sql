-- One row per customer, with order history, lifetime net revenue, country and acquisition channel.
with customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

orders as (

    select * from {{ ref('orders') }}

),

countries as (

    select * from {{ ref('dim_countries') }}

),

customer_orders as (

    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as most_recent_order_at,
        count(*) as number_of_orders,
        sum(net_revenue) as lifetime_net_revenue,
        arg_min(channel, ordered_at) as acquisition_channel,
        arg_max(country_code, ordered_at) as country_code
    from orders
    group by 1

)

select
    customers.customer_id,
    customers.first_name,
    customers.last_name,
    customers.email,
    customers.accepts_marketing,
    customer_orders.country_code,
    countries.country_name,
    countries.region,
    customer_orders.acquisition_channel,
    customers.created_at,
    customer_orders.first_order_at,
    customer_orders.most_recent_order_at,
    coalesce(customer_orders.number_of_orders, 0) as number_of_orders,
    cast(coalesce(customer_orders.lifetime_net_revenue, 0) as decimal(18, 2)) as lifetime_net_revenue,
    case
        when customer_orders.number_of_orders is null then 'prospect'
        when customer_orders.number_of_orders = 1 then 'new'
        when customer_orders.number_of_orders <= 3 then 'returning'
        else 'loyal'
    end as customer_segment

from customers
left join customer_orders on customer_orders.customer_id = customers.customer_id
left join countries on countries.country_code = customer_orders.country_code
