{# The tables the sources read, created when missing so `dbt build` works on an empty database. #}
{% macro create_raw_tables() %}
    {% if execute %}
        {% do run_query("create schema if not exists raw") %}
        {% do run_query(
            "create table if not exists raw.raw_customers as select * from (values
                (1, 'Michael', 'P.'), (2, 'Shawn', 'M.'), (3, 'Kathleen', 'P.'), (4, 'Jimmy', 'C.'),
                (5, 'Katherine', 'R.'), (6, 'Sarah', 'R.'), (7, 'Martin', 'M.'), (8, 'Frank', 'R.')
            ) as t(id, first_name, last_name)"
        ) %}
        {% do run_query(
            "create table if not exists raw.raw_events as select * from (values
                (1, 1, 'page_view', timestamp '2024-01-01 10:00:00'),
                (2, 1, 'add_to_cart', timestamp '2024-01-01 10:02:00'),
                (3, 3, 'page_view', timestamp '2024-01-02 18:30:00')
            ) as t(event_id, customer_id, event_type, occurred_at)"
        ) %}
    {% endif %}
{% endmacro %}
