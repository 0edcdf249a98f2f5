-- V005: visits and contacts, needs followed up as assistance requests, disputes
-- involving persons, hand-overs between grids, and drafts of forms.
--
-- Every row of personal data carries city_code (distribution key, leading every
-- key) and org_code (the grid it belongs to); RLS scopes them like V002's tables.

-- Who acts: inside a definer function or a trigger run by one, current_user is the
-- owner; stamp rows with the app user instead (audit_actor() from V003).
CREATE OR REPLACE FUNCTION touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.updated_by := audit_actor();
    RETURN NEW;
END;
$$;

-- Visits and contacts (走访) ---------------------------------------------------------

CREATE TABLE visit (
    city_code       char(4) NOT NULL,
    id              uuid NOT NULL,
    org_code        text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    kind            text NOT NULL
                    CHECK (kind IN ('home_visit', 'phone_call', 'face_to_face', 'festival')),
    visited_on      date NOT NULL,
    place           text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    notes           text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
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
    CHECK (status <> 'returned' OR length(btrim(review_comment)) > 0)
);
CREATE INDEX visit_org_idx ON visit (org_code, visited_on DESC, id);
CREATE INDEX visit_author_idx ON visit (created_by, status, updated_at DESC);
CREATE INDEX visit_review_idx ON visit (org_code, submitted_at) WHERE status = 'submitted';
CREATE TRIGGER visit_touch BEFORE UPDATE ON visit FOR EACH ROW EXECUTE FUNCTION touch_row();

COMMENT ON TABLE visit IS '走访和联系记录 / visits and contacts';
COMMENT ON COLUMN visit.city_code IS '城市代码(分布键) / city code (distribution key)';
COMMENT ON COLUMN visit.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN visit.org_code IS '所属网格 / grid the visit belongs to';
COMMENT ON COLUMN visit.kind IS '方式: 入户走访/电话联系/当面谈话/节庆座谈 / home visit, phone call, face-to-face talk, festival gathering';
COMMENT ON COLUMN visit.visited_on IS '走访日期 / date of the visit';
COMMENT ON COLUMN visit.place IS '地点 / place';
COMMENT ON COLUMN visit.notes IS '情况记录 / notes';
COMMENT ON COLUMN visit.status IS '状态: 草稿/已提交/已退回/已审核 / draft, submitted, returned, approved';
COMMENT ON COLUMN visit.submitted_at IS '提交时间 / when submitted';
COMMENT ON COLUMN visit.reviewed_at IS '审核时间 / when reviewed';
COMMENT ON COLUMN visit.reviewed_by IS '审核人 / reviewed by';
COMMENT ON COLUMN visit.review_comment IS '审核意见 / reviewer''s comment';
COMMENT ON COLUMN visit.version IS '版本号(乐观锁) / row version';
COMMENT ON COLUMN visit.created_at IS '创建时间 / created at';
COMMENT ON COLUMN visit.created_by IS '创建人 / created by';
COMMENT ON COLUMN visit.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN visit.updated_by IS '更新人 / updated by';

