{#
  Creates the raw tables Fivetran lands, when they do not exist yet, from data/fivetran/<source>/<table>.csv,
  so `dbt build` works on a fresh machine. Every source of this project is a Fivetran connector schema.

  In the full demo, Tributary's local Fivetran simulator creates these tables and appends rows to them; this
  hook then leaves them alone (CREATE ... IF NOT EXISTS). It runs before `dbt build`/`run`/`seed`/`test`, never
  during `dbt parse`.
#}
{% macro create_fivetran_raw_tables() %}
    {% if execute %}
        {#- dbt does not change directory: paths are relative to where dbt runs, like the project dir itself. -#}
        {%- set project_dir = invocation_args_dict.get('project_dir') or '.' -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set schema = adapter.quote(source.schema) -%}
            {%- set csv_path = project_dir ~ '/data/fivetran/' ~ source.source_name ~ '/' ~ source.identifier ~ '.csv' -%}
            {%- do run_query('create schema if not exists ' ~ adapter.quote(source.database) ~ '.' ~ schema) -%}
            {%- do run_query(
                'create table if not exists ' ~ adapter.quote(source.database) ~ '.' ~ schema ~ '.' ~ adapter.quote(source.identifier)
                ~ " as select * from read_csv('" ~ csv_path ~ "', header = true, auto_detect = true)"
            ) -%}
        {%- endfor -%}
    {% endif %}
{% endmacro %}
