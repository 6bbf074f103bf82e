with source as (

    select * from {{ source('shopify', 'customer') }}

),

renamed as (

    select
        id as customer_id,
        lower(email) as email,
        first_name,
        last_name,
        phone,
        state as account_state,
        verified_email as has_verified_email,
        accepts_marketing,
        nullif(tags, '') as tags,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source
    where not coalesce(_fivetran_deleted, false)

)

select * from renamed
