SELECT
  `slot`,
  `member_0`,
  COALESCE(SUM(`retained`), 0) AS `retained`,
  COALESCE(SUM(`cohort_revenue`), 0) AS `cohort_rev_cur`,
  COALESCE(SUM(`expansion`), 0) AS `expansion`,
  COALESCE(SUM(`gross_retained`), 0) AS `gross_retained`
FROM (
  SELECT
    `s`.`slot`,
    `w`.`__cx_dim_0` AS `member_0`,
    w.*
  FROM `pairs_orders` AS w
  JOIN (
    SELECT
      *
    FROM VALUES
      ('p', :p_unit, :p_cur_start, :p_prior_start, :p_lag, :p_prior_unit),
      ('q', :q_unit, :q_cur_start, :q_prior_start, :q_lag, :q_prior_unit) AS `slots`(`slot`, `unit`, `cur_start`, `prior_start`, `lag`, `prior_unit`)
  ) AS `s`
    ON w.unit = s.unit
    AND w.start = s.cur_start
    AND w.lag = s.lag
    AND w.prior_unit = s.prior_unit
  WHERE
    TRUE
) AS rows
GROUP BY
  `slot`,
  `member_0`
