-- Daily Google Ads spend per campaign, with the campaign's current name and the utm_campaign its links carry.
with stats as (

    select * from {{ ref('stg_google_ads__campaign_stats') }}

),

campaigns as (

    select * from {{ ref('stg_google_ads__campaigns') }}

)

select
    stats.date_day,
    stats.campaign_id,
    campaigns.campaign_name,
    campaigns.advertising_channel_type,
    campaigns.utm_campaign,
    sum(stats.spend) as spend,
    sum(stats.clicks) as clicks,
    sum(stats.impressions) as impressions,
    sum(stats.platform_conversions) as platform_conversions

from stats
left join campaigns on campaigns.campaign_id = stats.campaign_id
group by all
