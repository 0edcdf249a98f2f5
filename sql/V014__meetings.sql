-- V014: meetings (联席会议, 座谈会, 工作例会) and their minutes (纪要) on the one review
-- workflow; their attendance, action items and what each item concerns as child rows;
-- open action items carried over to the next meeting of the same kind and unit; and
-- the rhythm the plans set (a member departments' joint meeting at least every half
-- year, the origin-destination meeting every year).
--
-- Whose a meeting is --------------------------------------------------------------------
-- A meeting belongs to the org unit that holds it (org_code): the city, a district, a
-- street or a community (a grid worker scoped to one grid records that grid's). Not
-- to the recorder's grid: the next meeting of the unit may be recorded by someone
-- else, who must see the last meeting's open items; the half-year rule is the unit's
-- to keep; and the minutes are read in the unit and above, as the kernel's scope rule
-- gives them. So the minutes are written by whoever's scope holds the unit: grid
-- workers for their community or grid, supervisors for their street, district or city
-- (joint meetings are held there, and the office's staff there are supervisors), admins
-- for theirs; and reviewed by supervisors and admins, never by whoever wrote or
-- submitted them (the workflow's rule). The unit is chosen when the meeting is first
-- stored and does not change (children carry it too); a wrong unit is a new meeting.

-- The kernel: a row that points at another protected row -----------------------------------
-- A child row points at its parent and at a person, both checked by tx_child_guard. An
-- action item may also concern a need or a dispute case, and records the later meeting
-- at which it was closed: rows of other protected tables. A reference is declared
-- once, like a parent: the writer must see the row it points at (looked up as the
-- writer, under row-level security, in the same city), or the write is refused, so
-- nobody links, or learns through a foreign key's answer, a row beyond their scope.

CREATE TABLE kernel_reference (
    table_name    text NOT NULL REFERENCES kernel_table (table_name),
    column_name   text NOT NULL,
    target_table  text NOT NULL REFERENCES kernel_table (table_name),
    PRIMARY KEY (table_name, column_name)
);
COMMENT ON TABLE kernel_reference IS '指向其他受保护记录的列 / columns that point at rows of another protected table';
COMMENT ON COLUMN kernel_reference.table_name IS '数据表 / table';
COMMENT ON COLUMN kernel_reference.column_name IS '列(存对方编号) / column holding the other row''s id';
COMMENT ON COLUMN kernel_reference.target_table IS '所指的表 / table pointed at';
GRANT SELECT ON kernel_reference TO tongxin_app;

CREATE FUNCTION tx_reference_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    row_new jsonb := to_jsonb(NEW);
    row_old jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    ref kernel_reference;
    seen boolean;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    PERFORM tx_acting_kind();
    FOR ref IN SELECT * FROM kernel_reference k WHERE k.table_name = TG_TABLE_NAME LOOP
        -- Checked when written; an edit of another column does not re-point it.
        CONTINUE WHEN row_new ->> ref.column_name IS NULL
                   OR row_new -> ref.column_name IS NOT DISTINCT FROM row_old -> ref.column_name;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE city_code = $1 AND id = $2)',
                       ref.target_table)
           INTO seen USING NEW.city_code, (row_new ->> ref.column_name)::uuid;
        IF NOT seen THEN
            RAISE EXCEPTION '%: its % (%) is not found in your scope', TG_TABLE_NAME,
                ref.column_name, ref.target_table USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;

CREATE FUNCTION tx_reference(p_table text, p_column text, p_target text) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
-- p_column of p_table holds the id of a p_target row of the same city (both declared
-- with tx_protect first).
DECLARE
    not_bulk constant text := 'coalesce(current_setting(''tongxin.bulk_load'', true), '''') '
                              '<> ''on'' OR current_setting(''is_superuser'') <> ''on''';
BEGIN
    INSERT INTO kernel_reference (table_name, column_name, target_table)
    VALUES (p_table, p_column, p_target)
    ON CONFLICT (table_name, column_name) DO UPDATE SET target_table = EXCLUDED.target_table;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', p_table || '_reference', p_table);
    PERFORM tx_trigger(p_table, '_reference', 'BEFORE INSERT OR UPDATE',
                       'FOR EACH ROW WHEN (' || not_bulk || ')', 'tx_reference_guard()');
END;
$$;
REVOKE ALL ON FUNCTION tx_reference(text, text, text) FROM PUBLIC;

-- The rhythm the plans set ------------------------------------------------------------------
-- Reference data, changed by the operator only (like the departments): how often a kind
-- of meeting must be held, and the org levels every unit of which must hold it. A unit
-- at another level that has held one is held to the rhythm from then on too.

CREATE TABLE meeting_rhythm (
    kind    text PRIMARY KEY,
    months  smallint NOT NULL CHECK (months BETWEEN 1 AND 36),
    levels  text[] NOT NULL DEFAULT '{}'
            CHECK (levels <@ ARRAY['city', 'district', 'street', 'community', 'grid'])
);
COMMENT ON TABLE meeting_rhythm IS '会议频次要求 / how often each kind of meeting must be held';
COMMENT ON COLUMN meeting_rhythm.kind IS '会议类型 / kind of meeting';
COMMENT ON COLUMN meeting_rhythm.months IS '最长间隔(月) / at most this many months apart';
COMMENT ON COLUMN meeting_rhythm.levels IS '必须召开的层级 / org levels every unit of which must hold it';
-- 郑州 2015: 议事协调机构"每半年至少召开一次会议"; 输出地与输入地联席会议"每年组织召开一次";
-- 长治 2013: 县区"定期召集成员单位召开联席会议".
INSERT INTO meeting_rhythm (kind, months, levels) VALUES
    ('member_joint', 6, ARRAY['city', 'district']),
    ('origin_destination', 12, ARRAY['city']);
REVOKE ALL ON meeting_rhythm FROM PUBLIC, tongxin_app, tongxin_grid_worker, tongxin_supervisor,
    tongxin_admin, tongxin_auditor;
GRANT SELECT ON meeting_rhythm TO tongxin_app;
CREATE TRIGGER meeting_rhythm_audit_insert AFTER INSERT ON meeting_rhythm
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER meeting_rhythm_audit_update AFTER UPDATE ON meeting_rhythm
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER meeting_rhythm_audit_delete AFTER DELETE ON meeting_rhythm
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
ALTER TABLE meeting_rhythm ENABLE ALWAYS TRIGGER meeting_rhythm_audit_insert;
ALTER TABLE meeting_rhythm ENABLE ALWAYS TRIGGER meeting_rhythm_audit_update;
ALTER TABLE meeting_rhythm ENABLE ALWAYS TRIGGER meeting_rhythm_audit_delete;

-- Meetings and their minutes ----------------------------------------------------------------

CREATE TABLE meeting (
    city_code       char(4) NOT NULL,
    id              uuid NOT NULL,
    org_code        text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    kind            text NOT NULL CHECK (kind IN ('member_joint', 'origin_destination',
                        'representatives', 'eid_symposium', 'working')),
    held_on         date NOT NULL,
    starts_at       time NOT NULL,
    place           text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    chair           text NOT NULL DEFAULT '' CHECK (length(chair) <= 100),
    recorder        text NOT NULL DEFAULT '' CHECK (length(recorder) <= 100),
    agenda          text NOT NULL DEFAULT '' CHECK (length(agenda) <= 2000),
    minutes         text NOT NULL DEFAULT '' CHECK (length(minutes) <= 20000),
    decisions       text NOT NULL DEFAULT '' CHECK (length(decisions) <= 8000),
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
    CHECK (city_code = left(org_code, 4)),
    CHECK (status <> 'returned' OR length(btrim(review_comment)) > 0),
    -- Minutes go up for review with who chaired, who recorded and what was said.
    CONSTRAINT meeting_minutes_complete CHECK (status IN ('draft', 'returned')
        OR (btrim(chair) <> '' AND btrim(recorder) <> '' AND btrim(minutes) <> ''))
);
CREATE INDEX meeting_unit_idx ON meeting (org_code, kind, held_on DESC, starts_at DESC);
CREATE INDEX meeting_review_idx ON meeting (org_code, submitted_at) WHERE status = 'submitted';
COMMENT ON TABLE meeting IS '会议及其纪要(联席会议、座谈会、工作例会) / meetings and their minutes';
COMMENT ON COLUMN meeting.city_code IS '城市代码(分布键) / city code (distribution key)';
COMMENT ON COLUMN meeting.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN meeting.org_code IS '召开单位 / org unit that holds the meeting';
COMMENT ON COLUMN meeting.kind IS '类型: 成员单位联席会议/输出地输入地联席会议/代表人士座谈会/古尔邦节座谈会/工作例会 / member departments'' joint meeting, origin-destination joint meeting, representatives'' symposium, Eid al-Adha symposium, working meeting';
COMMENT ON COLUMN meeting.held_on IS '会议日期 / date held';
COMMENT ON COLUMN meeting.starts_at IS '开始时间 / time it began';
COMMENT ON COLUMN meeting.place IS '地点 / place';
COMMENT ON COLUMN meeting.chair IS '主持人 / chair';
COMMENT ON COLUMN meeting.recorder IS '记录人 / recorder';
COMMENT ON COLUMN meeting.agenda IS '议题 / agenda';
COMMENT ON COLUMN meeting.minutes IS '会议记录 / minutes';
COMMENT ON COLUMN meeting.decisions IS '议定事项 / decisions';
COMMENT ON COLUMN meeting.status IS '状态: 草稿/已提交/已退回/已审核 / draft, submitted, returned, approved';
COMMENT ON COLUMN meeting.submitted_at IS '提交时间 / when submitted';
COMMENT ON COLUMN meeting.reviewed_at IS '审核时间 / when reviewed';
COMMENT ON COLUMN meeting.reviewed_by IS '审核人 / reviewed by';
COMMENT ON COLUMN meeting.review_comment IS '审核意见 / reviewer''s comment';
COMMENT ON COLUMN meeting.version IS '版本号(乐观锁) / row version';
COMMENT ON COLUMN meeting.created_at IS '创建时间 / created at';
COMMENT ON COLUMN meeting.created_by IS '创建人 / created by';
COMMENT ON COLUMN meeting.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN meeting.updated_by IS '更新人 / updated by';

CREATE TABLE meeting_attendee (
    city_code        char(4) NOT NULL,
    id               uuid NOT NULL,
    meeting_id       uuid NOT NULL,
    org_code         text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    seq              smallint NOT NULL CHECK (seq >= 1),
    attendance       text NOT NULL CHECK (attendance IN ('present', 'apologies', 'observer')),
    department_code  text REFERENCES department (code),
    person_id        uuid,
    -- Someone not registered, or the person sent by a department (张警官).
    name             text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL DEFAULT current_user,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, meeting_id) REFERENCES meeting (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4)),
    CHECK (department_code IS NOT NULL OR person_id IS NOT NULL OR btrim(name) <> '')
);
CREATE INDEX meeting_attendee_meeting_idx ON meeting_attendee (city_code, meeting_id, seq);
CREATE INDEX meeting_attendee_person_idx ON meeting_attendee (city_code, person_id);
COMMENT ON TABLE meeting_attendee IS '出席、请假和列席 / who attended, sent apologies or observed';
COMMENT ON COLUMN meeting_attendee.city_code IS '城市代码 / city code';
COMMENT ON COLUMN meeting_attendee.id IS '编号 / id';
COMMENT ON COLUMN meeting_attendee.meeting_id IS '会议 / the meeting';
COMMENT ON COLUMN meeting_attendee.org_code IS '召开单位(同会议) / org unit (that of the meeting)';
COMMENT ON COLUMN meeting_attendee.seq IS '序号 / order in the minutes';
COMMENT ON COLUMN meeting_attendee.attendance IS '出席/请假/列席 / present, apologies, observer';
COMMENT ON COLUMN meeting_attendee.department_code IS '单位 / department';
COMMENT ON COLUMN meeting_attendee.person_id IS '登记人员(如有) / the registered person, if any';
COMMENT ON COLUMN meeting_attendee.name IS '姓名 / name';
COMMENT ON COLUMN meeting_attendee.created_at IS '创建时间 / created at';
COMMENT ON COLUMN meeting_attendee.created_by IS '创建人 / created by';
COMMENT ON COLUMN meeting_attendee.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN meeting_attendee.updated_by IS '更新人 / updated by';

