-- V017: what the ledgers' statistics count, kept current by triggers.
--
-- Counted live from person and person_move, a city's statistics took seconds at
-- 1,000,000 persons, against the 300 ms of DESIGN.md (bench/RESULTS.md). Two derived
-- tables hold the counts instead. No app role writes them: triggers on person and
-- person_move do, as the owner, in the writer's transaction; everyone reads them under
-- row-level security by their org code, like person.
--
-- person_event: the events of each person's stay in the city (arrived, returned,
--   moved_in, moved_out, left), exactly as sql/R__ledgers.sql defines them, one row
--   each, in the grid where each happened. They are worked out again for a person
--   whenever their record's dates, status or grid change and whenever one of their
--   hand-overs is written or removed. One person's rows are written only by whoever
--   writes that person, so no writer waits for another.
-- person_tally: the registered persons per grid, ethnic group, province of origin,
--   occupation and sex, one counter per writing role (actor). A counter shared by all
--   writers would be locked from one writer's change until their commit, and a user
--   in psql could hold it as long as their transaction stays open; with a counter of
--   their own, every role waits only for itself. Readers add the counters up.

CREATE TABLE person_event (
    city_code    char(4) NOT NULL,
    person_id    uuid NOT NULL,
    seq          smallint NOT NULL CHECK (seq >= 1),
    org_code     text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    event        text NOT NULL
                 CHECK (event IN ('arrived', 'returned', 'moved_in', 'moved_out', 'left')),
    happened_on  date NOT NULL,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    other_org    text COLLATE "C",
    change       smallint NOT NULL CHECK (change IN (-1, 1)),
    PRIMARY KEY (city_code, person_id, seq),
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX person_event_org_month_idx ON person_event (org_code, month)
    INCLUDE (event, change, other_org);
COMMENT ON TABLE person_event IS
    '人员流动事件(由触发器维护) / events of each person''s stay, kept by triggers on person and person_move';
COMMENT ON COLUMN person_event.city_code IS '城市代码 / city code';
COMMENT ON COLUMN person_event.person_id IS '人员 / the person';
COMMENT ON COLUMN person_event.seq IS '序号(该人员事件内) / order among the person''s events';
COMMENT ON COLUMN person_event.org_code IS '发生网格 / grid where it happened';
COMMENT ON COLUMN person_event.event IS '事件: 到达/返回/移入/移出/离开 / arrived, returned, moved in, moved out, left';
COMMENT ON COLUMN person_event.happened_on IS '日期 / date';
COMMENT ON COLUMN person_event.month IS '月份 / month';
COMMENT ON COLUMN person_event.other_org IS '移交的另一方网格 / the other grid of a hand-over';
COMMENT ON COLUMN person_event.change IS '在册人数变化(+1/-1) / change in the registered count';

CREATE TABLE person_tally (
    city_code      char(4) NOT NULL,
    org_code       text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    ethnic_code    char(2) NOT NULL,
    province_code  text NOT NULL,
    occupation     text NOT NULL,
    sex            smallint NOT NULL,
    actor          text NOT NULL,
    persons        integer NOT NULL,
    PRIMARY KEY (city_code, org_code, ethnic_code, province_code, occupation, sex, actor),
    CHECK (city_code = left(org_code, 4))
);
COMMENT ON TABLE person_tally IS
    '在册人员计数(由触发器维护, 每个写入角色一行) / registered persons counted, one counter per writing role, kept by triggers on person';
COMMENT ON COLUMN person_tally.city_code IS '城市代码 / city code';
COMMENT ON COLUMN person_tally.org_code IS '所属网格 / grid';
COMMENT ON COLUMN person_tally.ethnic_code IS '民族 / ethnic group';
COMMENT ON COLUMN person_tally.province_code IS '来源省份(空:未填写) / province of origin ('''': none recorded)';
COMMENT ON COLUMN person_tally.occupation IS '职业(去首尾空格, 至多100字; 空:未填写) / occupation, trimmed, at most 100 characters ('''': none)';
COMMENT ON COLUMN person_tally.sex IS '性别 / sex';
COMMENT ON COLUMN person_tally.actor IS '写入角色 / role whose writes this counter sums';
COMMENT ON COLUMN person_tally.persons IS '人数(各写入角色之和为在册人数) / persons (the counters of all roles add up to the registered count)';

-- The events of the persons given (city codes and ids, pairwise), as R__ledgers.sql
-- defines them; read as the owner, so from every row whatever the writer sees.
CREATE FUNCTION ledger_events_of(p_cities char(4)[], p_ids uuid[])
RETURNS TABLE (city_code char(4), person_id uuid, seq smallint, org_code text, event text,
               happened_on date, month date, other_org text, change smallint)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
WITH wanted AS (
    SELECT DISTINCT w.city_code, w.id FROM unnest(p_cities, p_ids) AS w(city_code, id)
), stay AS (
    SELECT p.city_code, p.id AS person_id, p.org_code,
           EXISTS (SELECT 1 FROM person_move m
                    WHERE m.city_code = p.city_code AND m.person_id = p.id) AS has_moves,
           r.returned,
           CASE WHEN r.returned THEN p.status_changed_on
                ELSE coalesce(p.arrival_date, (p.created_at AT TIME ZONE 'Asia/Shanghai')::date)
           END AS start_on,
           p.status IN ('left_city', 'moved_out') AS ended,
           coalesce(p.status_changed_on, (p.updated_at AT TIME ZONE 'Asia/Shanghai')::date)
               AS end_on
      FROM wanted w
      JOIN person p ON p.city_code = w.city_code AND p.id = w.id
     CROSS JOIN LATERAL (
        SELECT CASE WHEN p.status = 'registered' AND p.status_changed_on IS NOT NULL
                    THEN NOT EXISTS (SELECT 1 FROM person_move m
                                      WHERE m.city_code = p.city_code AND m.person_id = p.id
                                        AND m.moved_on = p.status_changed_on)
                    ELSE false END AS returned) r
), bounded AS (
    SELECT s.city_code, s.person_id, s.org_code, s.has_moves, s.returned, s.start_on,
           CASE WHEN s.ended THEN greatest(s.end_on, s.start_on) END AS end_on
      FROM stay s
), event AS (
    SELECT b.city_code, b.person_id,
           CASE WHEN NOT b.has_moves THEN b.org_code
                ELSE coalesce((SELECT m.from_org FROM person_move m
                                WHERE m.city_code = b.city_code AND m.person_id = b.person_id
                                  AND m.moved_on > b.start_on
                                ORDER BY m.moved_on, m.id LIMIT 1), b.org_code) END AS org_code,
           b.start_on AS happened_on,
           CASE WHEN b.returned THEN 'returned' ELSE 'arrived' END AS event,
           NULL::text AS other_org, 1 AS change, 0 AS part
      FROM bounded b
    UNION ALL
    SELECT b.city_code, b.person_id,
           CASE WHEN NOT b.has_moves THEN b.org_code
                ELSE coalesce((SELECT m.from_org FROM person_move m
                                WHERE m.city_code = b.city_code AND m.person_id = b.person_id
                                  AND m.moved_on > b.end_on
                                ORDER BY m.moved_on, m.id LIMIT 1), b.org_code) END,
           b.end_on, 'left', NULL, -1, 2
      FROM bounded b
     WHERE b.end_on IS NOT NULL
    UNION ALL
    SELECT b.city_code, b.person_id, side.org_code, m.moved_on, side.event, side.other_org,
           side.change, 1
      FROM bounded b
      JOIN person_move m ON m.city_code = b.city_code AND m.person_id = b.person_id
     CROSS JOIN LATERAL (VALUES (m.from_org::text, 'moved_out', m.to_org::text, -1, m.id, 0),
                                (m.to_org::text, 'moved_in', m.from_org::text, 1, m.id, 1))
                        AS side(org_code, event, other_org, change, move, half)
     WHERE b.has_moves AND m.moved_on > b.start_on
       AND (b.end_on IS NULL OR m.moved_on <= b.end_on)
)
SELECT e.city_code, e.person_id,
       row_number() OVER (PARTITION BY e.city_code, e.person_id
                          ORDER BY e.part, e.happened_on, e.event, e.org_code)::smallint,
       e.org_code, e.event, e.happened_on, date_trunc('month', e.happened_on)::date,
       e.other_org, e.change::smallint
  FROM event e
$$;

-- Work out the events of these persons again: their old rows go, the new ones come.
CREATE FUNCTION ledger_recount_events(p_cities char(4)[], p_ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(cardinality(p_ids), 0) = 0 THEN
        RETURN;
    END IF;
    DELETE FROM person_event e
     USING unnest(p_cities, p_ids) AS w(city_code, id)
     WHERE e.city_code = w.city_code AND e.person_id = w.id;
    INSERT INTO person_event (city_code, person_id, seq, org_code, event, happened_on, month,
                              other_org, change)
    SELECT * FROM ledger_events_of(p_cities, p_ids);
END;
$$;
REVOKE ALL ON FUNCTION ledger_recount_events(char[], uuid[]) FROM PUBLIC;

-- The tally's key of a person row.
CREATE FUNCTION ledger_province_key(division char(6)) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(left(division, 2) || '0000', '') $$;
CREATE FUNCTION ledger_occupation_key(occupation text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btrim(occupation), 100) $$;

-- Inserts, updates and deletes of persons, a statement at a time (a COPY batch of a bulk
-- load is one statement): the tally moves by the registered rows that went and came,
-- and the persons whose dates, status or grid changed get their events again.
CREATE FUNCTION ledger_person_written() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    writer text := audit_actor();
    cities char(4)[];
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO person_tally AS t (city_code, org_code, ethnic_code, province_code,
                                       occupation, sex, actor, persons)
        SELECT n.city_code, n.org_code, n.ethnic_code, ledger_province_key(n.origin_division_code),
               ledger_occupation_key(n.occupation), n.sex, writer, count(*)
          FROM new_rows n WHERE n.status = 'registered'
         GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (city_code, org_code, ethnic_code, province_code, occupation, sex, actor)
        DO UPDATE SET persons = t.persons + EXCLUDED.persons;
        SELECT array_agg(n.city_code), array_agg(n.id) INTO cities, ids FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO person_tally AS t (city_code, org_code, ethnic_code, province_code,
                                       occupation, sex, actor, persons)
        SELECT o.city_code, o.org_code, o.ethnic_code, ledger_province_key(o.origin_division_code),
               ledger_occupation_key(o.occupation), o.sex, writer, -count(*)
          FROM old_rows o WHERE o.status = 'registered'
         GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (city_code, org_code, ethnic_code, province_code, occupation, sex, actor)
        DO UPDATE SET persons = t.persons + EXCLUDED.persons;
        DELETE FROM person_event e USING old_rows o
         WHERE e.city_code = o.city_code AND e.person_id = o.id;
        RETURN NULL;
    ELSE
        INSERT INTO person_tally AS t (city_code, org_code, ethnic_code, province_code,
                                       occupation, sex, actor, persons)
        SELECT k.city_code, k.org_code, k.ethnic_code, k.province_code, k.occupation, k.sex,
               writer, sum(k.change)
          FROM (SELECT o.city_code, o.org_code, o.ethnic_code,
                       ledger_province_key(o.origin_division_code) AS province_code,
                       ledger_occupation_key(o.occupation) AS occupation, o.sex, -1 AS change
                  FROM old_rows o JOIN new_rows n ON n.city_code = o.city_code AND n.id = o.id
                 WHERE o.status = 'registered'
                   AND (o.org_code, o.ethnic_code, o.origin_division_code, o.occupation, o.sex,
                        o.status)
                       IS DISTINCT FROM (n.org_code, n.ethnic_code, n.origin_division_code,
                                         n.occupation, n.sex, n.status)
                UNION ALL
                SELECT n.city_code, n.org_code, n.ethnic_code,
                       ledger_province_key(n.origin_division_code),
                       ledger_occupation_key(n.occupation), n.sex, 1
                  FROM old_rows o JOIN new_rows n ON n.city_code = o.city_code AND n.id = o.id
                 WHERE n.status = 'registered'
                   AND (o.org_code, o.ethnic_code, o.origin_division_code, o.occupation, o.sex,
                        o.status)
                       IS DISTINCT FROM (n.org_code, n.ethnic_code, n.origin_division_code,
                                         n.occupation, n.sex, n.status)) AS k
         GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(k.change) <> 0
        ON CONFLICT (city_code, org_code, ethnic_code, province_code, occupation, sex, actor)
        DO UPDATE SET persons = t.persons + EXCLUDED.persons;
        SELECT array_agg(n.city_code), array_agg(n.id) INTO cities, ids
          FROM old_rows o JOIN new_rows n ON n.city_code = o.city_code AND n.id = o.id
         WHERE (o.org_code, o.status, o.status_changed_on, o.arrival_date)
               IS DISTINCT FROM (n.org_code, n.status, n.status_changed_on, n.arrival_date)
            OR (n.status IN ('left_city', 'moved_out') AND n.status_changed_on IS NULL);
    END IF;
    PERFORM ledger_recount_events(cities, ids);
    RETURN NULL;
END;
$$;

-- A hand-over written or removed: the person's events again.
CREATE FUNCTION ledger_move_written() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    cities char(4)[];
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(m.city_code), array_agg(m.person_id) INTO cities, ids FROM new_rows m;
    ELSE
        SELECT array_agg(m.city_code), array_agg(m.person_id) INTO cities, ids FROM old_rows m;
    END IF;
    PERFORM ledger_recount_events(cities, ids);
    RETURN NULL;
END;
$$;

CREATE FUNCTION ledger_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    TRUNCATE person_event, person_tally;
    RETURN NULL;
END;
$$;

CREATE TRIGGER person_ledger_insert AFTER INSERT ON person REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_person_written();
CREATE TRIGGER person_ledger_update AFTER UPDATE ON person
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_person_written();
CREATE TRIGGER person_ledger_delete AFTER DELETE ON person REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_person_written();
CREATE TRIGGER person_ledger_truncate AFTER TRUNCATE ON person
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_truncated();
CREATE TRIGGER person_move_ledger_insert AFTER INSERT ON person_move
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_move_written();
CREATE TRIGGER person_move_ledger_delete AFTER DELETE ON person_move
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_move_written();
-- Like the name suffixes (V006): also under session_replication_role = replica, which
-- bulk loads use.
ALTER TABLE person ENABLE ALWAYS TRIGGER person_ledger_insert;
ALTER TABLE person ENABLE ALWAYS TRIGGER person_ledger_update;
ALTER TABLE person ENABLE ALWAYS TRIGGER person_ledger_delete;
ALTER TABLE person ENABLE ALWAYS TRIGGER person_ledger_truncate;
ALTER TABLE person_move ENABLE ALWAYS TRIGGER person_move_ledger_insert;
ALTER TABLE person_move ENABLE ALWAYS TRIGGER person_move_ledger_delete;

SELECT tx_protect('person_event', p_writers => ARRAY[]::text[], p_audit => false,
    p_why_not_audited => 'derived from person and person_move by triggers; the writes to '
                         'them are audited');
SELECT tx_protect('person_tally', p_writers => ARRAY[]::text[], p_audit => false,
    p_why_not_audited => 'counts derived from person by triggers; the writes to person are '
                         'audited');

-- What is registered already, counted once.
INSERT INTO person_tally (city_code, org_code, ethnic_code, province_code, occupation, sex,
                          actor, persons)
SELECT p.city_code, p.org_code, p.ethnic_code, ledger_province_key(p.origin_division_code),
       ledger_occupation_key(p.occupation), p.sex, current_user, count(*)
  FROM person p WHERE p.status = 'registered'
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO person_event
SELECT e.* FROM (SELECT array_agg(city_code) AS cities, array_agg(id) AS ids FROM person) a,
       ledger_events_of(a.cities, a.ids) e
 WHERE a.ids IS NOT NULL;
