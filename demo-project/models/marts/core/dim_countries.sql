-- The markets the shop ships to. Built only from the country_codes seed.
select
    iso_code as country_code,
    country_name,
    region,
    is_eu

from {{ ref('country_codes') }}
