{{ config(materialized='ephemeral') }}

-- Stripe payments rolled up to the Shopify order they paid for. Ephemeral: inlined into the models that use it.
with charges as (

    select * from {{ ref('stg_stripe__charges') }}
    where shopify_order_id is not null

),

refunds as (

    select
        charge_id,
        sum(amount) as amount_refunded,
        max(created_at) as last_refunded_at
    from {{ ref('stg_stripe__refunds') }}
    where refund_status = 'succeeded'
    group by 1

)

select
    charges.shopify_order_id as order_id,
    count(*) filter (where charges.charge_status = 'failed') as failed_payment_attempts,
    coalesce(sum(charges.amount_captured) filter (where charges.charge_status = 'succeeded'), 0) as amount_paid,
    coalesce(sum(refunds.amount_refunded), 0) as amount_refunded,
    max(charges.created_at) filter (where charges.charge_status = 'succeeded') as paid_at,
    max(refunds.last_refunded_at) as last_refunded_at,
    any_value(charges.payment_method_type) filter (where charges.charge_status = 'succeeded') as payment_method

from charges
left join refunds on refunds.charge_id = charges.charge_id
group by 1
