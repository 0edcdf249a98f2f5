-- Ledgers (台账) and statistics: views that offices print and export. Repeatable:
-- re-applied when this file changes. Every view is security_invoker, so row-level
-- security applies to whoever reads it, in the app and in psql alike, and every view
-- carries org_code, the unit each row belongs to, always one inside the reader's scope.
--
-- Column names are English; the headers (Chinese, and English for the English screen)
-- are db/ledgers/columns.py's, shared by the screen and the exports. Values read as the
-- paper ledgers write them (男, 入户走访, 已审核). Identifiers appear only masked.
--
-- Statistics are per grid (the org_code of the persons counted); a reader adds the
-- grids of a street or district up (db/ledgers does). stats_monthly is the exception
-- that needs care: a hand-over between two grids of the same street is a move out of
-- one and into the other, but no move at all for the street, so a street's moves are
-- counted from stats_movement, each move once, only where it crosses the street's
-- boundary (db/ledgers/reads.py, monthly_rows).

-- Drop first: CREATE OR REPLACE cannot rename or reorder the columns of a view.
DROP VIEW IF EXISTS ledger_quality, ledger_registry, ledger_visits, stats_ethnicity,
    stats_origin, stats_occupation, stats_monthly, stats_movement;

-- Data quality (数据质量台账): registered persons lacking a 三必清 field (address of
-- origin, current address, occupation), as the person list's filter counts them. A
-- record may be saved without them, with a warning, and then stays here until it is
-- completed.
CREATE VIEW ledger_quality WITH (security_invoker = true) AS
SELECT c.name AS community,
       g.name AS grid,
       p.name,
       p.id_number_masked,
       p.origin_address = '' AS missing_origin,
       p.current_address = '' AS missing_current_address,
       p.occupation = '' AS missing_occupation,
       p.updated_at::date AS last_updated,
       p.org_code,
       p.city_code,
       p.id AS person_id,
       p.name_pinyin
  FROM person p
  JOIN org_unit g ON g.code = p.org_code
  LEFT JOIN org_unit c ON c.code = g.parent_code
 WHERE p.status = 'registered'
   AND p.anonymised_at IS NULL
   AND (p.origin_address = '' OR p.current_address = '' OR p.occupation = '');
COMMENT ON VIEW ledger_quality IS '数据质量台账: 三必清信息缺失的在册人员 / registered persons missing a 三必清 field';

