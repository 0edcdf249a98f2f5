-- V013: referrals (诉求转办跟踪): the needs that visits find, and those raised at the
-- window or on the hotline, followed to an outcome.
--
-- A need (assistance_request) is referred to the responsible department (by default the
-- one its category names, reference data below), with a due date (by default the
-- category's days after it was raised); the department acknowledges it (who there,
-- when); dated progress notes follow it (referral_note); and it is closed with an
-- outcome, resolved or unable to help, with what was done or why not
-- (referral_outcome), which a supervisor reviews.
--
-- The need's status and the outcome's review are two things, in two tables:
--   need     pending → open → referred → resolved | closed   (V010's steps)
--   outcome  draft → submitted → approved | returned → submitted   (the one workflow)
-- The need's status is how far the service got, which the ledgers count; the outcome's
-- status is the review of the close, which the workflow owns (its guard holds the
-- `status` of a submission kind's table). One column cannot be both: "returned" is not
-- a state of a need, and a need whose close is under review is still being followed up
-- (the department may act, notes may be added). So the outcome is its own record, one
-- per need (its id is the need's id), and while it is a draft, submitted or returned the
-- need stays open or referred. Only its approval closes the need: the database then
-- moves the need to resolved (the outcome was resolved) or closed (unable to help) and
-- copies the outcome's text and date onto it, where the ledgers read them. No role
-- moves a need to resolved or closed, or writes its outcome or resolved_on, by hand:
-- a close always has an outcome, and a reviewer saw it. A closed need no longer
-- changes, and no follow-up is added to it.

-- Default department and due days of each category (reference data) ------------------------
-- Loaded by `tongxin seed reference` (seeds/need_categories.py); the forms offer these
-- defaults, and a need saved without a department or a due date gets them here, in SQL.

CREATE TABLE need_category (
    code             text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
    name_zh          text NOT NULL UNIQUE,
    name_en          text NOT NULL,
    department_code  text NOT NULL REFERENCES department (code),
    due_days         smallint NOT NULL CHECK (due_days BETWEEN 1 AND 366),
    must_help        boolean NOT NULL DEFAULT false,
    sort             smallint NOT NULL DEFAULT 0
);
COMMENT ON TABLE need_category IS '诉求类别及默认转办部门和办理期限 / categories of needs, their default department and days';
COMMENT ON COLUMN need_category.code IS '代码 / code';
COMMENT ON COLUMN need_category.name_zh IS '中文名称 / Chinese name';
COMMENT ON COLUMN need_category.name_en IS '英文名称 / English name';
COMMENT ON COLUMN need_category.department_code IS '默认责任部门 / default responsible department';
COMMENT ON COLUMN need_category.due_days IS '默认办理期限(天,自提出之日) / default days to the due date, from the day raised';
COMMENT ON COLUMN need_category.must_help IS '三必帮 / one of the three that must be helped';
COMMENT ON COLUMN need_category.sort IS '排序 / display order';

REVOKE ALL ON need_category FROM PUBLIC, tongxin_app, tongxin_grid_worker, tongxin_supervisor,
    tongxin_admin, tongxin_auditor;
GRANT SELECT ON need_category TO tongxin_app;
CREATE TRIGGER need_category_audit_insert AFTER INSERT ON need_category
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER need_category_audit_update AFTER UPDATE ON need_category
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER need_category_audit_delete AFTER DELETE ON need_category
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
ALTER TABLE need_category ENABLE ALWAYS TRIGGER need_category_audit_insert;
ALTER TABLE need_category ENABLE ALWAYS TRIGGER need_category_audit_update;
ALTER TABLE need_category ENABLE ALWAYS TRIGGER need_category_audit_delete;

-- The office's calendar, and when a need is overdue ----------------------------------------
-- Dates are the city's local dates (db/core/clock.py OFFICE_TZ). A need is overdue on a
-- day when its due date lies before that day and it is not closed; it is due soon when
-- it falls due within the seven days from that day on. Plain date arithmetic: correct
-- across month and year ends and on leap days. The ledgers call these with the day they
-- report on; the screens with today.

-- V015 defines the same function for the representatives; either may run first.
CREATE OR REPLACE FUNCTION tx_office_today() RETURNS date
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date
$$;
GRANT EXECUTE ON FUNCTION tx_office_today() TO tongxin_app;
COMMENT ON FUNCTION tx_office_today() IS '办公所在地今天的日期 / today in the office''s zone';

CREATE FUNCTION referral_overdue(p_status text, p_due date, p_on date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(p_status IN ('open', 'referred') AND p_due < p_on, false)
$$;
COMMENT ON FUNCTION referral_overdue(text, date, date) IS '诉求在某日是否逾期 / whether a need is overdue on a day';

CREATE FUNCTION referral_due_soon(p_status text, p_due date, p_on date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(p_status IN ('open', 'referred') AND p_due >= p_on AND p_due < p_on + 7,
                    false)
$$;
COMMENT ON FUNCTION referral_due_soon(text, date, date) IS '诉求是否在七日内到期 / whether a need falls due within seven days of a day';

-- What the follow-up adds to a need --------------------------------------------------------

ALTER TABLE assistance_request
    ADD COLUMN channel text NOT NULL DEFAULT 'visit'
        CHECK (channel IN ('visit', 'walk_in', 'hotline', 'online')),
    ADD COLUMN referred_on date,
    ADD COLUMN acknowledged_on date,
    ADD COLUMN acknowledged_by text NOT NULL DEFAULT '' CHECK (length(acknowledged_by) <= 100),
    ADD CONSTRAINT assistance_request_channel_of_visit
        CHECK (visit_id IS NULL OR channel = 'visit'),
    ADD CONSTRAINT assistance_request_referred_after_raised
        CHECK (referred_on IS NULL OR referred_on >= raised_on),
    ADD CONSTRAINT assistance_request_acknowledged_after_referred
        CHECK (acknowledged_on IS NULL OR (referred_on IS NOT NULL
                                           AND acknowledged_on >= referred_on)),
    ADD CONSTRAINT assistance_request_acknowledged_whole
        CHECK ((acknowledged_on IS NULL) = (acknowledged_by = ''));
-- Needs referred before this migration carry no date of referral; new ones must.
ALTER TABLE assistance_request ADD CONSTRAINT assistance_request_referred_whole
    CHECK (status <> 'referred' OR (department_code IS NOT NULL AND referred_on IS NOT NULL))
    NOT VALID;
CREATE INDEX assistance_request_due_idx ON assistance_request (org_code, due_on, id)
    WHERE status IN ('open', 'referred');
COMMENT ON COLUMN assistance_request.channel IS '来源: 走访发现/来访/服务专线/网络 / how it came: a visit, a walk-in, the hotline, online';
COMMENT ON COLUMN assistance_request.referred_on IS '转办日期 / day referred to the department';
COMMENT ON COLUMN assistance_request.acknowledged_on IS '部门签收日期 / day the department acknowledged it';
COMMENT ON COLUMN assistance_request.acknowledged_by IS '部门签收人 / who at the department acknowledged it';
COMMENT ON COLUMN assistance_request.outcome IS '办理结果(审核通过的结论) / outcome, from the approved close';
COMMENT ON COLUMN assistance_request.resolved_on IS '办结日期(审核通过的结论) / day closed, from the approved close';

-- Progress notes -----------------------------------------------------------------------------
-- Dated notes on what happened (the department called back, papers handed in). A note is
-- written once; a correction is a later note.

CREATE TABLE referral_note (
    city_code   char(4) NOT NULL,
    id          uuid NOT NULL,
    org_code    text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    need_id     uuid NOT NULL,
    noted_on    date NOT NULL,
    note        text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 1000),
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by  text NOT NULL DEFAULT current_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, need_id) REFERENCES assistance_request (city_code, id)
        ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX referral_note_need_idx ON referral_note (city_code, need_id, noted_on, created_at);
COMMENT ON TABLE referral_note IS '诉求办理进展记录 / dated progress notes on a need';
COMMENT ON COLUMN referral_note.city_code IS '城市代码 / city code';
COMMENT ON COLUMN referral_note.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN referral_note.org_code IS '所属网格(同诉求) / grid (that of the need)';
COMMENT ON COLUMN referral_note.need_id IS '诉求 / the need';
COMMENT ON COLUMN referral_note.noted_on IS '日期 / day';
COMMENT ON COLUMN referral_note.note IS '进展情况 / what happened';
COMMENT ON COLUMN referral_note.version IS '版本号 / row version';
COMMENT ON COLUMN referral_note.created_at IS '创建时间 / created at';
COMMENT ON COLUMN referral_note.created_by IS '创建人 / created by';
COMMENT ON COLUMN referral_note.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN referral_note.updated_by IS '更新人 / updated by';

-- The close and its outcome: a kind of submission ---------------------------------------------
-- One per need, under the need's id, so a retried save stores one. A draft may be
-- incomplete; what goes for review says what became of the need, why, and when.

CREATE TABLE referral_outcome (
    city_code       char(4) NOT NULL,
    id              uuid NOT NULL,
    org_code        text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    result          text CHECK (result IN ('resolved', 'unable')),
    reason          text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    closed_on       date,
    status          text NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
    submitted_at    timestamptz,
    reviewed_at     timestamptz,
    reviewed_by     text,
    review_comment  text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 1000),
    version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL DEFAULT current_user,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, id) REFERENCES assistance_request (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4)),
    CHECK (status <> 'returned' OR length(btrim(review_comment)) > 0),
    CONSTRAINT referral_outcome_whole CHECK (
        status IN ('draft', 'returned')
        OR (result IS NOT NULL AND closed_on IS NOT NULL AND length(btrim(reason)) > 0))
);
CREATE INDEX referral_outcome_review_idx ON referral_outcome (org_code, submitted_at)
    WHERE status = 'submitted';
COMMENT ON TABLE referral_outcome IS '诉求办结结论(需审核) / the close of a need and its outcome, reviewed';
COMMENT ON COLUMN referral_outcome.city_code IS '城市代码 / city code';
COMMENT ON COLUMN referral_outcome.id IS '诉求编号 / the need (its id)';
COMMENT ON COLUMN referral_outcome.org_code IS '所属网格(同诉求) / grid (that of the need)';
COMMENT ON COLUMN referral_outcome.result IS '结论: 已解决/无法帮助 / resolved, or unable to help';
COMMENT ON COLUMN referral_outcome.reason IS '办理情况或无法帮助的原因 / what was done, or why it could not be helped';
COMMENT ON COLUMN referral_outcome.closed_on IS '办结日期 / day closed';
COMMENT ON COLUMN referral_outcome.status IS '状态: 草稿/已提交/已退回/已审核 / draft, submitted, returned, approved';
COMMENT ON COLUMN referral_outcome.submitted_at IS '提交时间 / when submitted';
COMMENT ON COLUMN referral_outcome.reviewed_at IS '审核时间 / when reviewed';
COMMENT ON COLUMN referral_outcome.reviewed_by IS '审核人 / reviewed by';
COMMENT ON COLUMN referral_outcome.review_comment IS '审核意见 / reviewer''s comment';
COMMENT ON COLUMN referral_outcome.version IS '版本号(乐观锁) / row version';
COMMENT ON COLUMN referral_outcome.created_at IS '创建时间 / created at';
COMMENT ON COLUMN referral_outcome.created_by IS '创建人 / created by';
COMMENT ON COLUMN referral_outcome.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN referral_outcome.updated_by IS '更新人 / updated by';

-- The rules of the follow-up, for every app role (operators load history as it was) -------

-- A need: new ones are pending (on a draft visit) or open, or referred at once; the
-- channel says whether a visit found it; it is closed only by its approved outcome; a
-- closed need no longer changes.
CREATE FUNCTION referral_need_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status IN ('resolved', 'closed') THEN
        RAISE EXCEPTION 'assistance_request: it is %; a closed need no longer changes',
            OLD.status USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status IN ('resolved', 'closed') OR NEW.outcome <> '' OR NEW.resolved_on IS NOT NULL
       OR (TG_OP = 'UPDATE' AND (NEW.outcome IS DISTINCT FROM OLD.outcome
                                 OR NEW.resolved_on IS DISTINCT FROM OLD.resolved_on)) THEN
        RAISE EXCEPTION 'assistance_request: a need is closed only by the approval of its '
                        'outcome (referral_outcome)' USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.visit_id IS NULL) = (NEW.channel = 'visit') THEN
        RAISE EXCEPTION 'channel: a need found on a visit has the channel visit; one raised '
                        'without a visit names how it came' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.visit_id IS NULL AND NEW.status = 'pending' THEN
        RAISE EXCEPTION 'assistance_request: a need raised without a visit is open at once'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