CREATE TABLE action_item (
    city_code        char(4) NOT NULL,
    id               uuid NOT NULL,
    meeting_id       uuid NOT NULL,
    org_code         text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    seq              smallint NOT NULL CHECK (seq >= 1),
    text             text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 1000),
    department_code  text NOT NULL REFERENCES department (code),
    due_on           date,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
    done_on          date,
    closing_note     text NOT NULL DEFAULT '' CHECK (length(closing_note) <= 500),
    closed_in        uuid,
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by       text NOT NULL DEFAULT current_user,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    UNIQUE (city_code, meeting_id, id),
    FOREIGN KEY (city_code, meeting_id) REFERENCES meeting (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, closed_in) REFERENCES meeting (city_code, id)
        ON DELETE SET NULL (closed_in),
    CHECK (city_code = left(org_code, 4)),
    CHECK ((status = 'open') = (done_on IS NULL)),
    CHECK (status <> 'open' OR closed_in IS NULL),
    CHECK (closed_in IS DISTINCT FROM meeting_id)
);
CREATE INDEX action_item_open_idx ON action_item (org_code, due_on) WHERE status = 'open';
CREATE INDEX action_item_closed_in_idx ON action_item (city_code, closed_in)
    WHERE closed_in IS NOT NULL;
COMMENT ON TABLE action_item IS '议定事项的落实(会议交办事项) / action items agreed at a meeting';
COMMENT ON COLUMN action_item.city_code IS '城市代码 / city code';
COMMENT ON COLUMN action_item.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN action_item.meeting_id IS '交办会议 / meeting that agreed it';
COMMENT ON COLUMN action_item.org_code IS '召开单位(同会议) / org unit (that of the meeting)';
COMMENT ON COLUMN action_item.seq IS '序号 / order in the minutes';
COMMENT ON COLUMN action_item.text IS '事项 / what is to be done';
COMMENT ON COLUMN action_item.department_code IS '责任单位 / owner department';
COMMENT ON COLUMN action_item.due_on IS '完成时限 / due date';
COMMENT ON COLUMN action_item.status IS '状态: 未完成/已完成/已取消 / open, done, dropped';
COMMENT ON COLUMN action_item.done_on IS '办结日期 / date done (or dropped)';
COMMENT ON COLUMN action_item.closing_note IS '落实情况 / how it was done, or why dropped';
COMMENT ON COLUMN action_item.closed_in IS '在哪次会议上销号 / later meeting at which it was closed';
COMMENT ON COLUMN action_item.version IS '版本号 / row version';
COMMENT ON COLUMN action_item.created_at IS '创建时间 / created at';
COMMENT ON COLUMN action_item.created_by IS '创建人 / created by';
COMMENT ON COLUMN action_item.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN action_item.updated_by IS '更新人 / updated by';