-- The registry (信息台账), one row per registered person, in the columns and the order
-- offices use (序号 is the row's place in the export). Persons who left or moved out,
-- and anonymised ones, are not on it; they stay in the statistics.
CREATE VIEW ledger_registry WITH (security_invoker = true) AS
SELECT p.name,
       CASE p.sex WHEN 1 THEN '男' WHEN 2 THEN '女' END AS sex,
       e.name_zh AS ethnicity,
       p.birth_date,
       p.id_number_masked,
       concat(d3.name, d2.name, d1.name) AS origin_place,
       p.origin_address,
       p.current_address,
       p.occupation,
       p.employer,
       p.phone_masked,
       p.arrival_date,
       CASE p.residence_permit WHEN 'none' THEN '未办理' WHEN 'applied' THEN '已申请'
                               WHEN 'issued' THEN '已办理' WHEN 'expired' THEN '已过期' END
           AS residence_permit,
       c.name AS community,
       g.name AS grid,
       p.notes,
       p.org_code,
       p.name_pinyin,
       p.city_code,
       p.id AS person_id
  FROM person p
  JOIN org_unit g ON g.code = p.org_code
  LEFT JOIN org_unit c ON c.code = g.parent_code
  JOIN ethnic_group e ON e.code = p.ethnic_code
  LEFT JOIN division d1 ON d1.code = p.origin_division_code
  LEFT JOIN division d2 ON d2.code = d1.parent_code
  LEFT JOIN division d3 ON d3.code = d2.parent_code
 WHERE p.status = 'registered'
   AND p.anonymised_at IS NULL;
COMMENT ON VIEW ledger_registry IS '信息台账: 在册人员 / registry of registered persons';

-- Visits (走访台账), one row per visit that went to review. Approved visits count;
-- submitted and returned ones are pending: the same view, with `pending` true, listed
-- apart after the counted ones and left out of every total. Drafts are their author's
-- unfinished work and are not on the ledger.
CREATE VIEW ledger_visits WITH (security_invoker = true) AS
SELECT v.visited_on,
       CASE v.kind WHEN 'home_visit' THEN '入户走访' WHEN 'phone_call' THEN '电话联系'
                   WHEN 'face_to_face' THEN '当面谈话' WHEN 'festival' THEN '节庆座谈' END
           AS kind,
       (SELECT string_agg(p.name, '、' ORDER BY p.name_pinyin, p.id)
          FROM visit_person vp
          JOIN person p ON p.city_code = vp.city_code AND p.id = vp.person_id
         WHERE vp.city_code = v.city_code AND vp.visit_id = v.id) AS visited_persons,
       v.place,
       v.notes AS visit_notes,
       (SELECT string_agg(CASE a.category
                              WHEN 'employment' THEN '就业困难' WHEN 'paperwork' THEN '办证办照'
                              WHEN 'livelihood' THEN '生活困难' WHEN 'schooling' THEN '子女入学'
                              WHEN 'housing' THEN '住房' WHEN 'medical' THEN '就医'
                              WHEN 'legal_aid' THEN '法律援助' WHEN 'relief' THEN '急难救助'
                              WHEN 'halal_food' THEN '清真饮食'
                              WHEN 'business_licence' THEN '经营执照' ELSE '其他' END,
                          '、' ORDER BY a.created_at, a.id)
          FROM assistance_request a
         WHERE a.city_code = v.city_code AND a.visit_id = v.id) AS needs,
       coalesce(nullif(u.display_name, ''), u.name, v.created_by) AS visitor,
       CASE v.status WHEN 'approved' THEN '已审核' WHEN 'submitted' THEN '待审核'
                     WHEN 'returned' THEN '已退回' END AS review_status,
       (v.reviewed_at AT TIME ZONE 'Asia/Shanghai')::date AS reviewed_on,
       c.name AS community,
       g.name AS grid,
       v.status <> 'approved' AS pending,
       date_trunc('month', v.visited_on)::date AS month,
       v.org_code,
       v.city_code,
       v.id
  FROM visit v
  JOIN org_unit g ON g.code = v.org_code
  LEFT JOIN org_unit c ON c.code = g.parent_code
  LEFT JOIN app_user u ON u.pg_role = v.created_by
 WHERE v.status <> 'draft';
COMMENT ON VIEW ledger_visits IS '走访台账: 已审核的计入, 待审核的另列 / visits: approved ones count, pending ones listed apart';

-- Statistics of the registered persons now, per grid ---------------------------------------
-- Counted from person_tally (V017), which triggers keep current with every write to
-- person: counting the registry itself took seconds for a city of a million.

CREATE VIEW stats_ethnicity WITH (security_invoker = true) AS
SELECT t.city_code, t.org_code, t.ethnic_code, e.name_zh AS ethnicity,
       sum(t.persons)::bigint AS persons,
       coalesce(sum(t.persons) FILTER (WHERE t.sex = 1), 0)::bigint AS male,
       coalesce(sum(t.persons) FILTER (WHERE t.sex = 2), 0)::bigint AS female
  FROM person_tally t
  JOIN ethnic_group e ON e.code = t.ethnic_code
 GROUP BY t.city_code, t.org_code, t.ethnic_code, e.name_zh
HAVING sum(t.persons) <> 0;
COMMENT ON VIEW stats_ethnicity IS '按民族统计在册人员(每网格) / registered persons by ethnic group, per grid';

-- The province of origin: the first two digits of the GB/T 2260 division; a person with
-- no place of origin recorded counts under province_code NULL, '未填写'.
CREATE VIEW stats_origin WITH (security_invoker = true) AS
SELECT t.city_code, t.org_code, nullif(t.province_code, '')::char(6) AS province_code,
       coalesce(d.name, '未填写') AS province,
       sum(t.persons)::bigint AS persons,
       coalesce(sum(t.persons) FILTER (WHERE t.sex = 1), 0)::bigint AS male,
       coalesce(sum(t.persons) FILTER (WHERE t.sex = 2), 0)::bigint AS female
  FROM person_tally t
  LEFT JOIN division d ON d.code = nullif(t.province_code, '')
 GROUP BY t.city_code, t.org_code, t.province_code, d.name
HAVING sum(t.persons) <> 0;
COMMENT ON VIEW stats_origin IS '按来源省份统计在册人员(每网格) / registered persons by province of origin, per grid';

-- Occupation is free text: counted as written, without surrounding spaces (its first
-- 100 characters); a missing one (a 三必清 defect) counts as '未填写'.
CREATE VIEW stats_occupation WITH (security_invoker = true) AS
SELECT t.city_code, t.org_code, coalesce(nullif(t.occupation, ''), '未填写') AS occupation,
       sum(t.persons)::bigint AS persons,
       coalesce(sum(t.persons) FILTER (WHERE t.sex = 1), 0)::bigint AS male,
       coalesce(sum(t.persons) FILTER (WHERE t.sex = 2), 0)::bigint AS female
  FROM person_tally t
 GROUP BY t.city_code, t.org_code, t.occupation
HAVING sum(t.persons) <> 0;
COMMENT ON VIEW stats_occupation IS '按职业统计在册人员(每网格) / registered persons by occupation, per grid';

-- Arrivals, departures and moves ----------------------------------------------------------
-- What the registry holds of a person's time in the city is their record (arrival date,
-- status, the date of its last change) and their hand-overs (person_move). From them
-- each person has one stay, and each stay gives these events, one row each (kept in
-- person_event by triggers, V017's ledger_events_of):
--
--   arrived    the stay starts on the arrival date (a person with none recorded: on the
--              day their record was made, in the office's zone), in the grid they were
--              in on that day;
--   returned   instead of arrived, for a person who left and came back: registered with
--              a status change that is not one of their hand-overs. The record keeps
--              only the last status change, so the earlier stay and the day they left
--              are not known: the stay starts on the day they returned, and the months
--              between their first arrival and their return are not counted;
--   moved_out  a hand-over during the stay, in the grid handing over (other_org: the
--   moved_in   receiving grid), and in the grid receiving (other_org: the one handing
--              over). Hand-overs before the stay started (or after it ended) do not
--              count; one on the day the stay starts is part of the arrival;
--   left       the stay ends: status left_city (离市) or moved_out (已迁出), on the day of
--              that status change (with no date recorded: the day the record last
--              changed; never before the stay started), in the grid they were in then.
--
-- The grid a person was in on day d is the grid handing over in their first hand-over
-- after d, or, with none after d, their grid now. A person counts as registered at a
-- month's end when their stay started on or before its last day and did not end by then
-- (who leaves on the last day of a month is not registered at its end). So for every
-- grid, month by month: registered = last month's + arrived + returned + moved_in -
-- moved_out - left, which `change` (+1 or -1) sums.
--
-- Each event is in the grid it happened in, and its readers are those of that grid: a
-- grid's history stays whole when a person is handed over out of the reader's scope.
-- Anonymised persons keep their dates and count like everyone else, so statistics do
-- not change.
CREATE VIEW stats_movement WITH (security_invoker = true) AS
SELECT e.city_code, e.org_code, e.person_id, e.event, e.happened_on, e.month, e.other_org,
       e.change
  FROM person_event e;
COMMENT ON VIEW stats_movement IS '人员流动事件: 到达/返回/移入/移出/离开 / arrivals, returns, hand-overs in and out, departures';

-- Per grid and month, from the first month with an event to the current one (or the
-- last with an event, if later): the events of stats_movement counted, and the persons
-- registered at the month's end. Every hand-over crosses a grid's boundary, so here
-- each one counts; for a street or district see the header.
CREATE VIEW stats_monthly WITH (security_invoker = true) AS
WITH per_month AS (
    SELECT e.city_code, e.org_code, e.month,
           count(*) FILTER (WHERE e.event = 'arrived') AS arrived,
           count(*) FILTER (WHERE e.event = 'returned') AS returned,
           count(*) FILTER (WHERE e.event = 'moved_in') AS moved_in,
           count(*) FILTER (WHERE e.event = 'moved_out') AS moved_out,
           count(*) FILTER (WHERE e.event = 'left') AS left_city,
           sum(e.change) AS net
      FROM stats_movement e
     GROUP BY e.city_code, e.org_code, e.month
), span AS (
    SELECT p.city_code, p.org_code, min(p.month) AS first_month, max(p.month) AS last_month
      FROM per_month p
     GROUP BY p.city_code, p.org_code
)
SELECT s.city_code, s.org_code, g.name AS unit, m.month::date AS month,
       coalesce(p.arrived, 0) AS arrived,
       coalesce(p.returned, 0) AS returned,
       coalesce(p.moved_in, 0) AS moved_in,
       coalesce(p.moved_out, 0) AS moved_out,
       coalesce(p.left_city, 0) AS left_city,
       sum(coalesce(p.net, 0)) OVER (PARTITION BY s.city_code, s.org_code ORDER BY m.month)
           AS registered
  FROM span s
  JOIN org_unit g ON g.code = s.org_code
 CROSS JOIN LATERAL generate_series(
        s.first_month,
        greatest(s.last_month,
                 date_trunc('month', (now() AT TIME ZONE 'Asia/Shanghai'))::date),
        interval '1 month') AS m(month)
  LEFT JOIN per_month p ON p.city_code = s.city_code AND p.org_code = s.org_code
                       AND p.month = m.month::date;
COMMENT ON VIEW stats_monthly IS '每月到达、离开与月末在册人数(每网格) / arrivals, departures and registered at month end, per grid and month';

GRANT SELECT ON ledger_quality, ledger_registry, ledger_visits, stats_ethnicity, stats_origin,
    stats_occupation, stats_movement, stats_monthly TO tongxin_app;

-- The head of a city's audit chain (CHAIN:SEQ:HASH, as `tongxin audit verify` prints it),
-- for the footer of a ledger export: paper that proves the trail up to that link. The
-- chain's tables are the owner's alone; an app user asks only for their own city's head.
CREATE OR REPLACE FUNCTION tx_chain_head(p_city text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.chain || ':' || s.seq || ':' || encode(s.hash, 'hex')
      FROM audit_seal s
     WHERE s.chain = p_city
       AND (left(tx_user_scope(audit_actor()), 4) = p_city
            OR coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r
                          WHERE r.rolname = audit_actor()), false))
     ORDER BY s.seq DESC
     LIMIT 1
$$;
REVOKE ALL ON FUNCTION tx_chain_head(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_chain_head(text) TO tongxin_app;