-- A note or an outcome: written while its need is open or referred, dated not before the
-- need was raised and not after today. TG_ARGV: the column holding the need's id, the
-- column holding the date.
CREATE FUNCTION referral_followup_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    row_new jsonb := to_jsonb(NEW);
    need record;
    day date := (row_new ->> TG_ARGV[1])::date;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    SELECT a.status, a.raised_on INTO need FROM assistance_request a
     WHERE a.city_code = NEW.city_code AND a.id = (row_new ->> TG_ARGV[0])::uuid;
    IF need.status IS NULL THEN
        RAISE EXCEPTION '%: its need is not found in your scope', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF need.status NOT IN ('open', 'referred') THEN
        RAISE EXCEPTION '%: its need is %; follow-up is written while it is open or referred',
            TG_TABLE_NAME, need.status USING ERRCODE = 'check_violation';
    END IF;
    IF day < need.raised_on THEN
        RAISE EXCEPTION '%: % is before the need was raised (%)', TG_TABLE_NAME, day,
            need.raised_on USING ERRCODE = 'check_violation';
    END IF;
    IF day > tx_office_today() THEN
        RAISE EXCEPTION '%: % is in the future', TG_TABLE_NAME, day
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

-- The approval closes the need. A definer, so that no app role holds the right to close
-- needs itself; the workflow guard has already checked the reviewer.
CREATE FUNCTION referral_outcome_close() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    closed integer;
BEGIN
    IF NEW.status <> 'approved' OR (TG_OP = 'UPDATE' AND OLD.status = 'approved') THEN
        RETURN NULL;
    END IF;
    UPDATE assistance_request
       SET status = CASE NEW.result WHEN 'resolved' THEN 'resolved' ELSE 'closed' END,
           outcome = NEW.reason, resolved_on = NEW.closed_on, version = version + 1
     WHERE city_code = NEW.city_code AND id = NEW.id AND status IN ('open', 'referred');
    GET DIAGNOSTICS closed = ROW_COUNT;
    -- An operator's import may load a need closed already; an app user's approval finds
    -- it open, as the follow-up guard left it.
    IF closed = 0 AND tx_user_kind(audit_actor()) IS NOT NULL THEN
        RAISE EXCEPTION 'referral_outcome: its need is no longer open'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