-- What an action item concerns: a person, a need or a dispute case, one each row. A
-- child of the meeting (so it freezes with the minutes), pointing at its item within
-- that meeting.
CREATE TABLE action_item_link (
    city_code   char(4) NOT NULL,
    id          uuid NOT NULL,
    meeting_id  uuid NOT NULL,
    item_id     uuid NOT NULL,
    org_code    text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    person_id   uuid,
    need_id     uuid,
    case_id     uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT current_user,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, meeting_id) REFERENCES meeting (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, meeting_id, item_id)
        REFERENCES action_item (city_code, meeting_id, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, need_id) REFERENCES assistance_request (city_code, id)
        ON DELETE CASCADE,
    FOREIGN KEY (city_code, case_id) REFERENCES dispute_case (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4)),
    CHECK (num_nonnulls(person_id, need_id, case_id) = 1)
);
CREATE INDEX action_item_link_item_idx ON action_item_link (city_code, item_id);
CREATE INDEX action_item_link_meeting_idx ON action_item_link (city_code, meeting_id);
CREATE INDEX action_item_link_person_idx ON action_item_link (city_code, person_id);
CREATE INDEX action_item_link_need_idx ON action_item_link (city_code, need_id);
CREATE INDEX action_item_link_case_idx ON action_item_link (city_code, case_id);
COMMENT ON TABLE action_item_link IS '交办事项涉及的人员、诉求和纠纷 / persons, needs and cases an action item concerns';
COMMENT ON COLUMN action_item_link.city_code IS '城市代码 / city code';
COMMENT ON COLUMN action_item_link.id IS '编号 / id';
COMMENT ON COLUMN action_item_link.meeting_id IS '会议 / the meeting';
COMMENT ON COLUMN action_item_link.item_id IS '交办事项 / the action item';
COMMENT ON COLUMN action_item_link.org_code IS '召开单位(同会议) / org unit (that of the meeting)';
COMMENT ON COLUMN action_item_link.person_id IS '涉及人员 / person concerned';
COMMENT ON COLUMN action_item_link.need_id IS '涉及诉求 / need concerned';
COMMENT ON COLUMN action_item_link.case_id IS '涉及纠纷 / dispute case concerned';
COMMENT ON COLUMN action_item_link.created_at IS '创建时间 / created at';
COMMENT ON COLUMN action_item_link.created_by IS '创建人 / created by';
COMMENT ON COLUMN action_item_link.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN action_item_link.updated_by IS '更新人 / updated by';

