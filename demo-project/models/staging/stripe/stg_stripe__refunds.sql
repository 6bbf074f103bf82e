with source as (

    select * from {{ source('stripe', 'refund') }}

),

renamed as (

    select
        id as refund_id,
        charge_id,
        payment_intent_id,
        reason as refund_reason,
        status as refund_status,
        upper(currency) as currency,
        {{ cents_to_dollars('amount') }} as amount,
        cast(created as timestamp) as created_at,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source

)

select * from renamed
