with source as (

    select * from {{ source('shopify', 'order_line') }}

),

renamed as (

    select
        id as order_line_id,
        order_id,
        "index" as line_number,
        product_id,
        variant_id,
        sku,
        title as product_title,
        quantity,
        cast(price as decimal(18, 2)) as unit_price,
        cast(total_discount as decimal(18, 2)) as discount,
        cast(cast(price as decimal(18, 2)) * quantity - cast(total_discount as decimal(18, 2)) as decimal(18, 2)) as line_total,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source

)

select * from renamed