-- The declarations ---------------------------------------------------------------------------

-- Needs again: the channel is frozen with what the visit found; no supervisor changes a
-- need any more (they review its close); nobody updates its outcome or resolved_on (the
-- approval writes them). A need being followed up (referred, with notes or a close) is no
-- longer removed from its visit.
SELECT tx_protect('assistance_request', p_parent => 'visit', p_parent_column => 'visit_id',
    p_person => 'person_id',
    p_columns => ARRAY['person_id', 'visit_id', 'category', 'description', 'department_code',
                       'status', 'raised_on', 'due_on', 'channel', 'referred_on',
                       'acknowledged_on', 'acknowledged_by', 'version'],
    p_frozen => ARRAY['person_id', 'visit_id', 'category', 'description', 'raised_on',
                      'channel'],
    p_removable => $q$status IN ('pending', 'open') AND referred_on IS NULL
        AND NOT EXISTS (SELECT 1 FROM referral_note n
                         WHERE n.city_code = assistance_request.city_code
                           AND n.need_id = assistance_request.id)
        AND NOT EXISTS (SELECT 1 FROM referral_outcome o
                         WHERE o.city_code = assistance_request.city_code
                           AND o.id = assistance_request.id)$q$,
    p_item => 'id',
    p_steps => '{"pending": ["open"], "open": ["referred", "resolved", "closed"],
                 "referred": ["resolved", "closed"]}');
