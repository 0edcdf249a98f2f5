-- V012: the monthly dispute sweep (矛盾纠纷排查) and dispute cases (矛盾纠纷), on the kernel.
--
-- Every community sweeps its disputes once a month and files the result before the
-- deadline day of the following month (the 20th unless the city sets another); a nil
-- return (零报告) counts, silence does not. A sweep re-checks every case still open in
-- its community, each with a status and a dated note, and lists the cases found that
-- month. Both are kinds of the one review workflow (V010):
--
-- * A sweep (kind `sweep`, table dispute_sweep) is what the community reports for the
--   month: it is written as a draft, submitted (filed) and approved or returned by a
--   supervisor. Its re-check notes are its children (dispute_sweep_recheck) and freeze
--   with it. "Filed" is the first submission: filed_at and filed_by are stamped by the
--   database then and never move, so a sweep returned for a fix and submitted again
--   keeps the day it was filed. A nil return is said, never assumed: a sweep is
--   submitted either as a nil return with no new case, or with its new cases.
--
-- * A case (kind `dispute_case`) is worked on for weeks: its status moves open →
--   mediating → resolved | referred | closed, each step a dated note. What is reviewed
--   is its conclusion: while open or mediating it stays a draft of its grid workers;
--   once concluded (with its outcome, agreement reached or not) it is submitted, and
--   the supervisor approves the conclusion (the case and its history then no longer
--   change) or returns it, say because the agreement is not written down. Why the
--   conclusion and not each step: the steps are the mediator's daily work, recorded
--   where and when it happens; a review of every step would freeze the case while
--   mediation goes on, and what the office answers for is how a dispute ended. Major
--   cases are escalated at once (escalated_on, with the reason), which the supervisor
--   sees without a review. The workflow's `status` is the review's; the case's own
--   status is `stage` (formerly `status`).
--
-- The community is the filing unit by default, and a grid worker usually works in
-- one of its grids, which the kernel's scope (an org code prefix) does not cover. So
-- the sweep, its re-checks and the community's cases are kept at the community's
-- code, and tx_share_community() lets the grid workers of its grids read and write
-- those rows: "any grid worker of the community may file". An office may file by
-- grid instead (sweep_setting.filing_unit); sweeps and new cases then carry grid
-- codes, and nothing is shared. The re-check of a case points at the case, which the
-- kernel checks as declared in kernel_table.refs (tx_refer).
--
-- Late and missing are computed, never stored: sweep_month_status(scope, month,
-- today) says for every filing unit of a scope whether the month's sweep was filed,
-- filed late, is missing or still due; the counts the monthly report needs are
-- dispute_month_cases(unit, month) per case and dispute_sweep_count per sweep.

-- Kernel: grid workers of a community share its community-level rows ---------------------------

ALTER TABLE kernel_table
    ADD COLUMN community_shared boolean NOT NULL DEFAULT false,
    ADD COLUMN refs jsonb,
    ADD COLUMN steps_column text;
COMMENT ON COLUMN kernel_table.community_shared IS
    '社区级记录由其网格的网格员共享 / the grid workers of a community''s grids read and write its community-level rows';
COMMENT ON COLUMN kernel_table.refs IS
    '引用的其他受保护记录 {列: 表} / other protected rows a row points at, {column: table}: visible to the writer and within the row''s own unit';
COMMENT ON COLUMN kernel_table.steps_column IS
    '按步骤变化的状态列(空: status) / the column whose steps are declared (NULL: status)';

-- Rows whose org code is the community of the caller's grid. Only grid workers scoped to
-- a grid need it: everyone else's scope covers the community already, or lies elsewhere.
CREATE FUNCTION tx_in_community(scope_column text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT format('length((SELECT tx_scope())) = 14 AND %I = left((SELECT tx_scope()), 12)',
                  scope_column)
$$;

CREATE FUNCTION tx_share_community(p_table text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    d kernel_table;
    t text := format('%I', p_table);
    shared text;
BEGIN
    SELECT * INTO d FROM kernel_table k WHERE k.table_name = p_table;
    IF d.table_name IS NULL THEN
        RAISE EXCEPTION 'tx_share_community: declare % with tx_protect first', p_table;
    END IF;
    shared := tx_in_community(d.scope_column);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %s', p_table || '_community_read', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %s', p_table || '_community_insert', t);
    EXECUTE format('DROP POLICY IF EXISTS %I ON %s', p_table || '_community_update', t);
    EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO tongxin_grid_worker USING (%s)',
                   p_table || '_community_read', t, shared);
    IF 'grid_worker' = ANY (d.writers) THEN
        EXECUTE format('CREATE POLICY %I ON %s FOR INSERT TO tongxin_grid_worker WITH CHECK (%s)',
                       p_table || '_community_insert', t, shared);
        EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO tongxin_grid_worker '
                       'USING (%s) WITH CHECK (%s)', p_table || '_community_update', t, shared,
                       shared);
    END IF;
    UPDATE kernel_table SET community_shared = true WHERE table_name = p_table;
