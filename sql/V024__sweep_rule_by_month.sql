-- V024: a city's sweep rule holds month by month.
--
-- V012 kept one rule per city (sweep_setting: the deadline day of the following month,
-- the unit that files) and judged every month by the rule as it stood: when a city
-- admin switched to filing by grid, every grid showed missing for the months the
-- communities had filed, and those sweeps stopped counting; a new deadline day judged
-- again which past sweeps were late, signed-off months included. Now each month has the
-- rule that was in force for it (sweep_rule): an admin's change holds from the next
-- month's sweep on; the months up to this one keep the rule they had. An operator's
-- setting (a city configured before use, the demo, an import) holds from the start, as
-- the kernel lets operators load history as it was.

CREATE TABLE sweep_rule (
    city_code     char(4) NOT NULL REFERENCES sweep_setting (city_code),
    from_month    date NOT NULL CHECK (from_month = date_trunc('month', from_month)::date),
    deadline_day  smallint NOT NULL CHECK (deadline_day BETWEEN 1 AND 31),
    filing_unit   text NOT NULL CHECK (filing_unit IN ('community', 'grid')),
    set_by        text NOT NULL,
    set_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (city_code, from_month)
);
COMMENT ON TABLE sweep_rule IS '矛盾纠纷排查规则(按月生效) / a city''s sweep rule, month by month: each holds from its month until the next';
COMMENT ON COLUMN sweep_rule.city_code IS '城市代码 / city code';
COMMENT ON COLUMN sweep_rule.from_month IS '起始月份 / the first month it holds for';
COMMENT ON COLUMN sweep_rule.deadline_day IS '次月报送截止日 / day of the following month by which a sweep is filed';
COMMENT ON COLUMN sweep_rule.filing_unit IS '报送单元: 社区/网格 / unit that files: community or grid';
COMMENT ON COLUMN sweep_rule.set_by IS '设置人 / who set it';
COMMENT ON COLUMN sweep_rule.set_at IS '设置时间 / when it was set';

-- The first month of every city's history: a rule from it holds for every month before.
CREATE FUNCTION sweep_rule_start() RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT date '1900-01-01' $$;

-- A setting written: it holds from the next month (an operator's: from the start). The
-- months before a city's first setting keep the defaults.
CREATE FUNCTION sweep_rule_follows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    operator boolean := coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r
                                   WHERE r.rolname = actor), false);
    holds_from date := CASE WHEN operator THEN sweep_rule_start()
                            ELSE (date_trunc('month', tx_office_today()) + interval '1 month')::date
                       END;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.deadline_day, NEW.filing_unit)
                            IS NOT DISTINCT FROM (OLD.deadline_day, OLD.filing_unit) THEN
        RETURN NULL;
    END IF;
    IF NOT operator THEN
        INSERT INTO sweep_rule (city_code, from_month, deadline_day, filing_unit, set_by)
        VALUES (NEW.city_code, sweep_rule_start(), 20, 'community', actor)
        ON CONFLICT (city_code, from_month) DO NOTHING;
    END IF;
    INSERT INTO sweep_rule AS r (city_code, from_month, deadline_day, filing_unit, set_by)
    VALUES (NEW.city_code, holds_from, NEW.deadline_day, NEW.filing_unit, actor)
    ON CONFLICT (city_code, from_month) DO UPDATE
       SET deadline_day = EXCLUDED.deadline_day, filing_unit = EXCLUDED.filing_unit,
           set_by = EXCLUDED.set_by, set_at = now();
    IF operator THEN  -- the rule from the start: what came later gives way to it
        DELETE FROM sweep_rule r WHERE r.city_code = NEW.city_code
                                   AND r.from_month > sweep_rule_start();
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER sweep_setting_rule AFTER INSERT OR UPDATE ON sweep_setting
    FOR EACH ROW EXECUTE FUNCTION sweep_rule_follows();
ALTER TABLE sweep_setting ENABLE ALWAYS TRIGGER sweep_setting_rule;

SELECT tx_protect('sweep_rule', p_writers => ARRAY[]::text[], p_read => 'all', p_scope => 'city_code',
    p_audit => false,
    p_why_not_audited => 'kept by a trigger from sweep_setting, whose writes are audited');

-- What was set already held for every month so far.
INSERT INTO sweep_rule (city_code, from_month, deadline_day, filing_unit, set_by)
SELECT s.city_code, sweep_rule_start(), s.deadline_day, s.filing_unit, s.updated_by
  FROM sweep_setting s;

