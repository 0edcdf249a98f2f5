-- V022: the monthly statistics from counts kept per unit and month, which a sign-off
-- freezes.
--
-- Read from V017's person_event, a city's monthly statistics summed every event of
-- the city up to the month: 306 ms for all months and 518 ms for one month at
-- 1,000,000 persons, against the 300 ms of DESIGN.md (bench/RESULTS.md). And a signed-
-- off month's figures still changed when a resident who arrived in it was registered
-- late. So the events are counted here, per unit at every level and per month, by a
-- trigger on person_event, and a reader sums a few hundred counters.
--
-- person_month_count: per unit (grid, community, street, district and city above each
--   event's grid), month, kind of event and writing role (actor, as in person_tally:
--   every role waits only for itself), how many events count there. A hand-over counts
--   in a unit only where it crosses that unit's boundary: between two grids of one
--   street it is a move out of one grid and into the other, and no move for the street.
--   Registered at a month's end is the sum of the unit's changes up to that month.
--
-- The month an event counts in is its own month, unless its community's month is
-- signed off: then it is the first month after the community's last sign-off in force,
-- so no signed month's figures (nor the registered at the end of an earlier month)
-- change afterwards. A late registration of a resident who arrived in a signed month
-- counts as an arrival of the first open month; the removal of an event of a signed
-- month (a record corrected, deleted) counts there as minus one. Reopening the month
-- lets the changes that follow count in it again; what counted elsewhere meanwhile
-- stays where it counted. The events there before this migration count in their own
-- months, as does an operator's bulk load into empty tables (ledger_count_afresh).
--
-- A sign-off and the writes of its community's persons do not pass each other: a write
-- takes its communities' counting lock shared (or, writing the persons of more than 64
-- communities at once, its city's exclusive) before it reads where to count; a sign-off
-- takes its community's exclusive and its city's shared, so it waits for the writes in
-- flight, and the writes after it count after the signed month.

CREATE TABLE person_month_count (
    city_code  char(4) NOT NULL,
    org_code   text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    event      text NOT NULL
               CHECK (event IN ('arrived', 'returned', 'moved_in', 'moved_out', 'left')),
    actor      text NOT NULL,
    events     integer NOT NULL,
    PRIMARY KEY (city_code, org_code, month, event, actor),
    CHECK (city_code = left(org_code, 4))
);
-- A unit's months read from the index alone.
CREATE INDEX person_month_count_unit_idx ON person_month_count (org_code, month)
    INCLUDE (event, events);
COMMENT ON TABLE person_month_count IS
    '每单元每月流动事件计数(由触发器维护, 签字月份冻结) / events counted per unit and month, kept by a trigger on person_event; a signed-off month no longer changes';
COMMENT ON COLUMN person_month_count.city_code IS '城市代码 / city code';
COMMENT ON COLUMN person_month_count.org_code IS '单元(网格至市) / the unit, grid to city';
COMMENT ON COLUMN person_month_count.month IS '计入月份 / the month counted in';
COMMENT ON COLUMN person_month_count.event IS '事件: 到达/返回/移入/移出/离开 / arrived, returned, moved in, moved out, left';
COMMENT ON COLUMN person_month_count.actor IS '写入角色 / role whose writes this counter sums';
COMMENT ON COLUMN person_month_count.events IS '事件数(各写入角色之和) / events (the counters of all roles add up)';