END;
$$;
REVOKE ALL ON FUNCTION tx_share_community(text) FROM PUBLIC;

-- tx_remove_children (V010) checked the parent against the caller's scope alone; a
-- shared parent is also the caller's when it is the community of their grid.
CREATE OR REPLACE FUNCTION tx_remove_children(p_table text, p_city char(4), p_parent uuid,
                                              p_keep uuid[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    kind text := tx_user_kind(actor);
    scope text := tx_user_scope(actor);
    d kernel_table;
    shared boolean;
    parent record;
    removed integer;
BEGIN
    SELECT * INTO d FROM kernel_table k WHERE k.table_name = p_table;
    IF d.item_column IS NULL OR d.parent_table IS NULL THEN
        RAISE EXCEPTION '%: rows of this table are not removed', p_table
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF kind IS NULL OR NOT kind = ANY (d.writers) THEN
        RAISE EXCEPTION '%: you may not remove these rows', p_table
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    shared := (SELECT k.community_shared FROM kernel_table k WHERE k.table_name = d.parent_table);
    parent := tx_parent_of(d.parent_table, p_city, p_parent);
    IF parent.org IS NULL
       OR NOT ((parent.org >= scope AND parent.org < scope || ':')
               OR (shared AND kind = 'grid_worker' AND length(scope) = 14
                   AND parent.org = left(scope, 12))) THEN
        RAISE EXCEPTION '%: its % is not found in your scope', p_table, d.parent_table
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF parent.frozen THEN
        RAISE EXCEPTION '%: its % is submitted or approved; it is no longer changed',
            p_table, d.parent_table USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE format('DELETE FROM %I WHERE city_code = $1 AND %I = $2 '
                   'AND NOT (%I = ANY ($3)) AND (%s)',
                   p_table, d.parent_column, d.item_column, coalesce(d.removable_when, 'true'))
      USING p_city, p_parent, coalesce(p_keep, '{}');
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;

-- Kernel: a reference to another protected row, beside the parent ----------------------------
-- The row it points at must be visible to the writer (looked up as the writer, under
-- row-level security) and lie within the row's own unit: a re-check of a sweep names
-- a case of that sweep's community, never another's.

CREATE FUNCTION tx_ref_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    d kernel_table;
    row_new jsonb := to_jsonb(NEW);
    own text;
    ref record;
    org text;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    PERFORM tx_acting_kind();
    SELECT * INTO d FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME;
    own := row_new ->> d.scope_column;
    FOR ref IN SELECT r.key AS col, r.value #>> '{}' AS tbl,
                      (SELECT k.scope_column FROM kernel_table k
                        WHERE k.table_name = r.value #>> '{}') AS scope_col
                 FROM jsonb_each(d.refs) r LOOP
        CONTINUE WHEN row_new ->> ref.col IS NULL;
        EXECUTE format('SELECT %I FROM %I WHERE city_code = $1 AND id = $2', ref.scope_col,
                       ref.tbl)
           INTO org USING NEW.city_code, (row_new ->> ref.col)::uuid;
        IF org IS NULL THEN
            RAISE EXCEPTION '%: its % is not found in your scope', TG_TABLE_NAME, ref.tbl
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NOT (org >= own AND org < own || ':') THEN
            RAISE EXCEPTION '%: its % lies outside %', TG_TABLE_NAME, ref.tbl, own
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;

CREATE FUNCTION tx_refer(p_table text, p_refs jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
-- p_refs: {"case_id": "dispute_case"}: each column and the declared table it points at.
BEGIN
    IF NOT EXISTS (SELECT 1 FROM kernel_table k WHERE k.table_name = p_table) THEN
        RAISE EXCEPTION 'tx_refer: declare % with tx_protect first', p_table;
    END IF;
    UPDATE kernel_table SET refs = p_refs WHERE table_name = p_table;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', p_table || '_refs', p_table);
    -- Named to fire after the child check (`_child`), which sets the row's org code.
    PERFORM tx_trigger(p_table, '_refs', 'BEFORE INSERT OR UPDATE',
                       'FOR EACH ROW WHEN (coalesce(current_setting(''tongxin.bulk_load'', '
                       'true), '''') <> ''on'' OR current_setting(''is_superuser'') <> ''on'')',
                       'tx_ref_guard()');
END;
$$;
REVOKE ALL ON FUNCTION tx_refer(text, jsonb) FROM PUBLIC;

-- Kernel: the steps of a status column other than `status` ------------------------------------
-- A kind of submission keeps the review's state in `status`; its own status (a case's
-- stage) moves by steps declared here. V010's guard read `status` only.

CREATE OR REPLACE FUNCTION tx_step_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    d kernel_table;
    col text;
    before_step text;
    after_step text;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    SELECT * INTO d FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME;
    col := coalesce(d.steps_column, 'status');
    before_step := to_jsonb(OLD) ->> col;
    after_step := to_jsonb(NEW) ->> col;
    IF after_step IS NOT DISTINCT FROM before_step THEN
        RETURN NEW;
    END IF;
    IF NOT coalesce(d.steps -> before_step ? after_step, false) THEN
        RAISE EXCEPTION '%: it is %; it cannot become %', TG_TABLE_NAME, before_step, after_step
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION tx_steps(p_table text, p_column text, p_steps jsonb) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM kernel_table k WHERE k.table_name = p_table) THEN
        RAISE EXCEPTION 'tx_steps: declare % with tx_protect first', p_table;
    END IF;
    UPDATE kernel_table SET steps = p_steps, steps_column = p_column
     WHERE table_name = p_table;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', p_table || '_steps', p_table);
    PERFORM tx_trigger(p_table, '_steps', format('BEFORE UPDATE OF %I', p_column),
                       'FOR EACH ROW', 'tx_step_guard()');
END;
$$;
REVOKE ALL ON FUNCTION tx_steps(text, text, jsonb) FROM PUBLIC;

-- Per-city settings --------------------------------------------------------------------------
-- A city without a row files by community before the 20th; its admins may set another
-- day (a day past a month's end means that month's last day) or file by grid.

CREATE TABLE sweep_setting (
    city_code     char(4) PRIMARY KEY,
    org_code      text COLLATE "C" NOT NULL UNIQUE REFERENCES org_unit (code),
    deadline_day  smallint NOT NULL DEFAULT 20 CHECK (deadline_day BETWEEN 1 AND 31),
    filing_unit   text NOT NULL DEFAULT 'community' CHECK (filing_unit IN ('community', 'grid')),
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL DEFAULT current_user,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    text NOT NULL DEFAULT current_user,
    CHECK (org_code = city_code::text)
);
COMMENT ON TABLE sweep_setting IS '矛盾纠纷排查的城市设置 / a city''s settings of the monthly dispute sweep';
COMMENT ON COLUMN sweep_setting.city_code IS '城市代码 / city code';
COMMENT ON COLUMN sweep_setting.org_code IS '城市(单元代码) / the city, as an org code';
COMMENT ON COLUMN sweep_setting.deadline_day IS '次月报送截止日 / day of the following month by which a sweep is filed';
COMMENT ON COLUMN sweep_setting.filing_unit IS '报送单元: 社区/网格 / unit that files: community or grid';
COMMENT ON COLUMN sweep_setting.version IS '版本号 / row version';
COMMENT ON COLUMN sweep_setting.created_at IS '创建时间 / created at';
COMMENT ON COLUMN sweep_setting.created_by IS '创建人 / created by';
COMMENT ON COLUMN sweep_setting.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN sweep_setting.updated_by IS '更新人 / updated by';

CREATE FUNCTION sweep_filing_unit(p_city char(4)) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT s.filing_unit FROM sweep_setting s WHERE s.city_code = p_city),
                    'community')
$$;

-- The unit whose sweep covers an org code: its community, or its grid.
CREATE FUNCTION sweep_unit_of(p_org text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT CASE sweep_filing_unit(left(p_org, 4)::char(4))
                WHEN 'grid' THEN left(p_org, 14) ELSE left(p_org, 12) END
$$;

-- The last day to file the sweep of `p_month`: the deadline day of the next month, or
-- that month's last day when it is shorter (30 → 29 February in a leap year).
CREATE FUNCTION sweep_due_on(p_city char(4), p_month date) RETURNS date
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT next_month + least(
               coalesce((SELECT s.deadline_day FROM sweep_setting s WHERE s.city_code = p_city),
                        20),
               extract(day FROM next_month + interval '1 month' - interval '1 day')::integer) - 1
      FROM (SELECT (date_trunc('month', p_month) + interval '1 month')::date AS next_month) m
$$;

-- Disputes: the people's-mediation categories, and the case's own status ------------------------

DROP TRIGGER dispute_case_steps ON dispute_case;
DROP TRIGGER dispute_case_stamp_update ON dispute_case;
ALTER TABLE dispute_case DROP CONSTRAINT dispute_case_kind_check,
                         DROP CONSTRAINT dispute_case_status_check;
UPDATE dispute_case
   SET kind = CASE kind WHEN 'wage_arrears' THEN 'labour' WHEN 'trade' THEN 'business'
                        WHEN 'tenancy' THEN 'contract' WHEN 'family' THEN 'marriage_family'
                        ELSE kind END;
ALTER TABLE dispute_case RENAME COLUMN status TO stage;
ALTER TABLE dispute_case RENAME COLUMN resolved_on TO closed_on;
ALTER TABLE dispute_case RENAME CONSTRAINT dispute_case_check1 TO dispute_case_closed_after_opened;
ALTER TABLE dispute_case
    ADD COLUMN responsible_person text NOT NULL DEFAULT ''
        CHECK (length(responsible_person) <= 60),
    ADD COLUMN mediated_on date,
    ADD COLUMN outcome text CHECK (outcome IN ('agreement', 'no_agreement')),
    ADD COLUMN outcome_note text NOT NULL DEFAULT '' CHECK (length(outcome_note) <= 1000),
    ADD COLUMN escalated_on date,
    ADD COLUMN escalation_note text NOT NULL DEFAULT '' CHECK (length(escalation_note) <= 500),
    ADD COLUMN status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
    ADD COLUMN submitted_at timestamptz,
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN reviewed_by text,
    ADD COLUMN review_comment text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 1000);
-- Cases from before: a concluded one was concluded when last changed.
UPDATE dispute_case
   SET mediated_on = CASE WHEN stage <> 'open'
                          THEN greatest(opened_on, coalesce(closed_on, updated_at::date)) END,
       closed_on = CASE WHEN stage IN ('resolved', 'referred')
                        THEN greatest(opened_on, coalesce(closed_on, updated_at::date)) END,
       outcome = CASE stage WHEN 'resolved' THEN 'agreement'
                            WHEN 'referred' THEN 'no_agreement' END;
ALTER TABLE dispute_case
    ADD CONSTRAINT dispute_case_kind_check CHECK (kind IN (
        'marriage_family', 'neighbours', 'housing_land', 'contract', 'business', 'damages',
        'labour', 'consumer', 'medical', 'traffic', 'property_management', 'land_requisition',
        'ethnic_religious', 'other')),
    ADD CONSTRAINT dispute_case_stage_check
        CHECK (stage IN ('open', 'mediating', 'resolved', 'referred', 'closed')),
    ADD CONSTRAINT dispute_case_mediation_plan_check CHECK (length(mediation_plan) <= 2000),
    -- Taken up (mediation, or another way of handling it) on a day, concluded on a later one.
    ADD CONSTRAINT dispute_case_taken_up
        CHECK ((stage = 'open') = (mediated_on IS NULL)
               AND (mediated_on IS NULL OR mediated_on >= opened_on)),
    ADD CONSTRAINT dispute_case_concluded
        CHECK ((stage IN ('resolved', 'referred', 'closed')) = (closed_on IS NOT NULL)
               AND (closed_on IS NOT NULL) = (outcome IS NOT NULL)
               AND (closed_on IS NULL OR closed_on >= mediated_on)),
    ADD CONSTRAINT dispute_case_resolved_by_agreement
        CHECK (stage <> 'resolved' OR outcome = 'agreement'),
    ADD CONSTRAINT dispute_case_escalation
        CHECK ((escalated_on IS NULL) = (btrim(escalation_note) = '')
               AND (escalated_on IS NULL OR escalated_on >= opened_on)),
    -- What is submitted for review is the conclusion.
    ADD CONSTRAINT dispute_case_submitted_concluded
        CHECK (status IN ('draft', 'returned') OR closed_on IS NOT NULL),
    ADD CONSTRAINT dispute_case_returned_with_comment
        CHECK (status <> 'returned' OR length(btrim(review_comment)) > 0);
CREATE INDEX dispute_case_sweep_idx ON dispute_case (city_code, sweep_id);
CREATE INDEX dispute_case_org_idx ON dispute_case (org_code, opened_on);
CREATE INDEX dispute_case_review_idx ON dispute_case (org_code, submitted_at)
    WHERE status = 'submitted';

COMMENT ON COLUMN dispute_case.org_code IS '所属单元(报送排查的社区或网格) / unit the case belongs to: the community (or grid) whose sweep re-checks it';
COMMENT ON COLUMN dispute_case.kind IS '类别(人民调解分类) / kind, as people''s mediation counts them: marriage_family, neighbours, housing_land, contract, business, damages, labour (incl. wage arrears), consumer, medical, traffic, property_management, land_requisition, ethnic_religious, other';
COMMENT ON COLUMN dispute_case.department_code IS '责任部门 / responsible department';
COMMENT ON COLUMN dispute_case.responsible_person IS '责任人 / responsible person';
COMMENT ON COLUMN dispute_case.stage IS '案件状态: 待调处/调处中/调解成功/已移交/已终结 / the case''s status: open, mediating, resolved, referred, closed';
COMMENT ON COLUMN dispute_case.opened_on IS '受理日期 / day the case was taken in';
COMMENT ON COLUMN dispute_case.mediated_on IS '开始调处日期 / day mediation (or other handling) began';
COMMENT ON COLUMN dispute_case.closed_on IS '办结日期 / day it was concluded';
COMMENT ON COLUMN dispute_case.outcome IS '结果: 达成协议/未达成协议 / outcome: agreement reached or not';
COMMENT ON COLUMN dispute_case.outcome_note IS '办结情况 / how it ended';
COMMENT ON COLUMN dispute_case.escalated_on IS '上报日期 / day it was escalated to the supervisor';
COMMENT ON COLUMN dispute_case.escalation_note IS '上报原因 / why it was escalated';
COMMENT ON COLUMN dispute_case.status IS '审核状态(办结审核): 草稿/已提交/已退回/已审核 / review of its conclusion: draft, submitted, returned, approved';
COMMENT ON COLUMN dispute_case.submitted_at IS '提交时间 / when submitted';
COMMENT ON COLUMN dispute_case.reviewed_at IS '审核时间 / when reviewed';
COMMENT ON COLUMN dispute_case.reviewed_by IS '审核人 / reviewed by';
COMMENT ON COLUMN dispute_case.review_comment IS '审核意见 / reviewer''s comment';

-- The dated history of a case: each step, the status it left the case in, and a note.
CREATE TABLE dispute_case_note (
    city_code   char(4) NOT NULL,
    id          uuid NOT NULL,
    case_id     uuid NOT NULL,
    org_code    text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    noted_on    date NOT NULL,
    stage       text NOT NULL
                CHECK (stage IN ('open', 'mediating', 'resolved', 'referred', 'closed')),
    note        text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by  text NOT NULL DEFAULT current_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, case_id) REFERENCES dispute_case (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX dispute_case_note_case_idx ON dispute_case_note (city_code, case_id, noted_on);
COMMENT ON TABLE dispute_case_note IS '案件进展记录 / the dated history of a case';
COMMENT ON COLUMN dispute_case_note.city_code IS '城市代码 / city code';
COMMENT ON COLUMN dispute_case_note.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN dispute_case_note.case_id IS '案件 / the case';
COMMENT ON COLUMN dispute_case_note.org_code IS '所属单元(同案件) / unit (that of the case)';
COMMENT ON COLUMN dispute_case_note.noted_on IS '日期 / day of the step';
COMMENT ON COLUMN dispute_case_note.stage IS '此后的案件状态 / the case''s status after it';
COMMENT ON COLUMN dispute_case_note.note IS '情况 / what happened';
COMMENT ON COLUMN dispute_case_note.created_at IS '创建时间 / created at';
COMMENT ON COLUMN dispute_case_note.created_by IS '创建人 / created by';
COMMENT ON COLUMN dispute_case_note.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN dispute_case_note.updated_by IS '更新人 / updated by';

-- Parties: a registered person or a named outsider, with their role. The order (seq)
-- may change, so each party has its own client-made id.
ALTER TABLE dispute_party
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN role text NOT NULL DEFAULT 'other'
        CHECK (role IN ('applicant', 'respondent', 'other')),
    ADD COLUMN detail text NOT NULL DEFAULT '' CHECK (length(detail) <= 200);
ALTER TABLE dispute_party DROP CONSTRAINT dispute_party_pkey,
                          ADD PRIMARY KEY (city_code, case_id, id),
                          ADD UNIQUE (city_code, case_id, person_id);
COMMENT ON COLUMN dispute_party.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN dispute_party.role IS '身份: 申请人/被申请人/其他当事人 / role: applicant, respondent, other party';
COMMENT ON COLUMN dispute_party.detail IS '说明(外来当事人的单位、关系等) / who they are (an outsider''s employer, relation)';
COMMENT ON COLUMN dispute_party.name IS '当事人姓名 / the party''s name';

-- The sweep: a kind of submission --------------------------------------------------------------

DROP TRIGGER dispute_sweep_stamp_update ON dispute_sweep;
ALTER TABLE dispute_sweep
    ALTER COLUMN filed_at DROP NOT NULL, ALTER COLUMN filed_at DROP DEFAULT,
    ALTER COLUMN filed_by DROP NOT NULL, ALTER COLUMN filed_by DROP DEFAULT,
    -- Sweeps from before the workflow were filed: they wait for review.
    ADD COLUMN status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('draft', 'submitted', 'returned', 'approved')),
    ADD COLUMN submitted_at timestamptz,
    ADD COLUMN reviewed_at timestamptz,
    ADD COLUMN reviewed_by text,
    ADD COLUMN review_comment text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 1000),
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN created_by text NOT NULL DEFAULT current_user,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN updated_by text NOT NULL DEFAULT current_user;
UPDATE dispute_sweep
   SET submitted_at = filed_at, created_at = filed_at, created_by = filed_by,
       updated_at = filed_at, updated_by = filed_by;
ALTER TABLE dispute_sweep
    ALTER COLUMN status SET DEFAULT 'draft',
    ADD CONSTRAINT dispute_sweep_notes_check CHECK (length(notes) <= 2000),
    ADD CONSTRAINT dispute_sweep_filed
        CHECK ((status = 'draft') = (filed_at IS NULL) AND (filed_at IS NULL) = (filed_by IS NULL)),
    ADD CONSTRAINT dispute_sweep_returned_with_comment
        CHECK (status <> 'returned' OR length(btrim(review_comment)) > 0);
CREATE INDEX dispute_sweep_review_idx ON dispute_sweep (org_code, submitted_at)
    WHERE status = 'submitted';
COMMENT ON TABLE dispute_sweep IS '矛盾纠纷月排查(每个社区每月一份) / the monthly dispute sweep, one per community (or grid) and month';
COMMENT ON COLUMN dispute_sweep.org_code IS '报送单元: 社区(或网格) / unit that files it: the community (or grid)';
COMMENT ON COLUMN dispute_sweep.nil_return IS '零报告: 本月未发现新的矛盾纠纷 / nil return: no new dispute found this month, said explicitly';
COMMENT ON COLUMN dispute_sweep.filed_at IS '上报时间(首次提交) / when filed: first submitted';
COMMENT ON COLUMN dispute_sweep.filed_by IS '上报人(首次提交) / who filed it: first submitted it';
COMMENT ON COLUMN dispute_sweep.status IS '状态: 草稿/已提交/已退回/已审核 / draft, submitted, returned, approved';
COMMENT ON COLUMN dispute_sweep.submitted_at IS '提交时间 / when last submitted';
COMMENT ON COLUMN dispute_sweep.reviewed_at IS '审核时间 / when reviewed';
COMMENT ON COLUMN dispute_sweep.reviewed_by IS '审核人 / reviewed by';
COMMENT ON COLUMN dispute_sweep.review_comment IS '审核意见 / reviewer''s comment';
COMMENT ON COLUMN dispute_sweep.created_at IS '创建时间 / created at';
COMMENT ON COLUMN dispute_sweep.created_by IS '创建人 / created by';
COMMENT ON COLUMN dispute_sweep.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN dispute_sweep.updated_by IS '更新人 / updated by';

-- The re-check of a case still open, in a sweep: its status then, the day, a note.
CREATE TABLE dispute_sweep_recheck (
    city_code   char(4) NOT NULL,
    sweep_id    uuid NOT NULL,
    case_id     uuid NOT NULL,
    org_code    text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    checked_on  date NOT NULL,
    stage       text NOT NULL
                CHECK (stage IN ('open', 'mediating', 'resolved', 'referred', 'closed')),
    outcome     text CHECK (outcome IN ('agreement', 'no_agreement')),
    note        text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by  text NOT NULL DEFAULT current_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, sweep_id, case_id),
    FOREIGN KEY (city_code, sweep_id) REFERENCES dispute_sweep (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, case_id) REFERENCES dispute_case (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4)),
    CHECK ((stage IN ('resolved', 'referred', 'closed')) = (outcome IS NOT NULL)),
    CHECK (stage <> 'resolved' OR outcome = 'agreement')
);
CREATE INDEX dispute_sweep_recheck_case_idx ON dispute_sweep_recheck (city_code, case_id);
COMMENT ON TABLE dispute_sweep_recheck IS '排查中对未结案件的复查 / re-checks of the open cases in a sweep';
COMMENT ON COLUMN dispute_sweep_recheck.city_code IS '城市代码 / city code';
COMMENT ON COLUMN dispute_sweep_recheck.sweep_id IS '排查 / the sweep';
COMMENT ON COLUMN dispute_sweep_recheck.case_id IS '复查的案件 / the case re-checked';
COMMENT ON COLUMN dispute_sweep_recheck.org_code IS '所属单元(同排查) / unit (that of the sweep)';
COMMENT ON COLUMN dispute_sweep_recheck.checked_on IS '复查日期 / day of the re-check';
COMMENT ON COLUMN dispute_sweep_recheck.stage IS '复查时的案件状态 / the case''s status found';
COMMENT ON COLUMN dispute_sweep_recheck.outcome IS '结果(已办结时) / outcome, when concluded';
COMMENT ON COLUMN dispute_sweep_recheck.note IS '复查情况 / what the re-check found';
COMMENT ON COLUMN dispute_sweep_recheck.created_at IS '创建时间 / created at';
COMMENT ON COLUMN dispute_sweep_recheck.created_by IS '创建人 / created by';
COMMENT ON COLUMN dispute_sweep_recheck.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN dispute_sweep_recheck.updated_by IS '更新人 / updated by';

-- What a month's cases count for ----------------------------------------------------------------
-- For a unit (community or grid) and a month, each case of the unit's subtree that
-- counts in the monthly report (矛盾纠纷排查情况表), and for what:
--   found (排查数): new in that month's sweep: linked to the unit's sweep of the month, or
--     taken in that month (opened_on) without being linked to any sweep;
--   mediated (调处数): in mediation or beyond during the month: taken up (mediated_on) by
--     the month's last day and not concluded (closed_on) before its first;
--   resolved (成功数): concluded as resolved (agreement reached) within the month.
-- Rates are these over found; subtotals add units up. Read as the caller (row-level
-- security applies), so a reader counts the cases they may see.
CREATE FUNCTION dispute_month_cases(p_unit text, p_month date)
RETURNS TABLE (city_code char(4), case_id uuid, org_code text, kind text, stage text,
               found boolean, mediated boolean, resolved boolean)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT c.city_code, c.id, c.org_code::text, c.kind, c.stage, f.found, f.mediated, f.resolved
      FROM (SELECT date_trunc('month', p_month)::date AS first,
                   (date_trunc('month', p_month) + interval '1 month')::date AS next) m
     CROSS JOIN dispute_case c
      LEFT JOIN dispute_sweep s ON s.city_code = c.city_code AND s.id = c.sweep_id
     CROSS JOIN LATERAL (
           SELECT CASE WHEN c.sweep_id IS NOT NULL
                       THEN coalesce(s.month = m.first AND s.org_code = p_unit, false)
                       ELSE c.opened_on >= m.first AND c.opened_on < m.next END AS found,
                  coalesce(c.mediated_on < m.next AND (c.closed_on IS NULL OR c.closed_on >= m.first),
                           false) AS mediated,
                  coalesce(c.stage = 'resolved' AND c.closed_on >= m.first AND c.closed_on < m.next,
                           false) AS resolved) f
     WHERE c.org_code >= p_unit AND c.org_code < p_unit || ':'
       AND (f.found OR f.mediated OR f.resolved)
$$;

CREATE VIEW dispute_sweep_count WITH (security_invoker = true) AS
SELECT s.city_code, s.id AS sweep_id, s.org_code, s.month, s.status, s.nil_return,
       count(d.case_id) FILTER (WHERE d.found) AS found,
       count(d.case_id) FILTER (WHERE d.mediated) AS mediated,
       count(d.case_id) FILTER (WHERE d.resolved) AS resolved
  FROM dispute_sweep s
  LEFT JOIN LATERAL dispute_month_cases(s.org_code, s.month) d ON true
 GROUP BY s.city_code, s.id;
COMMENT ON VIEW dispute_sweep_count IS '每次排查的排查数、调处数、成功数 / per sweep: cases found, mediated, resolved (see dispute_month_cases)';
GRANT SELECT ON dispute_sweep_count TO tongxin_app;

-- Filed, late, missing --------------------------------------------------------------------------
-- For every filing unit of a scope (its communities, or grids; for a scope inside a
-- unit, that unit), the month's sweep and how it stands on `p_today`:
--   filed: first submitted on or before the due day (in the office's time zone);
--   late: first submitted after it; missing: not submitted and the due day is past;
--   due: not submitted yet, and the due day is still to come.
-- A returned sweep was filed; a draft was not.
CREATE FUNCTION sweep_month_status(p_scope text, p_month date,
                                   p_today date DEFAULT (now() AT TIME ZONE 'Asia/Shanghai')::date)
RETURNS TABLE (city_code char(4), org_code text, unit_name text, month date, due_on date,
               sweep_id uuid, status text, nil_return boolean, filed_at timestamptz,
               state text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH m AS (
        SELECT date_trunc('month', p_month)::date AS month,
               sweep_filing_unit(left(p_scope, 4)::char(4)) AS level,
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

-- The sweep's own rules --------------------------------------------------------------------------
-- On insert: the unit is of the city's filing level; the month has begun. On every
-- write: filed_at and filed_by are the first submission's (the database's; an
-- operator's as loaded). On submission: a nil return lists no new case and a sweep
-- with none is a nil return; every case still open that the submitter sees in the
-- unit, and that was not found this month, has its re-check.
-- The trigger is named to fire after the stamps (`_stamp_update`) and the workflow
-- guard (`_workflow`): PostgreSQL fires BEFORE triggers in the order of their names.
CREATE FUNCTION tx_sweep_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    operator boolean := tx_operator();
    next_month date := (NEW.month + interval '1 month')::date;
    filing_level text;
    found boolean;
    unchecked integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        filing_level := sweep_filing_unit(NEW.city_code);
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

-- Drafts of the new forms --------------------------------------------------------------------

ALTER TABLE form_draft DROP CONSTRAINT form_draft_form_check,
    ADD CONSTRAINT form_draft_form_check
        CHECK (form IN ('person', 'visit', 'sweep', 'dispute_case'));

-- Declarations --------------------------------------------------------------------------------

SELECT tx_protect('sweep_setting', p_writers => ARRAY['admin'], p_read => 'all',
                  p_columns => ARRAY['deadline_day', 'filing_unit', 'version']);

SELECT tx_protect('dispute_sweep',
    p_columns => ARRAY['nil_return', 'notes', 'status', 'version']);
SELECT tx_submission('sweep', 'dispute_sweep', ARRAY['supervisor', 'admin'],
    p_title_sql => '(SELECT o.name FROM org_unit o WHERE o.code = r.org_code)',
    p_detail_sql => $q$CASE WHEN r.nil_return THEN 'nil_return' ELSE 'with_cases' END$q$,
    p_day_sql => 'r.month');
SELECT tx_share_community('dispute_sweep');
SELECT tx_trigger('dispute_sweep', '_workflow_rules', 'BEFORE INSERT OR UPDATE', 'FOR EACH ROW',
                  'tx_sweep_rules()');

SELECT tx_protect('dispute_case', p_parent => 'dispute_sweep', p_parent_column => 'sweep_id',
    p_frozen => ARRAY['sweep_id'],
    p_columns => ARRAY['kind', 'summary', 'mediation_plan', 'department_code',
                       'responsible_person', 'stage', 'opened_on', 'mediated_on', 'closed_on',
                       'outcome', 'outcome_note', 'escalated_on', 'escalation_note', 'status',
                       'version'],
    -- An escalation stays as it was made.
    p_once => ARRAY['escalated_on', 'escalation_note']);
-- Concluded cases are reopened (to mediation) while their conclusion is not approved.
SELECT tx_steps('dispute_case', 'stage',
    '{"open": ["mediating", "resolved", "referred", "closed"],
      "mediating": ["resolved", "referred", "closed"],
      "resolved": ["mediating"], "referred": ["mediating"], "closed": ["mediating"]}');
SELECT tx_submission('dispute_case', 'dispute_case', ARRAY['supervisor', 'admin'],
    p_title_sql => $q$(SELECT string_agg(p.name, '、' ORDER BY p.seq, p.id) FROM dispute_party p
                        WHERE p.city_code = r.city_code AND p.case_id = r.id)$q$,
    p_detail_sql => 'r.kind', p_day_sql => 'coalesce(r.closed_on, r.opened_on)');
SELECT tx_share_community('dispute_case');

SELECT tx_protect('dispute_party', p_parent => 'dispute_case', p_parent_column => 'case_id',
                  p_person => 'person_id', p_removable => 'true', p_item => 'id');
SELECT tx_share_community('dispute_party');

-- History is not removed; a draft's note is corrected until the case is submitted.
SELECT tx_protect('dispute_case_note', p_parent => 'dispute_case', p_parent_column => 'case_id',
                  p_columns => ARRAY['noted_on', 'stage', 'note']);
SELECT tx_share_community('dispute_case_note');

SELECT tx_protect('dispute_sweep_recheck', p_parent => 'dispute_sweep',
                  p_parent_column => 'sweep_id', p_removable => 'true', p_item => 'case_id',
                  p_columns => ARRAY['checked_on', 'stage', 'outcome', 'note']);
SELECT tx_refer('dispute_sweep_recheck', '{"case_id": "dispute_case"}');
SELECT tx_share_community('dispute_sweep_recheck');