-- On the kernel -------------------------------------------------------------------------------

SELECT tx_protect('meeting', p_writers => ARRAY['grid_worker', 'supervisor', 'admin'],
    p_columns => ARRAY['kind', 'held_on', 'starts_at', 'place', 'chair', 'recorder', 'agenda',
                       'minutes', 'decisions', 'status', 'review_comment', 'version']);
SELECT tx_submission('minutes', 'meeting', ARRAY['supervisor', 'admin'],
    p_title_sql => $q$left(split_part(btrim(r.agenda), E'\n', 1), 60)$q$,
    p_detail_sql => 'r.kind', p_day_sql => 'r.held_on');
SELECT tx_protect('meeting_attendee', p_writers => ARRAY['grid_worker', 'supervisor', 'admin'],
    p_parent => 'meeting', p_parent_column => 'meeting_id', p_person => 'person_id',
    p_columns => ARRAY['seq', 'attendance', 'department_code', 'person_id', 'name'],
    p_removable => 'true', p_item => 'id');
SELECT tx_protect('action_item', p_writers => ARRAY['grid_worker', 'supervisor', 'admin'],
    p_parent => 'meeting', p_parent_column => 'meeting_id',
    p_columns => ARRAY['seq', 'text', 'department_code', 'due_on', 'status', 'done_on',
                       'closing_note', 'closed_in', 'version'],
    -- What the minutes agreed is the minutes'; whether it was done is followed up after
    -- their approval, usually at the next meeting.
    p_frozen => ARRAY['meeting_id', 'seq', 'text', 'department_code', 'due_on'],
    p_removable => 'true', p_item => 'id',
    -- Reopened when it turns out not done (or marked so by mistake).
    p_steps => '{"open": ["done", "dropped"], "done": ["open"], "dropped": ["open"]}');
