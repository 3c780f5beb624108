SELECT
  `slot`,
  `member_0`,
  `member_1`,
  COUNT(*) FILTER(WHERE
    in_cur) AS `responses`,
  COUNT(*) FILTER(WHERE
    in_cur AND score >= 9) AS `promoters`,
  COUNT(*) FILTER(WHERE
    in_cur AND score BETWEEN 7 AND 8) AS `passives`,
  COUNT(*) FILTER(WHERE
    in_cur AND score <= 6) AS `detractors`
FROM (
  SELECT
    `s`.`slot`,
    `f`.`__cx_dim_0` AS `member_0`,
    `f`.`__cx_dim_1` AS `member_1`,
    `f`.`customer_id`,
    `f`.`score`,
    `s`.`in_cur`,
    `s`.`in_prior`
  FROM `fact_nps_responses` AS f
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
    `f`.`__cx_day` BETWEEN :first_day AND :last_day
) AS rows
GROUP BY
  `slot`,
  `member_0`,
  `member_1`
