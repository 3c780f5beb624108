SELECT
  "slot",
  COALESCE(SUM(spend) FILTER(WHERE
    in_cur), 0) AS "spend",
  COUNT(*) FILTER(WHERE
    in_cur) AS "spend_rows"
FROM (
  SELECT
    "s"."slot",
    "f"."spend",
    "f"."__cx_day" BETWEEN "s"."cur_start" AND "s"."cur_end" AS "in_cur",
    "f"."__cx_day" BETWEEN "s"."prior_start" AND "s"."prior_end" AS "in_prior"
  FROM "fact_marketing_spend" AS f
  JOIN (
    SELECT
      *
    FROM (VALUES
      ('p', $p_cur_start, $p_cur_end, $p_prior_start, $p_prior_end),
      ('q', $q_cur_start, $q_cur_end, $q_prior_start, $q_prior_end)) AS "slots"("slot", "cur_start", "cur_end", "prior_start", "prior_end")
  ) AS "s"
    ON "f"."__cx_day" BETWEEN "s"."cur_start" AND "s"."cur_end"
  WHERE
    ARRAY_CONTAINS($filter_0, "f"."__cx_dim_1")
    AND ARRAY_CONTAINS($filter_1, "f"."__cx_dim_0")
    AND "f"."__cx_day" BETWEEN $first_day AND $last_day
) AS rows
GROUP BY
  "slot"