SELECT tx_reference('action_item', 'closed_in', 'meeting');
SELECT tx_protect('action_item_link', p_writers => ARRAY['grid_worker', 'supervisor', 'admin'],
    p_parent => 'meeting', p_parent_column => 'meeting_id', p_person => 'person_id',
    p_columns => ARRAY[]::text[], p_removable => 'true', p_item => 'id');
SELECT tx_reference('action_item_link', 'need_id', 'assistance_request');
SELECT tx_reference('action_item_link', 'case_id', 'dispute_case');

-- Drafts of the meeting form.
ALTER TABLE form_draft DROP CONSTRAINT form_draft_form_check,
    ADD CONSTRAINT form_draft_form_check CHECK (form IN ('person', 'visit', 'meeting'));

-- Carried over --------------------------------------------------------------------------------
-- The open action items of the earlier meetings of a kind in a unit, listed on its next
-- one (p_meeting, held at p_held_on p_starts_at), with those closed at it. Runs as the
-- caller: row-level security applies.

CREATE FUNCTION meeting_carried_items(p_city char(4), p_meeting uuid, p_kind text, p_org text,
                                      p_held_on date, p_starts_at time)
RETURNS TABLE (city_code char(4), id uuid, meeting_id uuid, meeting_held_on date, seq smallint,
               text text, department_code text, due_on date, status text, done_on date,
               closing_note text, closed_in uuid, version integer)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT a.city_code, a.id, a.meeting_id, m.held_on, a.seq, a.text, a.department_code,
           a.due_on, a.status, a.done_on, a.closing_note, a.closed_in, a.version
      FROM action_item a
      JOIN meeting m ON m.city_code = a.city_code AND m.id = a.meeting_id
     WHERE a.city_code = p_city AND m.id <> p_meeting
       AND ((a.status = 'open' AND m.kind = p_kind AND m.org_code = p_org
             AND (m.held_on, m.starts_at) < (p_held_on, p_starts_at))
            OR a.closed_in = p_meeting)
     ORDER BY m.held_on, m.starts_at, m.id, a.seq, a.id
