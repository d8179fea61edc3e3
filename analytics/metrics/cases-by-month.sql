-- cases_by_month: petition cases received per calendar month (China date of receipt).
-- Every month of the range appears, with 0 where nothing was received.
WITH months AS (
  SELECT unnest(generate_series($from::DATE, $to::DATE, INTERVAL 1 MONTH))::DATE AS month
)
SELECT strftime(m.month, '%Y-%m') AS month,
       count(c.case_id)::INTEGER AS cases
  FROM months m
  LEFT JOIN cases c
    ON c.received_date >= m.month
   AND c.received_date < m.month + INTERVAL 1 MONTH
   AND ($region::VARCHAR IS NULL OR c.region_code = $region::VARCHAR)
 GROUP BY m.month
 ORDER BY m.month
