-- Revenue per day, every day of the reporting window (days without orders show zeros).
with orders as (

    select * from {{ ref('orders') }}
    where is_paid

),

days as (

    select cast(range as date) as date_day
    from range(
        (select min(order_date) from {{ ref('orders') }}),
        (select max(order_date) from {{ ref('orders') }}) + interval 1 day,
        interval 1 day
    )

),

daily as (

    select
        order_date as date_day,
        count(*) as orders,
        count(*) filter (where is_first_order) as new_customers,
        sum(subtotal + discounts) as gross_sales,
        sum(discounts) as discounts,
        sum(amount_refunded) as refunds,
        sum(net_revenue) as net_revenue,
        sum(tax) as tax,
        sum(shipping) as shipping
    from orders
    group by 1

)

select
    days.date_day,
    cast(coalesce(daily.orders, 0) as integer) as orders,
    cast(coalesce(daily.new_customers, 0) as integer) as new_customers,
    cast(coalesce(daily.gross_sales, 0) as decimal(18, 2)) as gross_sales,
    cast(coalesce(daily.discounts, 0) as decimal(18, 2)) as discounts,
    cast(coalesce(daily.refunds, 0) as decimal(18, 2)) as refunds,
    cast(coalesce(daily.net_revenue, 0) as decimal(18, 2)) as net_revenue,
    cast(coalesce(daily.tax, 0) as decimal(18, 2)) as tax,
    cast(coalesce(daily.shipping, 0) as decimal(18, 2)) as shipping,
    cast(coalesce(daily.net_revenue / nullif(daily.orders, 0), 0) as decimal(18, 2)) as average_order_value

from days
left join daily on daily.date_day = days.date_day