-- +1 for what adds a registered person, -1 for what takes one away.
CREATE FUNCTION ledger_event_change(p_event text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_event IN ('moved_out', 'left') THEN -1 ELSE 1 END
$$;

CREATE FUNCTION ledger_counting_key(p_code text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT hashtext('person_month_count:' || p_code) $$;

-- The counting locks of the persons' communities (`p_orgs`: their grids), as the header
-- says; in code order, so two writers never wait for each other in a circle.
CREATE FUNCTION ledger_count_lock(p_orgs text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    unit text;
    communities text[];
BEGIN
    SELECT array_agg(DISTINCT left(o, 12) ORDER BY left(o, 12)) INTO communities
      FROM unnest(p_orgs) AS o WHERE length(o) >= 12;
    IF coalesce(cardinality(communities), 0) <= 64 THEN
        FOREACH unit IN ARRAY coalesce(communities, ARRAY[]::text[]) LOOP
            PERFORM pg_advisory_xact_lock_shared(ledger_counting_key(''), ledger_counting_key(unit));
        END LOOP;
    ELSE
        FOR unit IN SELECT DISTINCT left(c, 4) FROM unnest(communities) AS c ORDER BY 1 LOOP
            PERFORM pg_advisory_xact_lock(ledger_counting_key(''), ledger_counting_key(unit));
        END LOOP;
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION ledger_count_lock(text[]) FROM PUBLIC;

-- A bulk load into empty tables (seeds/demo.py) counts once at the end instead of per
-- COPY batch (ledger_count_afresh): 37 of a million-person load's 158 s went to the
-- batches' counts. Only a superuser's own session defers (the owner's, not a role it
-- acts as): an app role that sets the flag counts as ever.
CREATE FUNCTION ledger_counts_deferred() RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(current_setting('tongxin.counts_deferred', true), '') = 'on'
       AND current_setting('role') = 'none'
       AND coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false)
$$;

-- Events written to or removed from person_event, a statement at a time: each counts
-- (`sign` +1 or -1) in the units above its grid, in the month the header says.
CREATE FUNCTION ledger_events_counted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    rows_name text := CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END;
    sign integer := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
    orgs text[];
BEGIN
    IF ledger_counts_deferred() THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT array_agg(DISTINCT e.org_code) FROM %I e', rows_name) INTO orgs;
    IF orgs IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM ledger_count_lock(orgs);
    EXECUTE format($q$
        WITH grouped AS (
            SELECT e.city_code, e.org_code, e.other_org, e.event, e.month, count(*) AS events
              FROM %I e
             GROUP BY 1, 2, 3, 4, 5
        ), placed AS (
            SELECT g.*, greatest(g.month, (f.last_signed + interval '1 month')::date) AS counted
              FROM grouped g
              LEFT JOIN LATERAL (
                    SELECT max(s.month) AS last_signed FROM month_sign_off s
                     WHERE length(g.org_code) >= 12 AND s.org_code = left(g.org_code, 12)
                       AND s.reopened_at IS NULL) f ON true
        )
        INSERT INTO person_month_count AS c (city_code, org_code, month, event, actor, events)
        SELECT p.city_code, u.code, coalesce(p.counted, p.month), p.event, $1, $2 * sum(p.events)
          FROM placed p
         CROSS JOIN (VALUES (4), (6), (9), (12), (14)) AS lv(len)
          JOIN org_unit u ON u.code = left(p.org_code, lv.len)
         WHERE lv.len <= length(p.org_code)
           AND (p.other_org IS NULL OR left(p.other_org, lv.len) <> u.code)
         GROUP BY 1, 2, 3, 4
        ON CONFLICT (city_code, org_code, month, event, actor)
        DO UPDATE SET events = c.events + EXCLUDED.events
        $q$, rows_name) USING audit_actor(), sign;
    RETURN NULL;
END;
$$;

CREATE FUNCTION ledger_events_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    TRUNCATE person_month_count;
    RETURN NULL;
END;
$$;

CREATE TRIGGER person_event_counted_insert AFTER INSERT ON person_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_counted();
CREATE TRIGGER person_event_counted_delete AFTER DELETE ON person_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_counted();
CREATE TRIGGER person_event_counted_truncate AFTER TRUNCATE ON person_event
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_truncated();
ALTER TABLE person_event ENABLE ALWAYS TRIGGER person_event_counted_insert;
ALTER TABLE person_event ENABLE ALWAYS TRIGGER person_event_counted_delete;
ALTER TABLE person_event ENABLE ALWAYS TRIGGER person_event_counted_truncate;

-- A sign-off waits for the writes in flight of its community's persons (the header).
CREATE FUNCTION ledger_sign_off_waits() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(ledger_counting_key(''),
                                         ledger_counting_key(left(NEW.org_code, 4)));
    PERFORM pg_advisory_xact_lock(ledger_counting_key(''), ledger_counting_key(NEW.org_code));
    RETURN NEW;
END;
$$;
CREATE TRIGGER month_sign_off_counting_waits BEFORE INSERT ON month_sign_off
    FOR EACH ROW EXECUTE FUNCTION ledger_sign_off_waits();
ALTER TABLE month_sign_off ENABLE ALWAYS TRIGGER month_sign_off_counting_waits;

SELECT tx_protect('person_month_count', p_writers => ARRAY[]::text[], p_audit => false,
    p_why_not_audited => 'counts derived from person_event by a trigger; the writes to '
                         'person and person_move are audited');

-- Every event counted again, from nothing, each in its own month: after a deferred bulk
-- load (the operator loads history as it was, like the kernel's other guards let it),
-- and here once for what is counted already. Where a late change counted after a
-- signed month is not known any more, so this is not for a database in use.
CREATE FUNCTION ledger_count_afresh() RETURNS void
LANGUAGE sql SET search_path = public, pg_temp AS $$
    TRUNCATE person_month_count;
    INSERT INTO person_month_count (city_code, org_code, month, event, actor, events)
    SELECT e.city_code, u.code, e.month, e.event, current_user, count(*)
      FROM person_event e
     CROSS JOIN (VALUES (4), (6), (9), (12), (14)) AS lv(len)
      JOIN org_unit u ON u.code = left(e.org_code, lv.len)
     WHERE lv.len <= length(e.org_code)
       AND (e.other_org IS NULL OR left(e.other_org, lv.len) <> u.code)
     GROUP BY 1, 2, 3, 4;
$$;
REVOKE ALL ON FUNCTION ledger_count_afresh() FROM PUBLIC;

SELECT ledger_count_afresh();
