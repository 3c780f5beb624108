SELECT
  `slot`,
  `member_0`,
  COALESCE(SUM(`part_revenue`), 0) AS `revenue`,
  COALESCE(SUM(`part_revenue_prior`), 0) AS `revenue_prior`,
  COALESCE(SUM(`part_orders`), 0) AS `orders`,
  COALESCE(SUM(`part_order_value`), 0) AS `order_value`,
  COALESCE(SUM(`part_customer_orders`), 0) AS `customer_orders`,
  COUNT(*) FILTER(WHERE
    n_cur > 0) AS `active`,
  COUNT(*) FILTER(WHERE
    n_prior > 0) AS `prior_active`,
  COALESCE(SUM(cats_cur) FILTER(WHERE
    n_cur > 0), 0) AS `category_sum`,
  COUNT(*) FILTER(WHERE
    cats_cur >= 2) AS `multi_category`,
  COUNT(*) FILTER(WHERE
    n_prior > 0 AND n_cur > 0) AS `retained`,
  COALESCE(SUM(rev_cur) FILTER(WHERE
    n_prior > 0 AND n_cur > 0), 0) AS `cohort_rev_cur`,
  COALESCE(SUM(GREATEST(0, rev_cur - rev_prior)) FILTER(WHERE
    n_prior > 0 AND n_cur > 0), 0) AS `expansion`,
  COALESCE(
    SUM(GREATEST(0, LEAST(rev_cur, rev_prior))) FILTER(WHERE
      n_prior > 0 AND n_cur > 0),
    0
  ) AS `gross_retained`
FROM (
  SELECT
    `slot`,
    `member_0`,
    `customer_id`,
    SUM(amount) FILTER(WHERE
      in_cur) AS `rev_cur`,
    SUM(amount) FILTER(WHERE
      in_prior) AS `rev_prior`,
    COUNT(*) FILTER(WHERE
      in_cur) AS `n_cur`,
    COUNT(*) FILTER(WHERE
      in_prior) AS `n_prior`,
    COUNT(DISTINCT product_category) FILTER(WHERE
      in_cur) AS `cats_cur`,
    COALESCE(SUM(amount) FILTER(WHERE
      in_cur), 0) AS `part_revenue`,
    COALESCE(SUM(amount) FILTER(WHERE
      in_prior), 0) AS `part_revenue_prior`,
    COUNT(*) FILTER(WHERE
      in_cur AND amount > 0) AS `part_orders`,
    COALESCE(SUM(amount) FILTER(WHERE
      in_cur AND amount > 0), 0) AS `part_order_value`,
    COUNT(*) FILTER(WHERE
      in_cur AND amount > 0 AND NOT customer_id IS NULL) AS `part_customer_orders`
  FROM (
    SELECT
      `s`.`slot`,
      `f`.`__cx_dim_0` AS `member_0`,
      `f`.`customer_id`,
      `f`.`product_category`,
      `f`.`amount`,
      `s`.`in_cur`,
      `s`.`in_prior`
    FROM `fact_orders` AS f
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
        UNION ALL
        SELECT
          `slot`,
          'prior' AS `side`,
          EXPLODE(
            SEQUENCE(CAST(`prior_start` AS DATE), CAST(`prior_end` AS DATE), INTERVAL '1' DAY)
          ) AS `day`
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
      AND `f`.`__cx_day` BETWEEN :first_day AND :last_day
  ) AS rows
  GROUP BY
    `slot`,
    `member_0`,
    `customer_id`
) AS per_customer
GROUP BY
  `slot`,
  `member_0`