SELECT tx_trigger('assistance_request', '_referral', 'BEFORE INSERT OR UPDATE', 'FOR EACH ROW',
                  'referral_need_guard()');

SELECT tx_protect('referral_note', p_parent => 'assistance_request', p_parent_column => 'need_id',
                  p_columns => ARRAY[]::text[]);
SELECT tx_trigger('referral_note', '_followup', 'BEFORE INSERT OR UPDATE', 'FOR EACH ROW',
                  'referral_followup_guard(''need_id'', ''noted_on'')');

SELECT tx_protect('referral_outcome', p_parent => 'assistance_request', p_parent_column => 'id',
                  p_columns => ARRAY['result', 'reason', 'closed_on', 'status', 'version']);
SELECT tx_submission('referral_outcome', 'referral_outcome', ARRAY['supervisor', 'admin'],
    p_title_sql => $q$(SELECT p.name FROM assistance_request a JOIN person p
                          ON p.city_code = a.city_code AND p.id = a.person_id
                        WHERE a.city_code = r.city_code AND a.id = r.id)$q$,
    p_detail_sql => 'r.result', p_day_sql => 'r.closed_on');
SELECT tx_trigger('referral_outcome', '_followup', 'BEFORE INSERT OR UPDATE', 'FOR EACH ROW',
                  'referral_followup_guard(''id'', ''closed_on'')');
