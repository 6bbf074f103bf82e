-- The current version of each campaign, from Fivetran's history table.
with source as (

    select * from {{ source('google_ads', 'campaign_history') }}

),

latest as (

    select *
    from source
    qualify row_number() over (partition by id order by updated_at desc) = 1

),

renamed as (

    select
        id as campaign_id,
        customer_id as account_id,
        name as campaign_name,
        status as campaign_status,
        serving_status,
        advertising_channel_type,
        bidding_strategy_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        lower({{ utm_parameter('final_url_suffix', 'utm_campaign') }}) as utm_campaign,
        cast(updated_at as timestamp) as updated_at,
        cast(_fivetran_synced as timestamp with time zone) as _fivetran_synced

    from latest

)

select * from renamed
