-- Per day: what Shopify says was paid against what Stripe captured. Built into the `finance` schema.
with orders as (

    select * from {{ ref('orders') }}

),

charges as (

    select * from {{ ref('stg_stripe__charges') }}
    where charge_status = 'succeeded'

),

shopify_daily as (

    select
        order_date as date_day,
        count(*) filter (where is_paid) as paid_orders,
        sum(total) filter (where is_paid) as shopify_paid_amount,
        count(*) filter (where is_paid and amount_paid = 0) as paid_orders_without_charge
    from orders
    group by 1

),

stripe_daily as (

    select
        cast(created_at as date) as date_day,
        count(*) as charges,
        sum(amount_captured) filter (where shopify_order_id is not null) as stripe_captured_amount,
        count(*) filter (where shopify_order_id is null) as charges_without_order,
        sum(amount_captured) filter (where shopify_order_id is null) as amount_without_order
    from charges
    group by 1

)

select
    coalesce(shopify_daily.date_day, stripe_daily.date_day) as date_day,
    cast(coalesce(shopify_daily.paid_orders, 0) as integer) as paid_orders,
    cast(coalesce(stripe_daily.charges, 0) as integer) as charges,
    cast(coalesce(shopify_daily.shopify_paid_amount, 0) as decimal(18, 2)) as shopify_paid_amount,
    cast(coalesce(stripe_daily.stripe_captured_amount, 0) as decimal(18, 2)) as stripe_captured_amount,
    cast(coalesce(stripe_daily.stripe_captured_amount, 0) - coalesce(shopify_daily.shopify_paid_amount, 0) as decimal(18, 2)) as difference,
    cast(coalesce(shopify_daily.paid_orders_without_charge, 0) as integer) as paid_orders_without_charge,
    cast(coalesce(stripe_daily.charges_without_order, 0) as integer) as charges_without_order,
    cast(coalesce(stripe_daily.amount_without_order, 0) as decimal(18, 2)) as amount_without_order,
    abs(coalesce(stripe_daily.stripe_captured_amount, 0) - coalesce(shopify_daily.shopify_paid_amount, 0)) < 0.01
        and coalesce(shopify_daily.paid_orders_without_charge, 0) = 0 as is_reconciled

from shopify_daily
full outer join stripe_daily on stripe_daily.date_day = shopify_daily.date_day
