-- Ledgers (台账) and statistics: views that offices print and export. Repeatable:
-- re-applied when this file changes. Every view is security_invoker, so row-level
-- security applies to whoever reads it, in the app and in psql alike, and every view
-- carries org_code, the unit each row belongs to, always one inside the reader's scope.
--
-- Column names are English; the headers (Chinese, and English for the English screen)
-- are db/ledgers/columns.py's, shared by the screen and the exports. Values read as the
-- paper ledgers write them (男, 入户走访, 已审核). Identifiers appear only masked.
--
-- Statistics of registered persons are per grid (the org_code of the persons counted); a
-- reader adds the grids of a street or district up (db/ledgers does). stats_monthly has
-- a row for every unit, grid to city, and month, from V022's counts: a hand-over between
-- two grids of the same street is a move out of one and into the other, but no move at
-- all for the street, so a unit's moves count only where they cross its boundary.

-- Drop first: CREATE OR REPLACE cannot rename or reorder the columns of a view.
DROP VIEW IF EXISTS report_disputes_monthly, ledger_sweeps, ledger_disputes, ledger_assistance,
    stats_overdue, ledger_meetings, ledger_contacts;
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

-- Per unit (grid, community, street, district, city) and month, from the first month with
-- an event to the current one (or the last with an event, if later): the events counted
-- (V022's person_month_count: each in the month it counts in, which for a signed-off
-- month is the first open one after it), and the persons registered at the month's end.
CREATE VIEW stats_monthly WITH (security_invoker = true) AS
WITH per_month AS (
    SELECT c.city_code, c.org_code, c.month,
           coalesce(sum(c.events) FILTER (WHERE c.event = 'arrived'), 0) AS arrived,
           coalesce(sum(c.events) FILTER (WHERE c.event = 'returned'), 0) AS returned,
           coalesce(sum(c.events) FILTER (WHERE c.event = 'moved_in'), 0) AS moved_in,
           coalesce(sum(c.events) FILTER (WHERE c.event = 'moved_out'), 0) AS moved_out,
           coalesce(sum(c.events) FILTER (WHERE c.event = 'left'), 0) AS left_city,
           sum(c.events * ledger_event_change(c.event)) AS net
      FROM person_month_count c
     GROUP BY c.city_code, c.org_code, c.month
), span AS (
    SELECT p.city_code, p.org_code, min(p.month) AS first_month, max(p.month) AS last_month
      FROM per_month p
     GROUP BY p.city_code, p.org_code
)
SELECT s.city_code, s.org_code, g.name AS unit, m.month::date AS month,
       coalesce(p.arrived, 0)::bigint AS arrived,
       coalesce(p.returned, 0)::bigint AS returned,
       coalesce(p.moved_in, 0)::bigint AS moved_in,
       coalesce(p.moved_out, 0)::bigint AS moved_out,
       coalesce(p.left_city, 0)::bigint AS left_city,
       (sum(coalesce(p.net, 0)) OVER (PARTITION BY s.city_code, s.org_code ORDER BY m.month))::bigint
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
COMMENT ON VIEW stats_monthly IS '每月到达、离开与月末在册人数(每单元, 签字月份冻结) / arrivals, departures and registered at month end, per unit and month; a signed-off month no longer changes';

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

-- Casework ledgers ===========================================================================
-- Sweeps and cases (V012), needs followed up (V013), meetings (V014), representatives'
-- talks (V015). Each row carries the org code of its record; the casework's own
-- definitions (sweep_month_status, dispute_month_cases, referral_followup,
-- representative_rhythm) are read, never worked out again here. "Today", for what is
-- late, missing, due or overdue, is the office's (tx_office_today).