-- The rule that holds for a city's month (the defaults where none was set).
CREATE FUNCTION sweep_rule_of(p_city char(4), p_month date)
RETURNS TABLE (deadline_day smallint, filing_unit text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(r.deadline_day, 20::smallint), coalesce(r.filing_unit, 'community')
      FROM (SELECT 1) one
      LEFT JOIN LATERAL (SELECT s.deadline_day, s.filing_unit FROM sweep_rule s
                          WHERE s.city_code = p_city AND s.from_month <= p_month
                          ORDER BY s.from_month DESC LIMIT 1) r ON true
$$;

CREATE FUNCTION sweep_filing_unit(p_city char(4), p_month date) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT r.filing_unit FROM sweep_rule_of(p_city, p_month) r
$$;

-- The unit that files this month (new cases are placed by it).
CREATE OR REPLACE FUNCTION sweep_filing_unit(p_city char(4)) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT sweep_filing_unit(p_city, date_trunc('month', tx_office_today())::date)
$$;

-- The last day to file the sweep of `p_month`: the deadline day of the next month that
-- held for `p_month`, or that month's last day when it is shorter.
CREATE OR REPLACE FUNCTION sweep_due_on(p_city char(4), p_month date) RETURNS date
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT next_month + least(
               (SELECT r.deadline_day FROM sweep_rule_of(p_city, p_month) r)::integer,
               extract(day FROM next_month + interval '1 month' - interval '1 day')::integer) - 1
      FROM (SELECT (date_trunc('month', p_month) + interval '1 month')::date AS next_month) m
$$;

CREATE OR REPLACE FUNCTION sweep_month_status(p_scope text, p_month date,
                                   p_today date DEFAULT (now() AT TIME ZONE 'Asia/Shanghai')::date)
RETURNS TABLE (city_code char(4), org_code text, unit_name text, month date, due_on date,
               sweep_id uuid, status text, nil_return boolean, filed_at timestamptz,
               state text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH m AS (
        SELECT date_trunc('month', p_month)::date AS month,
               sweep_filing_unit(left(p_scope, 4)::char(4), p_month) AS level,
               sweep_due_on(left(p_scope, 4)::char(4), p_month) AS due_on
    ), units AS (
        SELECT u.code, u.name, u.city_code FROM org_unit u, m
         WHERE u.level = m.level AND u.code >= p_scope AND u.code < p_scope || ':'
        UNION
        SELECT u.code, u.name, u.city_code FROM org_unit u, m
         WHERE u.level = m.level AND u.code = left(p_scope, length(u.code))
    )
    SELECT u.city_code, u.code::text, u.name, m.month, m.due_on, s.id, s.status, s.nil_return,
           s.filed_at,
           CASE WHEN s.filed_at IS NOT NULL
                THEN CASE WHEN (s.filed_at AT TIME ZONE 'Asia/Shanghai')::date <= m.due_on
                          THEN 'filed' ELSE 'late' END
                WHEN p_today > m.due_on THEN 'missing'
                ELSE 'due' END
      FROM units u CROSS JOIN m
      LEFT JOIN dispute_sweep s ON s.city_code = u.city_code AND s.org_code = u.code
                               AND s.month = m.month
     ORDER BY u.code
$$;

CREATE OR REPLACE FUNCTION tx_sweep_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    operator boolean := tx_operator();
    next_month date := (NEW.month + interval '1 month')::date;
    filing_level text;
    found boolean;
    unchecked integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        filing_level := sweep_filing_unit(NEW.city_code, NEW.month);
        IF NOT EXISTS (SELECT 1 FROM org_unit o
                        WHERE o.code = NEW.org_code AND o.level = filing_level) THEN
            RAISE EXCEPTION 'sweep: this city files its sweeps by %; % is not one', filing_level,
                NEW.org_code USING ERRCODE = 'check_violation';
        END IF;
        IF NOT operator
           AND NEW.month > date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date THEN
            RAISE EXCEPTION 'sweep: % has not begun', to_char(NEW.month, 'YYYY-MM')
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF NEW.status = 'draft' THEN
        NEW.filed_at := NULL;
        NEW.filed_by := NULL;
    ELSIF TG_OP = 'UPDATE' AND OLD.filed_at IS NOT NULL THEN
        NEW.filed_at := OLD.filed_at;
        NEW.filed_by := OLD.filed_by;
    ELSIF NOT operator THEN
        NEW.filed_at := now();
        NEW.filed_by := audit_actor();
    ELSE
        NEW.filed_at := coalesce(NEW.filed_at, NEW.submitted_at, now());
        NEW.filed_by := coalesce(NEW.filed_by, NEW.created_by, audit_actor());
    END IF;
    IF NEW.status = 'submitted' AND (TG_OP = 'INSERT' OR OLD.status <> 'submitted') THEN
        found := EXISTS (SELECT 1 FROM dispute_month_cases(NEW.org_code, NEW.month) c
                          WHERE c.found);
        IF NEW.nil_return AND found THEN
            RAISE EXCEPTION 'sweep: a nil return lists no new case, and this month has some'
                USING ERRCODE = 'check_violation';
        END IF;
        IF NOT NEW.nil_return AND NOT found THEN
            RAISE EXCEPTION 'sweep: no new case is listed; file it as a nil return, or add '
                            'the cases found' USING ERRCODE = 'check_violation';
        END IF;
        SELECT count(*) INTO unchecked
          FROM dispute_case c
         WHERE c.city_code = NEW.city_code
           AND c.org_code >= NEW.org_code AND c.org_code < NEW.org_code || ':'
           AND c.stage IN ('open', 'mediating') AND c.opened_on < next_month
           AND c.sweep_id IS DISTINCT FROM NEW.id
           AND NOT (c.sweep_id IS NULL AND c.opened_on >= NEW.month)
           AND NOT EXISTS (SELECT 1 FROM dispute_sweep_recheck r
                            WHERE r.city_code = c.city_code AND r.sweep_id = NEW.id
                              AND r.case_id = c.id);
        IF unchecked > 0 THEN
            RAISE EXCEPTION 'sweep: % open cases are not re-checked', unchecked
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
