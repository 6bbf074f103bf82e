with source as (

    select * from {{ source('shopify', 'product') }}

),

renamed as (

    select
        id as product_id,
        title as product_title,
        handle,
        product_type,
        vendor,
        status as product_status,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source
    where not coalesce(_fivetran_deleted, false)

)

select * from renamed
