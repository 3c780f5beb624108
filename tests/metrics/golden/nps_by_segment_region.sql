SELECT
  "slot",
  "member_0",
  "member_1",
  COUNT(*) FILTER(WHERE
    in_cur) AS "responses",
  COUNT(*) FILTER(WHERE
    in_cur AND score >= 9) AS "promoters",
  COUNT(*) FILTER(WHERE
    in_cur AND score BETWEEN 7 AND 8) AS "passives",
  COUNT(*) FILTER(WHERE
    in_cur AND score <= 6) AS "detractors"
FROM (
  SELECT
    "s"."slot",
    "f"."dim:segment" AS "member_0",
    "f"."dim:region" AS "member_1",
    "f".*,
    "f"."day" BETWEEN "s"."cur_start" AND "s"."cur_end" AS "in_cur",
    "f"."day" BETWEEN "s"."prior_start" AND "s"."prior_end" AS "in_prior"
  FROM "fact:nps_responses" AS f
  JOIN (
    SELECT
      *
    FROM (VALUES
      ('p', $p_cur_start, $p_cur_end, $p_prior_start, $p_prior_end),
      ('q', $q_cur_start, $q_cur_end, $q_prior_start, $q_prior_end)) AS "slots"("slot", "cur_start", "cur_end", "prior_start", "prior_end")
  ) AS "s"
    ON "f"."day" BETWEEN "s"."cur_start" AND "s"."cur_end"
  WHERE
    TRUE
) AS rows
GROUP BY
  "slot",
  "member_0",
  "member_1"