CREATE TABLE visit_person (
    city_code  char(4) NOT NULL,
    visit_id   uuid NOT NULL,
    person_id  uuid NOT NULL,
    org_code   text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    PRIMARY KEY (city_code, visit_id, person_id),
    FOREIGN KEY (city_code, visit_id) REFERENCES visit (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX visit_person_person_idx ON visit_person (city_code, person_id);

COMMENT ON TABLE visit_person IS '走访对象 / persons a visit was with';
COMMENT ON COLUMN visit_person.city_code IS '城市代码 / city code';
COMMENT ON COLUMN visit_person.visit_id IS '走访记录 / the visit';
COMMENT ON COLUMN visit_person.person_id IS '走访对象 / the person';
COMMENT ON COLUMN visit_person.org_code IS '所属网格(同走访记录) / grid (that of the visit)';

-- Needs and help (诉求, 三必帮) ----------------------------------------------------------
-- A need found on a visit is 'pending' while the visit is a draft, becomes 'open'
-- when the visit is submitted, and is then referred and followed to an outcome.

CREATE TABLE assistance_request (
    city_code        char(4) NOT NULL,
    id               uuid NOT NULL,
    org_code         text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    person_id        uuid NOT NULL,
    visit_id         uuid,
    category         text NOT NULL CHECK (category IN (
                         'employment', 'paperwork', 'livelihood', 'schooling', 'housing',
                         'medical', 'legal_aid', 'relief', 'halal_food', 'business_licence',
                         'other')),
    description      text NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 1000),
    department_code  text REFERENCES department (code),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'open', 'referred', 'resolved', 'closed')),
    raised_on        date NOT NULL,
    due_on           date,
    outcome          text NOT NULL DEFAULT '' CHECK (length(outcome) <= 1000),
    resolved_on      date,
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- clock_timestamp: the needs of one visit, saved in one transaction, keep their order.
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    created_by       text NOT NULL DEFAULT current_user,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, visit_id) REFERENCES visit (city_code, id)
        ON DELETE SET NULL (visit_id),
    CHECK (city_code = left(org_code, 4)),
    CHECK (due_on IS NULL OR due_on >= raised_on),
    CHECK (resolved_on IS NULL OR resolved_on >= raised_on)
);
CREATE INDEX assistance_request_person_idx ON assistance_request (city_code, person_id);
CREATE INDEX assistance_request_visit_idx ON assistance_request (city_code, visit_id);
CREATE INDEX assistance_request_open_idx ON assistance_request (org_code, due_on)
    WHERE status IN ('open', 'referred');
CREATE TRIGGER assistance_request_touch BEFORE UPDATE ON assistance_request
    FOR EACH ROW EXECUTE FUNCTION touch_row();

COMMENT ON TABLE assistance_request IS '诉求受理和帮扶 / needs found and their follow-up';
COMMENT ON COLUMN assistance_request.city_code IS '城市代码 / city code';
COMMENT ON COLUMN assistance_request.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN assistance_request.org_code IS '所属网格 / grid';
COMMENT ON COLUMN assistance_request.person_id IS '诉求人 / the person in need';
COMMENT ON COLUMN assistance_request.visit_id IS '发现于走访 / visit on which it was found';
COMMENT ON COLUMN assistance_request.category IS '类别(三必帮等) / category';
COMMENT ON COLUMN assistance_request.description IS '诉求内容 / what is needed';
COMMENT ON COLUMN assistance_request.department_code IS '责任部门 / responsible department';
COMMENT ON COLUMN assistance_request.status IS '状态: 待提交/待办/已转办/已解决/已关闭 / pending, open, referred, resolved, closed';
COMMENT ON COLUMN assistance_request.raised_on IS '提出日期 / date raised';
COMMENT ON COLUMN assistance_request.due_on IS '办结期限 / due date';
COMMENT ON COLUMN assistance_request.outcome IS '办理结果 / outcome';
COMMENT ON COLUMN assistance_request.resolved_on IS '办结日期 / date resolved';
COMMENT ON COLUMN assistance_request.version IS '版本号 / row version';
COMMENT ON COLUMN assistance_request.created_at IS '创建时间 / created at';
COMMENT ON COLUMN assistance_request.created_by IS '创建人 / created by';
COMMENT ON COLUMN assistance_request.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN assistance_request.updated_by IS '更新人 / updated by';

-- Disputes (矛盾纠纷) ----------------------------------------------------------------------
-- Each community files a sweep every month (a nil return counts); each dispute found
-- is a case with its parties, some of whom may be registered persons.

CREATE TABLE dispute_sweep (
    city_code     char(4) NOT NULL,
    id            uuid NOT NULL,
    org_code      text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    nil_return    boolean NOT NULL DEFAULT false,
    notes         text NOT NULL DEFAULT '',
    filed_at      timestamptz NOT NULL DEFAULT now(),
    filed_by      text NOT NULL DEFAULT current_user,
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    PRIMARY KEY (city_code, id),
    UNIQUE (city_code, org_code, month),
    CHECK (city_code = left(org_code, 4))
);
COMMENT ON TABLE dispute_sweep IS '矛盾纠纷月排查 / monthly dispute sweep of a community';
COMMENT ON COLUMN dispute_sweep.city_code IS '城市代码 / city code';
COMMENT ON COLUMN dispute_sweep.id IS '编号 / id';
COMMENT ON COLUMN dispute_sweep.org_code IS '社区 / community (or grid) swept';
COMMENT ON COLUMN dispute_sweep.month IS '排查月份 / month swept';
COMMENT ON COLUMN dispute_sweep.nil_return IS '零报告 / nil return';
COMMENT ON COLUMN dispute_sweep.notes IS '说明 / notes';
COMMENT ON COLUMN dispute_sweep.filed_at IS '上报时间 / filed at';
COMMENT ON COLUMN dispute_sweep.filed_by IS '上报人 / filed by';
COMMENT ON COLUMN dispute_sweep.version IS '版本号 / row version';

