SELECT
  "slot",
  "member_0",
  COUNT(*) FILTER(WHERE
    in_cur) AS "sessions",
  COALESCE(SUM(pageviews) FILTER(WHERE
    in_cur), 0) AS "pageviews",
  COALESCE(SUM(duration_s) FILTER(WHERE
    in_cur), 0) AS "duration_sum",
  COUNT(*) FILTER(WHERE
    in_cur AND converted) AS "conversions",
  COUNT(*) FILTER(WHERE
    in_cur AND pageviews = 1) AS "bounces"
FROM (
  SELECT
    "s"."slot",
    "f"."dim:tier" AS "member_0",
    "f".*,
    "f"."day" BETWEEN "s"."cur_start" AND "s"."cur_end" AS "in_cur",
    "f"."day" BETWEEN "s"."prior_start" AND "s"."prior_end" AS "in_prior"
  FROM "fact:web_sessions" AS f
  JOIN (
    SELECT
      *
    FROM (VALUES
      ('p', $p_cur_start, $p_cur_end, $p_prior_start, $p_prior_end),
      ('q', $q_cur_start, $q_cur_end, $q_prior_start, $q_prior_end)) AS "slots"("slot", "cur_start", "cur_end", "prior_start", "prior_end")
  ) AS "s"
    ON "f"."day" BETWEEN "s"."cur_start" AND "s"."cur_end"
  WHERE
    LIST_CONTAINS($filter_0, "f"."dim:tier")
) AS rows
GROUP BY
  "slot",
  "member_0"
