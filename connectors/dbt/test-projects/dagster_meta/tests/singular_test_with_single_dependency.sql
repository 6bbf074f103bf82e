select 1 from {{ ref('customers') }} where false