CREATE TABLE dispute_case (
    city_code        char(4) NOT NULL,
    id               uuid NOT NULL,
    org_code         text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    sweep_id         uuid,
    kind             text NOT NULL CHECK (kind IN ('wage_arrears', 'trade', 'tenancy',
                         'neighbours', 'family', 'other')),
    summary          text NOT NULL CHECK (length(btrim(summary)) BETWEEN 1 AND 2000),
    mediation_plan   text NOT NULL DEFAULT '',
    department_code  text REFERENCES department (code),
    status           text NOT NULL DEFAULT 'open'
                     CHECK (status IN ('open', 'mediating', 'resolved', 'referred')),
    opened_on        date NOT NULL,
    resolved_on      date,
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL DEFAULT current_user,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, sweep_id) REFERENCES dispute_sweep (city_code, id)
        ON DELETE SET NULL (sweep_id),
    CHECK (city_code = left(org_code, 4)),
    CHECK (resolved_on IS NULL OR resolved_on >= opened_on)
);
CREATE INDEX dispute_case_open_idx ON dispute_case (org_code, opened_on)
    WHERE status IN ('open', 'mediating');
CREATE TRIGGER dispute_case_touch BEFORE UPDATE ON dispute_case
    FOR EACH ROW EXECUTE FUNCTION touch_row();
COMMENT ON TABLE dispute_case IS '矛盾纠纷案件 / dispute cases';
COMMENT ON COLUMN dispute_case.city_code IS '城市代码 / city code';
COMMENT ON COLUMN dispute_case.id IS '编号 / id';
COMMENT ON COLUMN dispute_case.org_code IS '所属单元 / org unit';
COMMENT ON COLUMN dispute_case.sweep_id IS '发现于排查 / sweep that found it';
COMMENT ON COLUMN dispute_case.kind IS '类型 / kind of dispute';
COMMENT ON COLUMN dispute_case.summary IS '基本情况 / summary';
COMMENT ON COLUMN dispute_case.mediation_plan IS '调处方案 / mediation plan';
COMMENT ON COLUMN dispute_case.department_code IS '责任部门 / responsible department';
COMMENT ON COLUMN dispute_case.status IS '状态 / status';
COMMENT ON COLUMN dispute_case.opened_on IS '发现日期 / opened on';
COMMENT ON COLUMN dispute_case.resolved_on IS '化解日期 / resolved on';
COMMENT ON COLUMN dispute_case.version IS '版本号 / row version';
COMMENT ON COLUMN dispute_case.created_at IS '创建时间 / created at';
COMMENT ON COLUMN dispute_case.created_by IS '创建人 / created by';
COMMENT ON COLUMN dispute_case.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN dispute_case.updated_by IS '更新人 / updated by';

CREATE TABLE dispute_party (
    city_code  char(4) NOT NULL,
    case_id    uuid NOT NULL,
    seq        smallint NOT NULL CHECK (seq >= 1),
    org_code   text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    person_id  uuid,
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    PRIMARY KEY (city_code, case_id, seq),
    FOREIGN KEY (city_code, case_id) REFERENCES dispute_case (city_code, id) ON DELETE CASCADE,
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id)
        ON DELETE SET NULL (person_id),
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX dispute_party_person_idx ON dispute_party (city_code, person_id);
COMMENT ON TABLE dispute_party IS '纠纷当事人 / parties to a dispute';
COMMENT ON COLUMN dispute_party.city_code IS '城市代码 / city code';
COMMENT ON COLUMN dispute_party.case_id IS '案件 / the case';
COMMENT ON COLUMN dispute_party.seq IS '序号 / order';
COMMENT ON COLUMN dispute_party.org_code IS '所属单元(同案件) / org unit (that of the case)';
COMMENT ON COLUMN dispute_party.person_id IS '登记人员(如有) / the registered person, if any';
COMMENT ON COLUMN dispute_party.name IS '当事人 / party';

