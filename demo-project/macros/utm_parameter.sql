{# Extracts one UTM parameter (utm_source, utm_medium, …) from a URL or a query string; null when absent. #}
{% macro utm_parameter(url_column, parameter) -%}
    nullif(regexp_extract({{ url_column }}, '[?&]?{{ parameter }}=([^&#]*)', 1), '')
{%- endmacro %}
