-- One row per order placed in the reporting window, with its items, payment and attribution.
with orders as (

    select * from {{ ref('stg_shopify__orders') }}
    where order_date >= cast('{{ var("reporting_start_date") }}' as date)

),

attribution as (

    select * from {{ ref('int_orders_attributed') }}

),

line_items as (

    select
        order_id,
        count(*) as line_count,
        sum(quantity) as item_count
    from {{ ref('stg_shopify__order_lines') }}
    group by 1

),

payments as (

    select * from {{ ref('int_payments_by_order') }}

),

joined as (

    select
        orders.order_id,
        orders.order_number,
        orders.order_name,
        orders.customer_id,
        orders.ordered_at,
        orders.order_date,
        orders.country_code,
        orders.sales_channel,
        attribution.channel,
        attribution.is_paid_channel,
        orders.utm_campaign,
        orders.financial_status,
        orders.fulfillment_status,
        orders.is_cancelled,
        cast(coalesce(line_items.line_count, 0) as integer) as line_count,
        cast(coalesce(line_items.item_count, 0) as integer) as item_count,
        orders.subtotal,
        orders.discounts,
        orders.tax,
        orders.shipping,
        orders.total,
        cast(coalesce(payments.amount_paid, 0) as decimal(18, 2)) as amount_paid,
        cast(coalesce(payments.amount_refunded, 0) as decimal(18, 2)) as amount_refunded,
        cast(coalesce(payments.failed_payment_attempts, 0) as integer) as failed_payment_attempts,
        payments.payment_method,
        payments.paid_at,
        orders.financial_status in ('paid', 'partially_refunded', 'refunded') as is_paid,
        row_number() over (partition by orders.customer_id order by orders.ordered_at) = 1 as is_first_order

    from orders
    left join attribution on attribution.order_id = orders.order_id
    left join line_items on line_items.order_id = orders.order_id
    left join payments on payments.order_id = orders.order_id

)

select
    *,
    -- Refunds cover tax and shipping too: take off the refunded share of the order.
    cast(
        case
            when not is_paid or total = 0 then 0
            else subtotal * (1 - least(amount_refunded, total) / total)
        end
        as decimal(18, 2)
    ) as net_revenue

from joined