-- The trail of a person: only a person row's own id is a person's id. (V003 took any
-- row's id when it had no person_id, so visits and cases filled the person column.)
CREATE FUNCTION audit_person_of(row_json jsonb, table_name text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
    SELECT (CASE WHEN table_name = 'person' THEN row_json ->> 'id'
                 ELSE row_json ->> 'person_id' END)::uuid
$$;

CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_json jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_json jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_json jsonb := coalesce(new_json, old_json);
BEGIN
    INSERT INTO audit_log (actor, action, table_name, city_code, row_id, person_id,
                           org_code, changes)
    VALUES (audit_actor(), lower(TG_OP), TG_TABLE_NAME, row_json ->> 'city_code',
            coalesce(row_json ->> 'id', row_json ->> 'visit_id', row_json ->> 'case_id')::uuid,
            audit_person_of(row_json, TG_TABLE_NAME),
            row_json ->> 'org_code',
            CASE WHEN TG_OP = 'UPDATE' THEN audit_diff(old_json, new_json) END);
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION audit_bulk_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF coalesce(current_setting('tongxin.bulk_load', true), '') <> 'on' THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM app_user WHERE pg_role = audit_actor()) THEN
        INSERT INTO audit_log (actor, action, table_name, city_code, row_id, person_id,
                               org_code)
        SELECT audit_actor(), 'insert', TG_TABLE_NAME, r ->> 'city_code',
               coalesce(r ->> 'id', r ->> 'visit_id', r ->> 'case_id')::uuid,
               audit_person_of(r, TG_TABLE_NAME), r ->> 'org_code'
          FROM (SELECT to_jsonb(n_r) AS r FROM new_rows n_r) AS inserted;
        RETURN NULL;
    END IF;
    SELECT count(*) INTO n FROM new_rows;
    IF n > 0 THEN
        INSERT INTO audit_log (actor, action, table_name, row_count, purpose)
        VALUES (audit_actor(), 'bulk_insert', TG_TABLE_NAME, n,
                current_setting('tongxin.bulk_purpose', true));
    END IF;
    RETURN NULL;
END;
$$;

-- Hand-overs between grids (人员迁移交接) -------------------------------------------------

CREATE TABLE person_move (
    city_code   char(4) NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    person_id   uuid NOT NULL,
    from_org    text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    to_org      text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    moved_on    date NOT NULL,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    moved_by    text NOT NULL,
    moved_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(from_org, 4) AND city_code = left(to_org, 4))
);
CREATE INDEX person_move_person_idx ON person_move (city_code, person_id);
COMMENT ON TABLE person_move IS '网格间移交记录 / hand-overs of a person between grids';
COMMENT ON COLUMN person_move.city_code IS '城市代码 / city code';
COMMENT ON COLUMN person_move.id IS '序号 / sequence number';
COMMENT ON COLUMN person_move.person_id IS '人员 / the person';
COMMENT ON COLUMN person_move.from_org IS '移出网格 / grid handing over';
COMMENT ON COLUMN person_move.to_org IS '接收网格 / grid taking over';
COMMENT ON COLUMN person_move.moved_on IS '迁移日期 / date of the move';
COMMENT ON COLUMN person_move.note IS '说明 / note';
COMMENT ON COLUMN person_move.moved_by IS '经办人 / by whom';
COMMENT ON COLUMN person_move.moved_at IS '办理时间 / recorded at';

-- Drafts of forms (草稿) ------------------------------------------------------------------
-- What a user has typed but not saved, kept so a dropped session loses nothing. The
-- payload is the form as JSON, sealed with the app's key (it may hold an ID number),
-- and only its owner can see it.

