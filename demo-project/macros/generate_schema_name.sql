{#
  Use a model's custom schema as is (`+schema: finance` builds into `finance`, not `analytics_finance`), and the
  target's schema for everything else.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
