{{ config(meta={'dagster': {'ref': {'name': 'customers', 'version': 3}}}) }}

-- The ref names a version that does not exist: dagster-dbt makes no check, even though the test reads customers.
select 1 from {{ ref('customers') }} where false
