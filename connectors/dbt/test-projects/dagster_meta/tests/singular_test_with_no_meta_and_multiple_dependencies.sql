-- Two dependencies and no meta.dagster.ref: dagster-dbt makes no asset check of it.
select 1 from {{ ref('customers') }}
left join {{ ref('orders') }} using (customer_id)
where false
