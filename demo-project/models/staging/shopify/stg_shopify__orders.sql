with source as (

    select * from {{ source('shopify', 'order') }}

),

renamed as (

    select
        id as order_id,
        order_number,
        name as order_name,
        customer_id,
        lower(email) as email,
        cast(created_at as timestamp) as ordered_at,
        cast(created_at as date) as order_date,
        cast(updated_at as timestamp) as updated_at,
        cast(cancelled_at as timestamp) as cancelled_at,
        cancelled_at is not null as is_cancelled,
        financial_status,
        fulfillment_status,
        upper(currency) as currency,
        cast(subtotal_price as decimal(18, 2)) as subtotal,
        cast(total_discounts as decimal(18, 2)) as discounts,
        cast(total_tax as decimal(18, 2)) as tax,
        cast(total_shipping_price as decimal(18, 2)) as shipping,
        cast(total_price as decimal(18, 2)) as total,
        upper(shipping_address_country_code) as country_code,
        source_name as sales_channel,
        landing_site,
        nullif(referring_site, '') as referring_site,
        lower({{ utm_parameter('landing_site', 'utm_source') }}) as utm_source,
        lower({{ utm_parameter('landing_site', 'utm_medium') }}) as utm_medium,
        lower({{ utm_parameter('landing_site', 'utm_campaign') }}) as utm_campaign,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source
    where not coalesce(_fivetran_deleted, false)
      and not coalesce(test, false)

)

select * from renamed