$$;
COMMENT ON FUNCTION meeting_carried_items(char, uuid, text, text, date, time) IS
    '上次会议未完成事项(带到本次会议) / open action items of earlier meetings, carried to this one';

-- The rhythm: which units are overdue -----------------------------------------------------------
-- For each unit in the caller's scope held to a kind's rhythm (its level must hold it,
-- or it has held one): the last time it held one (minutes at least submitted, held by
-- p_today) and when the next was due, if that day has passed or none was ever held.
-- Due is the last date plus the kind's months, as the calendar counts them: 31 August
-- plus six months is the end of February, 28 or 29, whatever the year.

CREATE FUNCTION meetings_overdue(p_today date)
RETURNS TABLE (city_code char(4), org_code text, unit_name text, level text, kind text,
               last_held date, due_on date)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH scope AS (SELECT tx_scope() AS s),
    held AS (
        SELECT m.org_code, m.kind, max(m.held_on) AS last_held
          FROM meeting m, scope
         WHERE m.status <> 'draft' AND m.held_on <= p_today
           AND m.org_code >= scope.s AND m.org_code < scope.s || ':'
         GROUP BY m.org_code, m.kind
    ),
    watched AS (
        SELECT o.code, r.kind
          FROM org_unit o JOIN meeting_rhythm r ON o.level = ANY (r.levels), scope
         WHERE o.code >= scope.s AND o.code < scope.s || ':'
        UNION
        SELECT h.org_code, h.kind FROM held h JOIN meeting_rhythm r ON r.kind = h.kind
    )
    SELECT o.city_code, o.code, o.name, o.level, w.kind, h.last_held,
           (h.last_held + make_interval(months => r.months))::date
      FROM watched w
      JOIN org_unit o ON o.code = w.code
      JOIN meeting_rhythm r ON r.kind = w.kind
      LEFT JOIN held h ON h.org_code = w.code AND h.kind = w.kind
     WHERE h.last_held IS NULL
        OR (h.last_held + make_interval(months => r.months))::date < p_today
     ORDER BY h.last_held NULLS FIRST, o.code, w.kind
$$;
COMMENT ON FUNCTION meetings_overdue(date) IS
    '超期未召开的会议(半年一次的联席会议等) / units overdue for a meeting the plans require';