CREATE TABLE form_draft (
    owner         text NOT NULL DEFAULT current_user,
    form          text NOT NULL CHECK (form IN ('person', 'visit')),
    subject       uuid NOT NULL,
    city_code     char(4) NOT NULL,
    org_code      text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    base_version  integer,
    payload       bytea NOT NULL,
    saved_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, form, subject),
    CHECK (city_code = left(org_code, 4))
);
COMMENT ON TABLE form_draft IS '表单草稿(加密) / drafts of forms, encrypted';
COMMENT ON COLUMN form_draft.owner IS '草稿所有人(数据库角色) / owner (database role)';
COMMENT ON COLUMN form_draft.form IS '表单 / which form';
COMMENT ON COLUMN form_draft.subject IS '所编辑的记录 / the record being edited or created';
COMMENT ON COLUMN form_draft.city_code IS '城市代码 / city code';
COMMENT ON COLUMN form_draft.org_code IS '所属单元 / org unit';
COMMENT ON COLUMN form_draft.base_version IS '编辑起始版本 / version the edit started from';
COMMENT ON COLUMN form_draft.payload IS '表单内容(AES-GCM加密) / the form, encrypted';
COMMENT ON COLUMN form_draft.saved_at IS '保存时间 / saved at';

-- The visit workflow, enforced for every app role --------------------------------------
-- Grid workers (and admins) write drafts and submit them; supervisors (and admins)
-- approve or return what was submitted, a return always with a comment. Nothing
-- submitted or approved is edited. Operators (no app user) are not restricted.

CREATE FUNCTION visit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    kind text := tx_user_kind(current_user::text);
    writes boolean := kind IN ('grid_worker', 'admin');
    reviews boolean := kind IN ('supervisor', 'admin');
BEGIN
    IF kind IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT writes OR NEW.status NOT IN ('draft', 'submitted') THEN
            RAISE EXCEPTION 'visit: a new visit is a draft or submitted'
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.reviewed_at := NULL;
        NEW.reviewed_by := NULL;
        NEW.review_comment := '';
    ELSIF OLD.status IN ('draft', 'returned') AND NEW.status IN (OLD.status, 'submitted') THEN
        IF NOT writes THEN
            RAISE EXCEPTION 'visit: only grid workers edit and submit visits'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The review stays as the reviewer left it.
        NEW.reviewed_at := OLD.reviewed_at;
        NEW.reviewed_by := OLD.reviewed_by;
        NEW.review_comment := OLD.review_comment;
    ELSIF OLD.status = 'submitted' AND NEW.status IN ('approved', 'returned') THEN
        IF NOT reviews THEN
            RAISE EXCEPTION 'visit: only supervisors approve or return visits'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.reviewed_at := now();
        NEW.reviewed_by := current_user;
    ELSE
        RAISE EXCEPTION 'visit: a % visit cannot become %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'submitted' THEN
        NEW.submitted_at := now();
    ELSIF TG_OP = 'INSERT' THEN
        NEW.submitted_at := NULL;
    ELSE
        NEW.submitted_at := OLD.submitted_at;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER visit_guard BEFORE INSERT OR UPDATE ON visit
    FOR EACH ROW EXECUTE FUNCTION visit_guard();

-- Registered elsewhere? ---------------------------------------------------------------
-- Creating a person whose ID is already registered must open that record, or, when
-- it lies outside the user's scope, say whom to contact without showing any of it.
-- The lookup is logged as a reveal: it discloses where someone is registered.

