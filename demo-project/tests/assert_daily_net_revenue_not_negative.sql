-- Refunds can exceed a day's sales only through a bug in the refund allocation.
select date_day, net_revenue
from {{ ref('daily_revenue') }}
where net_revenue < 0