-- The words the paper ledgers use for the casework's codes.
CREATE OR REPLACE FUNCTION ledger_dispute_kind(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_kind
        WHEN 'marriage_family' THEN '婚姻家庭' WHEN 'neighbours' THEN '邻里纠纷'
        WHEN 'housing_land' THEN '房屋宅基地' WHEN 'contract' THEN '合同纠纷'
        WHEN 'business' THEN '生产经营' WHEN 'damages' THEN '损害赔偿'
        WHEN 'labour' THEN '劳动争议' WHEN 'consumer' THEN '消费纠纷'
        WHEN 'medical' THEN '医疗纠纷' WHEN 'traffic' THEN '道路交通'
        WHEN 'property_management' THEN '物业纠纷' WHEN 'land_requisition' THEN '征地拆迁'
        WHEN 'ethnic_religious' THEN '涉民族宗教' ELSE '其他' END
$$;

CREATE OR REPLACE FUNCTION ledger_review_status(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_status WHEN 'approved' THEN '已审核' WHEN 'submitted' THEN '待审核'
                         WHEN 'returned' THEN '已退回' WHEN 'draft' THEN '未提交' END
$$;

CREATE OR REPLACE FUNCTION ledger_need_category(p_category text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_category
        WHEN 'employment' THEN '就业困难' WHEN 'paperwork' THEN '办证办照'
        WHEN 'livelihood' THEN '生活困难' WHEN 'schooling' THEN '子女入学'
        WHEN 'housing' THEN '住房' WHEN 'medical' THEN '就医'
        WHEN 'legal_aid' THEN '法律援助' WHEN 'relief' THEN '急难救助'
        WHEN 'halal_food' THEN '清真饮食' WHEN 'business_licence' THEN '经营执照'
        ELSE '其他' END
$$;

CREATE OR REPLACE FUNCTION ledger_rhythm_state(p_state text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_state WHEN 'done' THEN '已谈' WHEN 'due' THEN '待谈' WHEN 'overdue' THEN '逾期'
                        WHEN 'upcoming' THEN '未到期' END
$$;

-- Where a city's sweeps ledger starts: the first month of any of its sweeps or cases, or
-- the current month. Read as the owner, so that every reader's ledger covers the same
-- months whatever part of the city they see; it tells a month and nothing else.
CREATE OR REPLACE FUNCTION ledger_first_dispute_month(p_city char(4)) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT least((SELECT min(s.month) FROM dispute_sweep s WHERE s.city_code = p_city),
                 (SELECT date_trunc('month', min(c.opened_on))::date FROM dispute_case c
                   WHERE c.city_code = p_city),
                 date_trunc('month', tx_office_today())::date)
$$;
REVOKE ALL ON FUNCTION ledger_first_dispute_month(char) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ledger_first_dispute_month(char) TO tongxin_app;

-- Sweeps (矛盾纠纷排查报送台账): every filing unit (community, or grid where the city files
-- by grid) of the reader's scope, for every month from the city's first to the current
-- one, and how its sweep stands (sweep_month_status): filed on time (按时上报), filed
-- late (逾期上报), missing past the due day (未上报), or still due (未到期); a filed sweep
-- says whether it was a nil return (零报告). Filed means first submitted: a returned
-- sweep stays filed, a draft is not. Every unit-month is one row, whatever its review;
-- review_status says where the review is. found: the cases the month's sweep counts as
-- found (dispute_month_cases).
CREATE VIEW ledger_sweeps WITH (security_invoker = true) AS
SELECT m.month::date AS month,
       st.name AS street,
       s.unit_name AS community,
       s.due_on AS filing_due_on,
       CASE s.state WHEN 'filed' THEN '按时上报' WHEN 'late' THEN '逾期上报'
                    WHEN 'missing' THEN '未上报' ELSE '未到期' END AS sweep_state,
       CASE WHEN s.filed_at IS NULL THEN NULL WHEN s.nil_return THEN '零报告'
            ELSE '有新发现' END AS return_kind,
       (s.filed_at AT TIME ZONE 'Asia/Shanghai')::date AS filed_on,
       ledger_review_status(sw.status) AS review_status,
       (sw.reviewed_at AT TIME ZONE 'Asia/Shanghai')::date AS reviewed_on,
       f.found,
       s.state,
       sw.status AS sweep_status,
       s.org_code COLLATE "C" AS org_code,
       s.city_code,
       s.sweep_id AS id
  FROM (SELECT u.code::char(4) AS city_code, coalesce(tx_scope(), u.code) AS scope
          FROM org_unit u
         WHERE u.level = 'city' AND (tx_scope() IS NULL OR u.code = left(tx_scope(), 4))) r
 CROSS JOIN LATERAL generate_series(ledger_first_dispute_month(r.city_code),
                                    date_trunc('month', tx_office_today())::date,
                                    interval '1 month') AS m(month)
 CROSS JOIN LATERAL sweep_month_status(r.scope, m.month::date, tx_office_today()) s
  LEFT JOIN dispute_sweep sw ON sw.city_code = s.city_code AND sw.id = s.sweep_id
  LEFT JOIN org_unit st ON st.code = left(s.org_code, 9)
 CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE c.found) AS found
                       FROM dispute_month_cases(s.org_code, m.month::date) c) f;
COMMENT ON VIEW ledger_sweeps IS '矛盾纠纷排查报送台账: 每单元每月按时/逾期/未上报, 零报告 / every filing unit and month: filed, late, missing or due, nil returns';

-- Disputes (矛盾纠纷台账): every case, with its kind, how many parties, its status and
-- outcome, the responsible department. A case is worked on as a draft until it is
-- concluded; its conclusion is what a supervisor approves (V012). So a case still open
-- or in mediation is on the ledger as it stands, and so is one whose conclusion was
-- approved; a concluded case whose conclusion is not approved yet (not submitted,
-- submitted or returned) is pending: listed apart, its outcome not yet counted.
-- month: the month it was taken in (opened_on).
CREATE VIEW ledger_disputes WITH (security_invoker = true) AS
SELECT c.opened_on,
       ledger_dispute_kind(c.kind) AS case_kind,
       c.summary AS case_summary,
       (SELECT count(*) FROM dispute_party p
         WHERE p.city_code = c.city_code AND p.case_id = c.id) AS parties,
       CASE c.stage WHEN 'open' THEN '待调处' WHEN 'mediating' THEN '调处中'
                    WHEN 'resolved' THEN '调解成功' WHEN 'referred' THEN '已移交'
                    WHEN 'closed' THEN '已终结' END AS case_stage,
       c.mediated_on,
       c.closed_on,
       CASE c.outcome WHEN 'agreement' THEN '达成协议' WHEN 'no_agreement' THEN '未达成协议' END
           AS case_outcome,
       d.name_zh AS department,
       c.responsible_person,
       c.escalated_on,
       CASE WHEN c.closed_on IS NULL THEN '办理中' ELSE ledger_review_status(c.status) END
           AS review_status,
       CASE WHEN u.level = 'grid' THEN pu.name ELSE u.name END AS community,
       CASE WHEN u.level = 'grid' THEN u.name END AS grid,
       c.closed_on IS NOT NULL AND c.status <> 'approved' AS pending,
       date_trunc('month', c.opened_on)::date AS month,
       c.kind,
       c.stage,
       c.org_code,
       c.city_code,
       c.id
  FROM dispute_case c
  JOIN org_unit u ON u.code = c.org_code
  LEFT JOIN org_unit pu ON pu.code = u.parent_code
  LEFT JOIN department d ON d.code = c.department_code;
COMMENT ON VIEW ledger_disputes IS '矛盾纠纷台账: 已审核办结的和办理中的计入, 办结待审核的另列 / dispute cases: open ones and approved conclusions count, conclusions not yet approved listed apart';

-- Needs followed up (诉求转办台账): every need on record (referral_followup: past its
-- visit's draft), with its referral, department, due date and whether it is overdue
-- today (referral_overdue). A need found on a visit that is not approved yet (submitted
-- or returned) is pending: listed apart and left out of the counts. A need is closed
-- (resolved, unable to help) only when its close is approved (V013), so the status shown
-- is always a reviewed one. month: the month it was raised.
CREATE VIEW ledger_assistance WITH (security_invoker = true) AS
SELECT f.raised_on,
       f.person_name,
       ledger_need_category(f.category) AS need_category,
       f.description AS need_description,
       CASE f.channel WHEN 'visit' THEN '走访发现' WHEN 'walk_in' THEN '来访'
                      WHEN 'hotline' THEN '服务专线' WHEN 'online' THEN '网络' END AS channel,
       coalesce(f.department_name, '未转办') AS department,
       f.referred_on,
       f.due_on,
       f.acknowledged_on,
       CASE f.status WHEN 'open' THEN '待转办' WHEN 'referred' THEN '已转办'
                     WHEN 'resolved' THEN '已解决' WHEN 'closed' THEN '无法解决' END AS need_status,
       CASE WHEN f.overdue THEN '逾期' END AS overdue_mark,
       f.days_overdue,
       f.overdue,
       f.last_note,
       f.resolved_on,
       nullif(f.outcome, '') AS need_outcome,
       CASE WHEN g.level = 'grid' THEN c.name ELSE g.name END AS community,
       CASE WHEN g.level = 'grid' THEN g.name END AS grid,
       coalesce(v.status <> 'approved', false) AS pending,
       date_trunc('month', f.raised_on)::date AS month,
       f.status,
       f.department_code,
       f.org_code,
       f.city_code,
       f.id,
       f.person_id
  FROM referral_followup f
  JOIN org_unit g ON g.code = f.org_code
  LEFT JOIN org_unit c ON c.code = g.parent_code
  LEFT JOIN visit v ON v.city_code = f.city_code AND v.id = f.visit_id;
COMMENT ON VIEW ledger_assistance IS '诉求转办台账: 含责任部门、办理期限、是否逾期; 走访未审核的另列 / needs followed up, with department, due date and overdue; those of visits not yet approved listed apart';

-- The needs still to be met, per grid and responsible department (逾期诉求统计): open
-- (not yet referred: 未转办) or referred, how many are overdue today and how many fall
-- due within seven days; needs of visits not yet approved are not counted.
CREATE VIEW stats_overdue WITH (security_invoker = true) AS
SELECT a.city_code, a.org_code, coalesce(a.department_code, '') AS department_code,
       coalesce(d.name_zh, '未转办') AS department,
       count(*) AS open_needs,
       count(*) FILTER (WHERE referral_overdue(a.status, a.due_on, tx_office_today()))
           AS overdue_needs,
       count(*) FILTER (WHERE referral_due_soon(a.status, a.due_on, tx_office_today()))
           AS due_soon_needs
  FROM assistance_request a
  LEFT JOIN department d ON d.code = a.department_code
  LEFT JOIN visit v ON v.city_code = a.city_code AND v.id = a.visit_id
 WHERE a.status IN ('open', 'referred') AND coalesce(v.status = 'approved', true)
 GROUP BY a.city_code, a.org_code, a.department_code, d.name_zh;
COMMENT ON VIEW stats_overdue IS '未办结诉求及逾期数(每网格每部门) / needs still open, overdue and due soon, per grid and department';

-- Meetings (会议台账): minutes that went to review, with who was present, the action
-- items agreed and those still open (with their department and due day); approved
-- minutes count, submitted and returned ones are listed apart. Drafts are not on it.
-- month: the month it was held.
CREATE VIEW ledger_meetings WITH (security_invoker = true) AS
SELECT m.held_on,
       CASE m.kind WHEN 'member_joint' THEN '成员单位联席会议'
                   WHEN 'origin_destination' THEN '输出地输入地联席会议'
                   WHEN 'representatives' THEN '民族代表人士座谈会'
                   WHEN 'eid_symposium' THEN '古尔邦节座谈会' WHEN 'working' THEN '工作例会' END
           AS meeting_kind,
       u.name AS unit,
       m.place,
       m.chair,
       (SELECT count(*) FROM meeting_attendee a
         WHERE a.city_code = m.city_code AND a.meeting_id = m.id AND a.attendance = 'present')
           AS present,
       (SELECT count(*) FROM action_item i
         WHERE i.city_code = m.city_code AND i.meeting_id = m.id) AS action_items,
       (SELECT count(*) FROM action_item i
         WHERE i.city_code = m.city_code AND i.meeting_id = m.id AND i.status = 'open')
           AS open_items,
       (SELECT string_agg(i.text || '（' || d.name_zh
                          || coalesce('，' || to_char(i.due_on, 'YYYY-MM-DD') || '前', '')
                          || '）', '；' ORDER BY i.seq, i.id)
          FROM action_item i JOIN department d ON d.code = i.department_code
         WHERE i.city_code = m.city_code AND i.meeting_id = m.id AND i.status = 'open')
           AS open_item_list,
       ledger_review_status(m.status) AS review_status,
       m.status <> 'approved' AS pending,
       date_trunc('month', m.held_on)::date AS month,
       m.kind,
       m.org_code,
       m.city_code,
       m.id
  FROM meeting m
  JOIN org_unit u ON u.code = m.org_code
 WHERE m.status <> 'draft';
COMMENT ON VIEW ledger_meetings IS '会议台账: 含未办结的议定事项; 已审核的计入, 待审核的另列 / meetings with their open action items; approved minutes count, pending ones listed apart';

-- Contacts with representatives (三必谈台账): each representative in office today and
-- where their weekly phone talk, monthly face-to-face talk and the Eid symposium stand
-- (representative_rhythm, V015: a talk counts once on record).
CREATE VIEW ledger_contacts WITH (security_invoker = true) AS
SELECT r.name,
       CASE r.standing WHEN 'ethnic' THEN '少数民族代表人士' WHEN 'religious' THEN '宗教界代表人士'
                       WHEN 'clergy' THEN '教职人员' WHEN 'informant' THEN '民族宗教信息员'
                       ELSE '其他' END AS standing,
       r.appointed_on,
       u.name AS unit,
       r.last_phone,
       ledger_rhythm_state(r.phone_state) AS phone_state,
       r.last_face,
       ledger_rhythm_state(r.face_state) AS face_state,
       r.last_eid,
       ledger_rhythm_state(r.eid_state) AS eid_state,
       ledger_rhythm_state(r.state) AS rhythm_state,
       r.state,
       r.org_code COLLATE "C" AS org_code,
       r.city_code,
       r.id,
       r.person_id
  FROM representative_rhythm(tx_office_today()) r
  JOIN org_unit u ON u.code = r.org_code;
COMMENT ON VIEW ledger_contacts IS '三必谈台账: 在任代表人士的每周电话、每月面谈、古尔邦节座谈 / the 三必谈 of each representative in office';

-- The monthly dispute report (矛盾纠纷排查调处情况月报表), one row per filing unit and
-- month (those of ledger_sweeps), counted as V012's dispute_month_cases defines it:
-- found (排查数), mediated (调处数) and resolved (成功数) in the month; found by kind
-- (people's mediation's categories); and the year to date: the distinct cases found,
-- mediated or resolved in the months of the year through this one. Rates are over the
-- cases found (调处率 = mediated / found, 成功率 = resolved / found) and are worked out
-- when units are added up (db/ledgers), never averaged.
-- A unit's month counts once its sweep is approved (counted); otherwise (not filed,
-- a draft, submitted or returned) its row is pending and shown apart. The year to date
-- of a row adds the months of the year before it whose sweeps are approved, and its
-- own month.
CREATE VIEW report_disputes_monthly WITH (security_invoker = true) AS
SELECT s.city_code, s.org_code, s.community AS unit, s.month, s.sweep_state,
       coalesce(s.sweep_status = 'approved', false) AS counted,
       f.found, f.mediated, f.resolved,
       y.found_ytd, y.mediated_ytd, y.resolved_ytd,
       f.found_marriage_family, f.found_neighbours, f.found_housing_land, f.found_contract,
       f.found_business, f.found_damages, f.found_labour, f.found_consumer, f.found_medical,
       f.found_traffic, f.found_property_management, f.found_land_requisition,
       f.found_ethnic_religious, f.found_other,
       s.id
  FROM ledger_sweeps s
 CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE c.found) AS found,
              count(*) FILTER (WHERE c.mediated) AS mediated,
              count(*) FILTER (WHERE c.resolved) AS resolved,
              count(*) FILTER (WHERE c.found AND c.kind = 'marriage_family') AS found_marriage_family,
              count(*) FILTER (WHERE c.found AND c.kind = 'neighbours') AS found_neighbours,
              count(*) FILTER (WHERE c.found AND c.kind = 'housing_land') AS found_housing_land,
              count(*) FILTER (WHERE c.found AND c.kind = 'contract') AS found_contract,
              count(*) FILTER (WHERE c.found AND c.kind = 'business') AS found_business,
              count(*) FILTER (WHERE c.found AND c.kind = 'damages') AS found_damages,
              count(*) FILTER (WHERE c.found AND c.kind = 'labour') AS found_labour,
              count(*) FILTER (WHERE c.found AND c.kind = 'consumer') AS found_consumer,
              count(*) FILTER (WHERE c.found AND c.kind = 'medical') AS found_medical,
              count(*) FILTER (WHERE c.found AND c.kind = 'traffic') AS found_traffic,
              count(*) FILTER (WHERE c.found AND c.kind = 'property_management')
                  AS found_property_management,
              count(*) FILTER (WHERE c.found AND c.kind = 'land_requisition')
                  AS found_land_requisition,
              count(*) FILTER (WHERE c.found AND c.kind = 'ethnic_religious')
                  AS found_ethnic_religious,
              count(*) FILTER (WHERE c.found AND c.kind = 'other') AS found_other
         FROM dispute_month_cases(s.org_code, s.month) c) f
 CROSS JOIN LATERAL (
       SELECT count(DISTINCT c.case_id) FILTER (WHERE c.found) AS found_ytd,
              count(DISTINCT c.case_id) FILTER (WHERE c.mediated) AS mediated_ytd,
              count(DISTINCT c.case_id) FILTER (WHERE c.resolved) AS resolved_ytd
         FROM generate_series(date_trunc('year', s.month), s.month, interval '1 month')
              AS ym(month)
         LEFT JOIN dispute_sweep ys ON ys.city_code = s.city_code AND ys.org_code = s.org_code
                                   AND ys.month = ym.month::date
        CROSS JOIN LATERAL dispute_month_cases(s.org_code, ym.month::date) c
        WHERE ym.month::date = s.month OR ys.status = 'approved') y;
COMMENT ON VIEW report_disputes_monthly IS '矛盾纠纷排查调处情况月报(每单元每月): 排查数、调处数、成功数, 分类, 年度累计 / the monthly dispute report per filing unit and month: found, mediated, resolved, by kind, year to date';

GRANT SELECT ON ledger_sweeps, ledger_disputes, ledger_assistance, stats_overdue,
    ledger_meetings, ledger_contacts, report_disputes_monthly TO tongxin_app;
