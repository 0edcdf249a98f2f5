-- V019: a supervisor signs off a community's month (月度审核签字), and the month locks.
--
-- Once a month is over and its work is reviewed, a supervisor (or an admin) whose scope
-- holds the community signs the month off: its sweep, its visits, the cases, needs,
-- notes, meetings and contacts dated in it, which its statistics count, no longer
-- change. A late edit is refused, for every app role (admins too, in psql as in the
-- app), with the reason in one line: "2026-10 of 社区X was signed off by 王审核 on
-- 2026-11-03; ask a supervisor to reopen it". Reopening says why, and is audited.
--
-- A sign-off is a row; a reopen is a step on that row, not a new row: its reopen
-- columns are written once (tx_protect's p_once), so a reopen is never undone or
-- reworded, and the row keeps who signed and when. Signing the month again is a new
-- row, so the first signature is never overwritten: the rows of a community-month are
-- its history, the one without a reopen (at most one, a unique index) is the lock in
-- force. Why not a status moving by steps (signed → reopened → signed): a status that
-- returns to "signed" would overwrite the first signer and time, or need a trail of
-- its own; rows keep every signature as it was, under the kernel's audit triggers.
--
-- What must hold before a month is signed off, checked by the database as the signer:
--   * the unit is a community and lies in the signer's scope (the policies);
--   * the month has ended (in the office's zone);
--   * its sweeps (the community's, or each grid's where the city files by grid) are
--     approved: a sign-off says the month's report is complete, and the sweep is it;
--   * nothing of the month is under review or returned for a fix (visits, minutes,
--     sweeps, cases, referral closes: every kind of submission, by its queue date), so
--     nothing pending is ever locked and no review has to pass a lock.
--
-- Operators (the owner's imports and demo history) are not held to the lock, as the
-- kernel's other guards do not hold them: they load history as it was.
-- Persons are not locked: a resident who arrived in a signed month and is registered
-- late is still registered (the registry is the residents', not the month's casework).

-- Kernel: the lock of a dated table -------------------------------------------------------------

CREATE TABLE kernel_period_lock (
    table_name   text NOT NULL REFERENCES kernel_table (table_name),
    date_column  text NOT NULL,
    columns      text[],
    PRIMARY KEY (table_name, date_column)
);
COMMENT ON TABLE kernel_period_lock IS '随月度签字冻结的数据表及其日期列 / dated tables that lock with a signed-off month';
COMMENT ON COLUMN kernel_period_lock.table_name IS '数据表 / table';
COMMENT ON COLUMN kernel_period_lock.date_column IS '把记录归入某月的日期列 / the date column that places a row in a month';
COMMENT ON COLUMN kernel_period_lock.columns IS '该月冻结的列(空: 全部) / the columns that month holds (NULL: every column)';
GRANT SELECT ON kernel_period_lock TO tongxin_app;

-- The sign-offs ----------------------------------------------------------------------------------

CREATE TABLE month_sign_off (
    city_code         char(4) NOT NULL,
    id                uuid NOT NULL,
    org_code          text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    month             date NOT NULL CHECK (month = date_trunc('month', month)::date),
    signed_by         text NOT NULL DEFAULT current_user,
    signed_by_name    text NOT NULL DEFAULT '',
    signed_at         timestamptz NOT NULL DEFAULT now(),
    reopened_by       text,
    reopened_by_name  text NOT NULL DEFAULT '',
    reopened_at       timestamptz,
    reopen_reason     text NOT NULL DEFAULT '' CHECK (length(reopen_reason) <= 500),
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL DEFAULT current_user,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    updated_by        text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    CHECK (city_code = left(org_code, 4)),
    CONSTRAINT month_sign_off_reopened_whole
        CHECK ((reopened_at IS NULL) = (reopened_by IS NULL)
               AND (reopened_at IS NULL) = (btrim(reopen_reason) = ''))
);
-- One lock in force per community and month; the reopened rows are its history.
CREATE UNIQUE INDEX month_sign_off_in_force_idx ON month_sign_off (org_code, month)
    WHERE reopened_at IS NULL;
CREATE INDEX month_sign_off_month_idx ON month_sign_off (org_code, month, signed_at);
COMMENT ON TABLE month_sign_off IS '社区月度签字(签字后该月数据冻结) / a community''s month signed off by a supervisor; the month then locks';
COMMENT ON COLUMN month_sign_off.city_code IS '城市代码 / city code';
COMMENT ON COLUMN month_sign_off.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN month_sign_off.org_code IS '社区 / the community';
COMMENT ON COLUMN month_sign_off.month IS '月份(当月1日) / the month (its first day)';
COMMENT ON COLUMN month_sign_off.signed_by IS '签字人 / who signed it off';
COMMENT ON COLUMN month_sign_off.signed_by_name IS '签字人姓名 / the signer''s name then';
COMMENT ON COLUMN month_sign_off.signed_at IS '签字时间 / when signed off';
COMMENT ON COLUMN month_sign_off.reopened_by IS '重新开放人 / who reopened it';
COMMENT ON COLUMN month_sign_off.reopened_by_name IS '重新开放人姓名 / their name then';
COMMENT ON COLUMN month_sign_off.reopened_at IS '重新开放时间 / when reopened';
COMMENT ON COLUMN month_sign_off.reopen_reason IS '重新开放原因 / why it was reopened';
COMMENT ON COLUMN month_sign_off.version IS '版本号(乐观锁) / row version';
COMMENT ON COLUMN month_sign_off.created_at IS '创建时间 / created at';
COMMENT ON COLUMN month_sign_off.created_by IS '创建人 / created by';
COMMENT ON COLUMN month_sign_off.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN month_sign_off.updated_by IS '更新人 / updated by';

-- What of a community's month is still in the review workflow: per kind of submission, how
-- many wait for review and how many were returned for a fix, by each kind's queue date.
-- Read as the caller (row-level security applies); a kind declared later is counted too.
CREATE FUNCTION tx_month_pending(p_community text, p_month date)
RETURNS TABLE (kind text, waiting bigint, returned bigint)
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    k submission_kind;
    first date := date_trunc('month', p_month)::date;
    next date := (date_trunc('month', p_month) + interval '1 month')::date;
BEGIN
    FOR k IN SELECT * FROM submission_kind ORDER BY kind LOOP
        RETURN QUERY EXECUTE format(
            'SELECT %L::text, count(*) FILTER (WHERE r.status = ''submitted''), '
            '       count(*) FILTER (WHERE r.status = ''returned'') '
            '  FROM %I r WHERE r.org_code >= $1 AND r.org_code < $1 || '':'' '
            '   AND r.status IN (''submitted'', ''returned'') '
            '   AND (%s)::date >= $2 AND (%s)::date < $3 HAVING count(*) > 0',
            k.kind, k.table_name, k.day_sql, k.day_sql)
          USING p_community, first, next;
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION tx_month_pending(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_month_pending(text, date) TO tongxin_app;

-- A write dated in a community's month and the sign-off of that month do not pass each
-- other: every write takes this lock shared (writers never wait for each other), a
-- sign-off takes it exclusive, so it waits for the writes in flight to commit and then
-- sees them (a visit submitted meanwhile is under review: the sign-off is refused), and
-- a write that comes after waits for the sign-off and then meets its lock.
CREATE FUNCTION tx_month_lock(p_org text, p_day date, p_exclusive boolean) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    key_unit integer := hashtext('month_sign_off:' || left(p_org, 12));
    key_month integer := (extract(year FROM p_day) * 12 + extract(month FROM p_day))::integer;
BEGIN
    IF length(p_org) < 12 THEN
        RETURN;
    END IF;
    IF p_exclusive THEN
        PERFORM pg_advisory_xact_lock(key_unit, key_month);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(key_unit, key_month);
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION tx_month_lock(text, date, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_month_lock(text, date, boolean) TO tongxin_app;

-- The rules of a sign-off and its reopen, for every app role; the stamps of who signed
-- and who reopened are the database's. Named to fire after the once guard (`_once`).
CREATE FUNCTION tx_sign_off_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    actor_name text;
    unit text;
    month_text text := to_char(NEW.month, 'YYYY-MM');
    held month_sign_off;
    unfinished text;
    pending text;
    pending_kinds jsonb;
    unfinished_units jsonb;
    signer text;
    signed_on text;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    PERFORM tx_acting_kind();
    -- Their own row of app_user, which every app role reads.
    SELECT coalesce(nullif(u.display_name, ''), u.name) INTO actor_name
      FROM app_user u WHERE u.pg_role = actor;
    IF TG_OP = 'UPDATE' THEN
        NEW.signed_by := OLD.signed_by;
        NEW.signed_by_name := OLD.signed_by_name;
        NEW.signed_at := OLD.signed_at;
        IF OLD.reopened_at IS NOT NULL THEN
            NEW.reopened_by := OLD.reopened_by;
            NEW.reopened_by_name := OLD.reopened_by_name;
            NEW.reopened_at := OLD.reopened_at;
            RETURN NEW;
        END IF;
        IF btrim(NEW.reopen_reason) = '' THEN
            RAISE EXCEPTION 'reopen_reason: say why % is reopened', month_text
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reopen_reason',
                      DETAIL = jsonb_build_object('month', month_text);
        END IF;
        NEW.reopen_reason := btrim(NEW.reopen_reason);
        NEW.reopened_by := actor;
        NEW.reopened_by_name := coalesce(actor_name, actor);
        NEW.reopened_at := clock_timestamp();
        RETURN NEW;
    END IF;

    -- The policies check it too, but after this trigger: first say the plain reason.
    IF NOT (NEW.org_code >= tx_scope() AND NEW.org_code < tx_scope() || ':') THEN
        RAISE EXCEPTION 'sign-off: % is not in your scope', NEW.org_code
            USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'sign_off_scope',
                  DETAIL = jsonb_build_object('unit', NEW.org_code);
    END IF;
    SELECT o.name INTO unit FROM org_unit o WHERE o.code = NEW.org_code AND o.level = 'community';
    IF unit IS NULL THEN
        RAISE EXCEPTION 'sign-off: % is not a community; months are signed off by community',
            NEW.org_code USING ERRCODE = 'check_violation', CONSTRAINT = 'sign_off_community',
                               DETAIL = jsonb_build_object('unit', NEW.org_code);
    END IF;
    IF NEW.month >= date_trunc('month', tx_office_today())::date THEN
        RAISE EXCEPTION 'sign-off: % has not ended yet', month_text
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sign_off_not_ended',
                  DETAIL = jsonb_build_object('month', month_text);
    END IF;
    PERFORM tx_month_lock(NEW.org_code, NEW.month, true);
    SELECT * INTO held FROM month_sign_off s
     WHERE s.org_code = NEW.org_code AND s.month = NEW.month AND s.reopened_at IS NULL;
    IF held.id IS NOT NULL THEN
        signer := coalesce(nullif(held.signed_by_name, ''), held.signed_by);
        signed_on := to_char(held.signed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD');
        RAISE EXCEPTION 'sign-off: % of % was signed off already, by % on %', month_text, unit,
            signer, signed_on
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'sign_off_again',
                  DETAIL = jsonb_build_object('month', month_text, 'unit', unit, 'by', signer,
                                              'on', signed_on);
    END IF;
    SELECT string_agg(format('%s %s', m.unit_name, coalesce(m.status, m.state)), ', '
                      ORDER BY m.org_code),
           jsonb_agg(jsonb_build_object('unit', m.unit_name, 'state', coalesce(m.status, m.state))
                     ORDER BY m.org_code)
      INTO unfinished, unfinished_units
      FROM sweep_month_status(NEW.org_code, NEW.month, tx_office_today()) m
     WHERE m.status IS DISTINCT FROM 'approved';
    IF unfinished IS NOT NULL THEN
        RAISE EXCEPTION 'sign-off: the sweep of % of % is not approved (%)', month_text, unit,
            unfinished USING ERRCODE = 'check_violation', CONSTRAINT = 'sign_off_sweep',
                             DETAIL = jsonb_build_object('month', month_text, 'unit', unit,
                                                         'sweeps', unfinished_units);
    END IF;
    SELECT string_agg(format('%s: %s waiting, %s returned', p.kind, p.waiting, p.returned),
                      '; ' ORDER BY p.kind),
           jsonb_agg(jsonb_build_object('kind', p.kind, 'waiting', p.waiting,
                                        'returned', p.returned) ORDER BY p.kind)
      INTO pending, pending_kinds FROM tx_month_pending(NEW.org_code, NEW.month) p;
    IF pending IS NOT NULL THEN
        RAISE EXCEPTION 'sign-off: % of % still has records under review or returned for a fix '
                        '(%); finish them first', month_text, unit, pending
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sign_off_pending',
                  DETAIL = jsonb_build_object('month', month_text, 'unit', unit,
                                              'kinds', pending_kinds);
    END IF;
    NEW.signed_by := actor;
    NEW.signed_by_name := coalesce(actor_name, actor);
    NEW.signed_at := clock_timestamp();
    NEW.reopened_by := NULL;
    NEW.reopened_by_name := '';
    NEW.reopened_at := NULL;
    NEW.reopen_reason := '';
    RETURN NEW;
END;
$$;

SELECT tx_protect('month_sign_off', p_writers => ARRAY['supervisor', 'admin'],
                  p_columns => ARRAY['reopen_reason', 'version'],
                  p_once => ARRAY['reopen_reason', 'reopened_at', 'reopened_by']);
-- Grid workers read their community's months: the lock they meet is named to them.
SELECT tx_share_community('month_sign_off');
SELECT tx_trigger('month_sign_off', '_rules', 'BEFORE INSERT OR UPDATE', 'FOR EACH ROW',
                  'tx_sign_off_rules()');

-- The lock ---------------------------------------------------------------------------------------

-- Why a row may not change: the sign-off in force of the month that `p_day` lies in, of the
-- community that `p_org` lies in: the month, the community, who signed it and on which
-- day; NULL when there is none (or `p_org` lies above a community). Read as the writer:
-- whoever may write a row of a community reads its sign-offs (its grid workers through
-- tx_share_community, everyone else by scope), and psql answers nobody about the months
-- of communities they do not see.
CREATE FUNCTION tx_month_lock_refusal(p_org text, p_day date) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT jsonb_build_object(
               'month', to_char(s.month, 'YYYY-MM'), 'unit', coalesce(o.name, s.org_code),
               'by', coalesce(nullif(s.signed_by_name, ''), s.signed_by),
               'on', to_char(s.signed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'))
      FROM month_sign_off s LEFT JOIN org_unit o ON o.code = s.org_code
     WHERE length(p_org) >= 12 AND s.org_code = left(p_org, 12)
       AND s.month = date_trunc('month', p_day)::date AND s.reopened_at IS NULL
$$;
REVOKE ALL ON FUNCTION tx_month_lock_refusal(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_month_lock_refusal(text, date) TO tongxin_app;

-- A write of a row dated in a signed-off month of its community: an insert or a delete,
-- or an update of the columns that month holds, whether the date was or becomes one of
-- that month. Any other update (a case opened in a signed month and concluded later; a
-- need followed up after the month of its visit) goes on.
CREATE FUNCTION tx_period_lock_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    row_new jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_old jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    -- What the stamps and a version bump change says nothing about the month.
    stamps constant text[] := ARRAY['version', 'created_by', 'created_at', 'updated_by',
                                    'updated_at'];
    scope_column text := (SELECT k.scope_column FROM kernel_table k
                           WHERE k.table_name = TG_TABLE_NAME);
    lock kernel_period_lock;
    refusal jsonb;
    side jsonb;
BEGIN
    IF tx_operator() THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    FOR lock IN SELECT * FROM kernel_period_lock l WHERE l.table_name = TG_TABLE_NAME
                 ORDER BY l.date_column LOOP
        IF TG_OP = 'UPDATE' AND NOT EXISTS (
               SELECT 1 FROM jsonb_object_keys(row_new) c
                WHERE (lock.columns IS NULL OR c = ANY (lock.columns))
                  AND NOT c = ANY (stamps)
                  AND row_new -> c IS DISTINCT FROM row_old -> c) THEN
            CONTINUE;
        END IF;
        FOREACH side IN ARRAY ARRAY[row_old, row_new] LOOP
            CONTINUE WHEN side IS NULL OR side ->> lock.date_column IS NULL;
            PERFORM tx_month_lock(side ->> scope_column, (side ->> lock.date_column)::date,
                                  false);
            refusal := tx_month_lock_refusal(side ->> scope_column,
                                             (side ->> lock.date_column)::date);
            IF refusal IS NOT NULL THEN
                RAISE EXCEPTION '% of % was signed off by % on %; ask a supervisor to reopen it',
                    refusal ->> 'month', refusal ->> 'unit', refusal ->> 'by', refusal ->> 'on'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'month_signed_off',
                          DETAIL = refusal;
            END IF;
        END LOOP;
    END LOOP;
    RETURN coalesce(NEW, OLD);
END;
$$;

CREATE FUNCTION tx_period_lock(p_table text, p_date_column text, p_columns text[] DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
-- p_date_column: the date that places a row in a month; p_columns: what of the row that
-- month holds (NULL: all of it). Called once per date column; one trigger per table.
BEGIN
    IF NOT EXISTS (SELECT 1 FROM kernel_table k WHERE k.table_name = p_table) THEN
        RAISE EXCEPTION 'tx_period_lock: declare % with tx_protect first', p_table;
    END IF;
    IF NOT tx_has_column(p_table, p_date_column) THEN
        RAISE EXCEPTION 'tx_period_lock: % has no column %', p_table, p_date_column;
    END IF;
    INSERT INTO kernel_period_lock (table_name, date_column, columns)
    VALUES (p_table, p_date_column, p_columns)
    ON CONFLICT (table_name, date_column) DO UPDATE SET columns = EXCLUDED.columns;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', p_table || '_period_lock', p_table);
    PERFORM tx_trigger(p_table, '_period_lock', 'BEFORE INSERT OR UPDATE OR DELETE',
                       'FOR EACH ROW WHEN (coalesce(current_setting(''tongxin.bulk_load'', '
                       'true), '''') <> ''on'' OR current_setting(''is_superuser'') <> ''on'')',
                       'tx_period_lock_guard()');
END;
$$;
REVOKE ALL ON FUNCTION tx_period_lock(text, text, text[]) FROM PUBLIC;

-- What a community's month holds -----------------------------------------------------------------
-- Visits, sweeps and their re-checks, case notes, progress notes on needs, the closes of
-- needs, meetings and contacts with representatives: wholly, by their day. Cases and
-- needs live longer than a month: what the month counted of them (a case taken in,
-- taken up, concluded; a need raised, referred) is held, the rest follows them on.

SELECT tx_period_lock('visit', 'visited_on');
SELECT tx_period_lock('dispute_sweep', 'month');
SELECT tx_period_lock('dispute_sweep_recheck', 'checked_on');
SELECT tx_period_lock('dispute_case', 'opened_on', ARRAY['kind', 'summary', 'opened_on', 'sweep_id']);
SELECT tx_period_lock('dispute_case', 'mediated_on', ARRAY['mediated_on']);
SELECT tx_period_lock('dispute_case', 'closed_on', ARRAY['closed_on', 'stage', 'outcome']);
SELECT tx_period_lock('dispute_case_note', 'noted_on');
SELECT tx_period_lock('assistance_request', 'raised_on',
    ARRAY['person_id', 'visit_id', 'category', 'description', 'raised_on', 'channel']);
SELECT tx_period_lock('assistance_request', 'referred_on', ARRAY['referred_on', 'department_code']);
SELECT tx_period_lock('referral_note', 'noted_on');
SELECT tx_period_lock('referral_outcome', 'closed_on');
SELECT tx_period_lock('meeting', 'held_on');
SELECT tx_period_lock('representative_contact', 'contacted_on');
