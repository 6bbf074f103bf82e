with source as (

    select * from {{ source('stripe', 'charge') }}

),

renamed as (

    select
        id as charge_id,
        payment_intent_id,
        customer_id as stripe_customer_id,
        try_cast(json_extract_string(metadata, '$.shopify_order_id') as bigint) as shopify_order_id,
        description,
        status as charge_status,
        paid as is_paid,
        captured as is_captured,
        payment_method_type,
        failure_code,
        failure_message,
        upper(currency) as currency,
        {{ cents_to_dollars('amount') }} as amount,
        {{ cents_to_dollars('amount_captured') }} as amount_captured,
        {{ cents_to_dollars('amount_refunded') }} as amount_refunded,
        cast(created as timestamp) as created_at,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source

)

select * from renamed
