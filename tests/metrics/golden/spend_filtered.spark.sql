SELECT
  `slot`,
  COALESCE(SUM(spend) FILTER(WHERE
    in_cur), 0) AS `spend`,
  COUNT(*) FILTER(WHERE
    in_cur) AS `spend_rows`
FROM (
  SELECT
    `s`.`slot`,
    `f`.`spend`,
    `s`.`in_cur`,
    `s`.`in_prior`
  FROM `fact_marketing_spend` AS f
  JOIN (
    SELECT
      `slot`,
      CAST(day AS DATE) AS `__cx_day`,
      BOOL_OR(side = 'cur') AS `in_cur`,
      BOOL_OR(side = 'prior') AS `in_prior`
    FROM (
      SELECT
        `slot`,
        'cur' AS `side`,
        EXPLODE(SEQUENCE(CAST(`cur_start` AS DATE), CAST(`cur_end` AS DATE), INTERVAL '1' DAY)) AS `day`
      FROM (
        SELECT
          *
        FROM VALUES
          ('p', :p_cur_start, :p_cur_end, :p_prior_start, :p_prior_end),
          ('q', :q_cur_start, :q_cur_end, :q_prior_start, :q_prior_end) AS `slots`(`slot`, `cur_start`, `cur_end`, `prior_start`, `prior_end`)
      ) AS `s`
    ) AS days
    GROUP BY
      `slot`,
      CAST(day AS DATE)
  ) AS `s`
    ON `f`.`__cx_day` = `s`.`__cx_day`
  WHERE
    ARRAY_CONTAINS(:filter_0, `f`.`__cx_dim_1`)
    AND ARRAY_CONTAINS(:filter_1, `f`.`__cx_dim_0`)
    AND `f`.`__cx_day` BETWEEN :first_day AND :last_day
) AS rows
GROUP BY
  `slot`
