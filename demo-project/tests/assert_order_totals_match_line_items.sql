{{
    config(
        meta={
            'dagster': {
                'ref': {'name': 'orders'}
            }
        }
    )
}}

-- An order's subtotal must equal the sum of its line items (after line discounts). Reads two models, so the
-- meta.dagster.ref above names the asset the check belongs to.
with line_totals as (

    select order_id, sum(line_total) as line_total
    from {{ ref('stg_shopify__order_lines') }}
    group by 1

)

select
    orders.order_id,
    orders.subtotal,
    line_totals.line_total
from {{ ref('orders') }} as orders
left join line_totals on line_totals.order_id = orders.order_id
where abs(orders.subtotal - coalesce(line_totals.line_total, 0)) > 0.01
