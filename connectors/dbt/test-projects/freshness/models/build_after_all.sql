select * from {{ ref('upstream') }}
