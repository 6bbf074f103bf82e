{# Stripe amounts are integers in the currency's smallest unit (cents for USD). #}
{% macro cents_to_dollars(column_name) -%}
    cast({{ column_name }} / 100 as decimal(18, 2))
{%- endmacro %}
