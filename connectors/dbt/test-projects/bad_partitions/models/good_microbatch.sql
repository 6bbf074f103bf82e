{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='at', batch_size='month', begin='2024-01-01', lookback=2) }}
select cast('2024-01-01' as timestamp) as at
