-- Version 1 of the customers mart (deprecated): kept for the CRM sync until it reads version 2.
with customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

orders as (

    select * from {{ ref('orders') }}

),

customer_orders as (

    select
        customer_id,
        min(ordered_at) as first_order_at,
        max(ordered_at) as most_recent_order_at,
        count(*) as number_of_orders,
        sum(total) filter (where is_paid) as lifetime_value
    from orders
    group by 1

)

select
    customers.customer_id,
    customers.first_name || ' ' || customers.last_name as full_name,
    customers.email,
    customer_orders.first_order_at,
    customer_orders.most_recent_order_at,
    coalesce(customer_orders.number_of_orders, 0) as number_of_orders,
    cast(coalesce(customer_orders.lifetime_value, 0) as decimal(18, 2)) as lifetime_value

from customers
left join customer_orders on customer_orders.customer_id = customers.customer_id