SELECT tx_trigger('referral_outcome', '_close', 'AFTER INSERT OR UPDATE', 'FOR EACH ROW',
                  'referral_outcome_close()');

-- Drafts of the referral form and of a need raised at the window.
ALTER TABLE form_draft DROP CONSTRAINT form_draft_form_check;
ALTER TABLE form_draft ADD CONSTRAINT form_draft_form_check CHECK (form ~ '^[a-z_]{1,40}$');

-- What the screens and the ledgers read ---------------------------------------------------------
-- One row per need past its visit's draft: where it stands, whether it is overdue today,
-- its last note and its close. Row-level security applies to its reader.

CREATE VIEW referral_followup WITH (security_invoker = true) AS
SELECT a.city_code, a.id, a.org_code, a.person_id, p.name AS person_name,
       g.name AS grid_name, a.category, a.description, a.channel, a.visit_id,
       a.department_code, d.name_zh AS department_name, a.status, a.raised_on,
       a.referred_on, a.due_on, a.acknowledged_on, a.acknowledged_by,
       referral_overdue(a.status, a.due_on, tx_office_today()) AS overdue,
       CASE WHEN referral_overdue(a.status, a.due_on, tx_office_today())
            THEN tx_office_today() - a.due_on END AS days_overdue,
       n.noted_on AS last_noted_on, n.note AS last_note,
       o.status AS outcome_status, o.result AS outcome_result,
       a.outcome, a.resolved_on, a.version
  FROM assistance_request a
  LEFT JOIN person p ON p.city_code = a.city_code AND p.id = a.person_id
  LEFT JOIN org_unit g ON g.code = a.org_code
  LEFT JOIN department d ON d.code = a.department_code
  LEFT JOIN referral_outcome o ON o.city_code = a.city_code AND o.id = a.id
  LEFT JOIN LATERAL (SELECT r.noted_on, r.note FROM referral_note r
                      WHERE r.city_code = a.city_code AND r.need_id = a.id
                      ORDER BY r.noted_on DESC, r.created_at DESC LIMIT 1) n ON true
 WHERE a.status <> 'pending';
COMMENT ON VIEW referral_followup IS '诉求转办跟踪(含逾期) / needs being followed up, overdue ones marked';
GRANT SELECT ON referral_followup TO tongxin_app;
