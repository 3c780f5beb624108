SELECT
  "slot",
  COALESCE(SUM("active"), 0) AS "active",
  COALESCE(SUM("categories"), 0) AS "category_sum",
  COALESCE(SUM("multi_category"), 0) AS "multi_category"
FROM (
  SELECT
    "s"."slot",
    w.*
  FROM "windows_orders" AS w
  JOIN (
    SELECT
      *
    FROM (VALUES
      ('p', $p_unit, $p_cur_start, $p_prior_start, $p_lag, $p_prior_unit),
      ('q', $q_unit, $q_cur_start, $q_prior_start, $q_lag, $q_prior_unit)) AS "slots"("slot", "unit", "cur_start", "prior_start", "lag", "prior_unit")
  ) AS "s"
    ON w.unit = "s"."unit" AND w.start = "s"."cur_start"
  WHERE
    ARRAY_CONTAINS($filter_0, "w"."__cx_dim_1")
) AS rows
GROUP BY
  "slot"