CREATE FUNCTION tx_id_holder(hmacs bytea[])
RETURNS TABLE (city_code char(4), id uuid, org_code text, org_path text, contacts text,
               visible boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    scope text := tx_user_scope(actor);
BEGIN
    IF scope IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO audit_log (actor, action, table_name, city_code, person_id, org_code, purpose)
    SELECT actor, 'reveal', 'person.registered_where', p.city_code, p.id, p.org_code,
           '登记查重 / duplicate check on registration'
      FROM person p
     WHERE p.id_number_hmac = ANY(hmacs) AND NOT (p.org_code >= scope AND p.org_code < scope || ':')
     LIMIT 1;
    RETURN QUERY
    SELECT p.city_code, p.id, p.org_code::text,
           (SELECT string_agg(o.name, ' ' ORDER BY length(o.code))
              FROM org_unit o
             WHERE length(o.code) >= 6 AND o.code = left(p.org_code, length(o.code))),
           (SELECT string_agg(coalesce(nullif(u.display_name, ''), u.name), '、'
                              ORDER BY u.name)
              FROM app_user u
             WHERE u.disabled_at IS NULL AND u.role_kind = 'grid_worker'
               AND p.org_code >= u.org_code AND p.org_code < u.org_code || ':'),
           p.org_code >= scope AND p.org_code < scope || ':'
      FROM person p
     WHERE p.id_number_hmac = ANY(hmacs)
     LIMIT 1;
END;
$$;
REVOKE ALL ON FUNCTION tx_id_holder(bytea[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_id_holder(bytea[]) TO tongxin_app;

-- Hand-over to another grid of the same city ----------------------------------------------
-- The receiving grid is outside a grid worker's scope, so RLS alone would refuse the
-- update; this definer checks what it must: the person is in the caller's scope, the
-- caller may write, the target is a grid of the same city, the version matches.
-- Returns the new version, or NULL when the version is stale.

CREATE FUNCTION tx_hand_over(p_city char(4), p_id uuid, p_version integer, p_target text,
                             p_on date, p_note text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    scope text := tx_user_scope(actor);
    kind text := tx_user_kind(actor);
    current_org text;
    new_version integer;
BEGIN
    IF scope IS NULL OR kind NOT IN ('grid_worker', 'supervisor', 'admin') THEN
        RAISE EXCEPTION 'hand-over: you may not hand persons over'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT p.org_code INTO current_org FROM person p
     WHERE p.city_code = p_city AND p.id = p_id
       AND p.org_code >= scope AND p.org_code < scope || ':';
    IF current_org IS NULL THEN
        RAISE EXCEPTION 'hand-over: person not found in your scope'
            USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM org_unit o WHERE o.code = p_target AND o.level = 'grid'
                      AND o.city_code = p_city) THEN
        RAISE EXCEPTION 'grid: % is not a grid of this city', p_target
            USING ERRCODE = 'check_violation';
    END IF;
    IF p_target = current_org THEN
        RAISE EXCEPTION 'grid: the person is already in that grid'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE person SET org_code = p_target, status = 'registered', status_changed_on = p_on,
                      version = version + 1
     WHERE city_code = p_city AND id = p_id AND version = p_version
    RETURNING version INTO new_version;
    IF new_version IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE household_member SET org_code = p_target WHERE city_code = p_city AND person_id = p_id;
    UPDATE consent_record SET org_code = p_target WHERE city_code = p_city AND person_id = p_id;
    INSERT INTO person_move (city_code, person_id, from_org, to_org, moved_on, note, moved_by)
    VALUES (p_city, p_id, current_org, p_target, p_on, coalesce(p_note, ''), actor);
    RETURN new_version;
END;
$$;
REVOKE ALL ON FUNCTION tx_hand_over(char, uuid, integer, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_hand_over(char, uuid, integer, text, date, text) TO tongxin_app;

-- Grants ----------------------------------------------------------------------------------

GRANT SELECT ON visit, visit_person, assistance_request, dispute_sweep, dispute_case,
    dispute_party, person_move TO tongxin_app;
GRANT INSERT, UPDATE ON visit, visit_person, assistance_request, dispute_sweep, dispute_case,
    dispute_party TO tongxin_grid_worker, tongxin_admin;
GRANT DELETE ON visit_person, assistance_request, dispute_party
    TO tongxin_grid_worker, tongxin_admin;
GRANT DELETE ON visit, dispute_sweep, dispute_case TO tongxin_admin;
-- Supervisors review visits and follow needs and cases up; they change nothing else.
GRANT UPDATE (status, review_comment, version) ON visit TO tongxin_supervisor;
GRANT UPDATE (status, department_code, due_on, outcome, resolved_on, version)
    ON assistance_request TO tongxin_supervisor;
GRANT UPDATE (status, department_code, mediation_plan, resolved_on, version)
    ON dispute_case TO tongxin_supervisor;
GRANT SELECT, INSERT, UPDATE, DELETE ON form_draft TO tongxin_app;

-- Row-level security: each table's own org_code, as in V002 ------------------------------

DO $$
DECLARE
    t text;
    in_scope constant text :=
        'org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || '':''';
BEGIN
    FOREACH t IN ARRAY ARRAY['visit', 'visit_person', 'assistance_request', 'dispute_sweep',
                             'dispute_case', 'dispute_party', 'person_move'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %1$s_read ON %1$I FOR SELECT TO tongxin_app USING (%2$s)',
                       t, replace(in_scope, 'org_code',
                                  CASE t WHEN 'person_move' THEN 'to_org' ELSE 'org_code' END));
    END LOOP;
    -- A hand-over stays visible to the grid that handed over, too.
    EXECUTE 'CREATE POLICY person_move_read_from ON person_move FOR SELECT TO tongxin_app USING ('
            || replace(in_scope, 'org_code', 'from_org') || ')';
    FOREACH t IN ARRAY ARRAY['visit', 'assistance_request', 'dispute_sweep', 'dispute_case']
    LOOP
        EXECUTE format('CREATE POLICY %1$s_insert ON %1$I FOR INSERT '
                       'TO tongxin_grid_worker, tongxin_admin WITH CHECK (%2$s)', t, in_scope);
        EXECUTE format('CREATE POLICY %1$s_update ON %1$I FOR UPDATE '
                       'TO tongxin_grid_worker, tongxin_supervisor, tongxin_admin '
                       'USING (%2$s) WITH CHECK (%2$s)', t, in_scope);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['visit', 'dispute_sweep', 'dispute_case'] LOOP
        EXECUTE format('CREATE POLICY %1$s_delete ON %1$I FOR DELETE TO tongxin_admin '
                       'USING (%2$s)', t, in_scope);
    END LOOP;
    -- A need may be withdrawn until it is referred.
    EXECUTE format('CREATE POLICY assistance_request_delete ON assistance_request FOR DELETE '
                   'TO tongxin_grid_worker, tongxin_admin '
                   'USING (%s AND status IN (''pending'', ''open''))', in_scope);
    -- Links to persons: only to a person the writer can see.
    FOREACH t IN ARRAY ARRAY['visit_person', 'dispute_party'] LOOP
        EXECUTE format('CREATE POLICY %1$s_insert ON %1$I FOR INSERT '
                       'TO tongxin_grid_worker, tongxin_admin WITH CHECK (%2$s AND '
                       '(person_id IS NULL OR EXISTS (SELECT 1 FROM person p '
                       'WHERE p.city_code = %1$I.city_code AND p.id = %1$I.person_id)))',
                       t, in_scope);
        EXECUTE format('CREATE POLICY %1$s_update ON %1$I FOR UPDATE '
                       'TO tongxin_grid_worker, tongxin_admin USING (%2$s) WITH CHECK (%2$s)',
                       t, in_scope);
        EXECUTE format('CREATE POLICY %1$s_delete ON %1$I FOR DELETE '
                       'TO tongxin_grid_worker, tongxin_admin USING (%2$s)', t, in_scope);
    END LOOP;
END;
$$;

ALTER TABLE form_draft ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_draft FORCE ROW LEVEL SECURITY;
CREATE POLICY form_draft_own ON form_draft FOR ALL TO tongxin_app
    USING (owner = current_user)
    WITH CHECK (owner = current_user
                AND org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');

-- The audit trail covers the new tables of personal data ------------------------------------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['visit', 'visit_person', 'assistance_request', 'dispute_case',
                             'dispute_party'] LOOP
        EXECUTE format(
            'CREATE TRIGGER %1$s_audit_insert AFTER INSERT ON %1$I FOR EACH ROW '
            'WHEN (coalesce(current_setting(%2$L, true), %3$L) <> %4$L) '
            'EXECUTE FUNCTION audit_row()', t, 'tongxin.bulk_load', '', 'on');
        EXECUTE format(
            'CREATE TRIGGER %1$s_audit_change AFTER UPDATE OR DELETE ON %1$I '
            'FOR EACH ROW EXECUTE FUNCTION audit_row()', t);
        EXECUTE format(
            'CREATE TRIGGER %1$s_audit_bulk AFTER INSERT ON %1$I '
            'REFERENCING NEW TABLE AS new_rows '
            'FOR EACH STATEMENT EXECUTE FUNCTION audit_bulk_insert()', t);
    END LOOP;
END;
$$;
