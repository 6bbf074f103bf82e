with source as (

    select * from {{ source('google_ads', 'campaign_stats') }}

),

renamed as (

    select
        cast(date as date) as date_day,
        id as campaign_id,
        customer_id as account_id,
        ad_network_type,
        clicks,
        impressions,
        cast(cost_micros / 1000000 as decimal(18, 2)) as spend,
        cast(conversions as decimal(18, 2)) as platform_conversions,
        cast(conversions_value as decimal(18, 2)) as platform_conversion_value,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from source

)

select * from renamed
