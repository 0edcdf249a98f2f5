-- V010: one protection and workflow kernel for every table of personal data or casework.
--
-- Until now each migration wrote its own policies, grants and triggers, table by table,
-- and the differences were holes: child rows linked to persons out of scope, an approved
-- visit changed through its children, authors approving their own work, stamps taken
-- as the client sent them, table-wide grants that let any role lock a whole table.
-- Here one declaration, tx_protect(), gives a table everything it needs, and one
-- declaration, tx_submission(), puts a table on the one review workflow. Every table
-- is moved onto them below; later migrations declare their tables the same way.
--
-- Why a V file and not a repeatable one: the declarations in this and later V files
-- call these functions while migrating, before repeatable files are applied. A change
-- to them is a new V file (CREATE OR REPLACE), like any change of schema.

-- Who acts ---------------------------------------------------------------------------------
-- Operators (the owner that migrates, seeds and runs the `tongxin` commands) bypass
-- row-level security; the guards below leave them alone too. Everyone else must be an
-- app user acting as their own role; a group role (SET ROLE tongxin_grid_worker) or the
-- gateway on its own writes nothing.

CREATE FUNCTION tx_operator() RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_roles r
                      WHERE r.rolname = current_user), false)
$$;

CREATE FUNCTION tx_acting_kind() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    kind text := tx_user_kind(current_user::text);
BEGIN
    IF kind IS NULL THEN
        RAISE EXCEPTION 'role %: not an app user; act as your own role', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN kind;
END;
$$;

CREATE FUNCTION tx_in_scope(scope_column text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT format('%1$I >= (SELECT tx_scope()) AND %1$I < (SELECT tx_scope()) || %2$L',
                  scope_column, ':')
$$;

-- The declarations ---------------------------------------------------------------------------

CREATE TABLE kernel_table (
    table_name       text PRIMARY KEY,
    scope_column     text NOT NULL,
    writers          text[] NOT NULL,
    parent_table     text,
    parent_column    text,
    person_column    text,
    frozen_columns   text[],
    removable_when   text,
    item_column      text,
    once_columns     text[],
    steps            jsonb,
    audited          boolean NOT NULL,
    why_not_audited  text,
    CHECK (audited OR why_not_audited IS NOT NULL),
    CHECK ((parent_table IS NULL) = (parent_column IS NULL))
);
COMMENT ON TABLE kernel_table IS '受保护的数据表及其声明 / protected tables and their declaration';
COMMENT ON COLUMN kernel_table.table_name IS '数据表 / table';
COMMENT ON COLUMN kernel_table.scope_column IS '所属单元列 / column holding the org code a row belongs to';
COMMENT ON COLUMN kernel_table.writers IS '可写入的角色类型 / role kinds that insert and update';
COMMENT ON COLUMN kernel_table.parent_table IS '上级记录表(子记录) / table of the parent record, for child rows';
COMMENT ON COLUMN kernel_table.parent_column IS '指向上级记录的列 / column holding the parent''s id';
COMMENT ON COLUMN kernel_table.person_column IS '指向人员的列 / column holding a person''s id';
COMMENT ON COLUMN kernel_table.frozen_columns IS '上级提交后不可改的列(空:全部) / columns frozen once the parent is submitted (NULL: all)';
COMMENT ON COLUMN kernel_table.removable_when IS '可删除的子记录条件 / which child rows may be removed';
COMMENT ON COLUMN kernel_table.item_column IS '子记录在上级内的标识列 / column that tells child rows of one parent apart';
COMMENT ON COLUMN kernel_table.once_columns IS '只写一次的列 / columns written once (a withdrawal)';
COMMENT ON COLUMN kernel_table.steps IS '状态可走的步骤 / the steps the status may take';
COMMENT ON COLUMN kernel_table.audited IS '写入有审计 / writes are audited';
COMMENT ON COLUMN kernel_table.why_not_audited IS '不审计的理由 / why writes are not audited';

CREATE TABLE submission_kind (
    kind        text PRIMARY KEY,
    table_name  text NOT NULL UNIQUE REFERENCES kernel_table (table_name),
    reviewers   text[] NOT NULL,
    title_sql   text NOT NULL,
    detail_sql  text NOT NULL,
    day_sql     text NOT NULL
);
COMMENT ON TABLE submission_kind IS '需审核的记录类型 / kinds of record that go through review';
COMMENT ON COLUMN submission_kind.kind IS '类型 / kind';
COMMENT ON COLUMN submission_kind.table_name IS '数据表 / table';
COMMENT ON COLUMN submission_kind.reviewers IS '审核角色类型 / role kinds that approve or return';
COMMENT ON COLUMN submission_kind.title_sql IS '待审列表中的标题(SQL, 别名 r) / title in the review queue (SQL over alias r)';
COMMENT ON COLUMN submission_kind.detail_sql IS '待审列表中的类别代码(SQL, 别名 r) / what sort of record it is, a code (SQL over alias r)';
COMMENT ON COLUMN submission_kind.day_sql IS '待审列表中的日期(SQL, 别名 r) / date in the review queue (SQL over alias r)';

GRANT SELECT ON kernel_table, submission_kind TO tongxin_app;

-- Stamps: who and when, from the database, whatever the client sent ---------------------------

-- Operators (imports of older records, demo history) keep the stamps they load; an
-- app role's are always the database's. Who recorded a consent and who filed a sweep
-- are stamps too, under their tables' own names.
CREATE FUNCTION tx_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    moment timestamptz := clock_timestamp();
    old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    stamps jsonb;
BEGIN
    IF TG_OP = 'INSERT' AND tx_operator() THEN
        RETURN NEW;
    END IF;
    -- clock_timestamp, not now(): rows saved in one transaction (a visit's needs) keep
    -- the order they were written in.
    IF TG_OP = 'INSERT' THEN
        stamps := jsonb_build_object('created_by', actor, 'created_at', moment,
                                     'recorded_by', actor, 'filed_by', actor,
                                     'filed_at', moment);
    ELSE
        stamps := jsonb_build_object('created_by', old_row -> 'created_by',
                                     'created_at', old_row -> 'created_at',
                                     'recorded_by', old_row -> 'recorded_by',
                                     'filed_by', old_row -> 'filed_by',
                                     'filed_at', old_row -> 'filed_at');
    END IF;
    stamps := stamps || jsonb_build_object('updated_by', actor, 'updated_at', moment);
    -- Columns a table lacks are ignored: one function serves every table.
    NEW := jsonb_populate_record(NEW, jsonb_strip_nulls(stamps));
    RETURN NEW;
END;
$$;

-- Bulk loads (one audit row per statement, no stamps or child checks row by row) are
-- for operators only: with tongxin.bulk_load on, any other role's statement is refused.
CREATE FUNCTION tx_bulk_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF coalesce(current_setting('tongxin.bulk_load', true), '') = 'on' AND NOT tx_operator() THEN
        RAISE EXCEPTION 'tongxin.bulk_load is for operators, not for %', current_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;

-- Child rows follow their parent -----------------------------------------------------------
-- A child row (a household member, a consent, a need, a visit's person, a dispute's
-- party) is written only when its parent and its person are visible to the writer (the
-- lookups below run as the writer, under row-level security); it carries the parent's
-- org code (or, without a parent, its person's); and while its parent is submitted or
-- approved it is frozen like the parent itself.

-- The parent of a child row, as the caller sees it: its org code and whether it is
-- frozen. A parent that goes through review is locked (FOR SHARE) so that it cannot be
-- submitted or approved while the caller's transaction changes its children: a submit
-- waits for it, and a child written after a submit waits and then finds it frozen.
CREATE FUNCTION tx_parent_of(parent_table text, city char(4), parent_id uuid,
                             OUT org text, OUT frozen boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM submission_kind s WHERE s.table_name = parent_table) THEN
        EXECUTE format('SELECT org_code, status IN (''submitted'', ''approved'') FROM %I '
                       'WHERE city_code = $1 AND id = $2 FOR SHARE', parent_table)
           INTO org, frozen USING city, parent_id;
    ELSE
        EXECUTE format('SELECT org_code, false FROM %I WHERE city_code = $1 AND id = $2',
                       parent_table)
           INTO org, frozen USING city, parent_id;
    END IF;
END;
$$;

CREATE FUNCTION tx_child_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    d kernel_table;
    row_new jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_old jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    changed boolean;
    parent record;
    person_id uuid;
    org text;
BEGIN
    IF tx_operator() THEN
        RETURN coalesce(NEW, OLD);
    END IF;
    PERFORM tx_acting_kind();
    SELECT * INTO d FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME;
    changed := TG_OP <> 'UPDATE' OR d.frozen_columns IS NULL
               OR EXISTS (SELECT 1 FROM unnest(d.frozen_columns) c
                           WHERE row_new -> c IS DISTINCT FROM row_old -> c);
    -- What the row was attached to: frozen there, nothing about it changes.
    IF TG_OP <> 'INSERT' AND d.parent_table IS NOT NULL
       AND row_old ->> d.parent_column IS NOT NULL THEN
        parent := tx_parent_of(d.parent_table, OLD.city_code, (row_old ->> d.parent_column)::uuid);
        IF parent.frozen AND changed THEN
            RAISE EXCEPTION '%: its % is submitted or approved; it is no longer changed',
                TG_TABLE_NAME, d.parent_table USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    person_id := CASE WHEN d.person_column IS NOT NULL
                      THEN (row_new ->> d.person_column)::uuid END;
    IF person_id IS NOT NULL THEN
        SELECT p.org_code INTO org FROM person p
         WHERE p.city_code = NEW.city_code AND p.id = person_id;
        IF org IS NULL THEN
            RAISE EXCEPTION '%: person not found in your scope', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF d.parent_table IS NOT NULL AND row_new ->> d.parent_column IS NOT NULL THEN
        parent := tx_parent_of(d.parent_table, NEW.city_code, (row_new ->> d.parent_column)::uuid);
        IF parent.org IS NULL THEN
            RAISE EXCEPTION '%: its % is not found in your scope', TG_TABLE_NAME, d.parent_table
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF parent.frozen AND changed THEN
            RAISE EXCEPTION '%: its % is submitted or approved; it is no longer changed',
                TG_TABLE_NAME, d.parent_table USING ERRCODE = 'check_violation';
        END IF;
        org := parent.org;
    END IF;
    -- With neither parent nor person (a case found outside a sweep) the row keeps its
    -- own org code, which the policies check.
    IF org IS NOT NULL THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(d.scope_column, org));
    END IF;
    RETURN NEW;
END;
$$;

-- Columns written once (a consent's withdrawal): when one holds a value, none changes.
CREATE FUNCTION tx_once_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    once text[] := (SELECT k.once_columns FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME);
    row_new jsonb := to_jsonb(NEW);
    row_old jsonb := to_jsonb(OLD);
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(once) c
                WHERE row_old ->> c IS NOT NULL AND row_old ->> c <> '')
       AND EXISTS (SELECT 1 FROM unnest(once) c WHERE row_new -> c IS DISTINCT FROM row_old -> c)
    THEN
        RAISE EXCEPTION '%: % is written once; it is not changed or taken back',
            TG_TABLE_NAME, array_to_string(once, ', ') USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

-- The steps a status may take (a need: referred, then resolved or closed); a status no
-- step leaves from is final.
CREATE FUNCTION tx_step_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    steps jsonb := (SELECT k.steps FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME);
BEGIN
    IF tx_operator() OR NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    IF NOT coalesce(steps -> OLD.status ? NEW.status, false) THEN
        RAISE EXCEPTION '%: it is %; it cannot become %', TG_TABLE_NAME, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

-- Removing child rows: no app role holds DELETE on any table (a table-level DELETE or
-- UPDATE grant lets its holder LOCK the table and stall the city), so a form that drops
-- a person or a need from a draft removes them through this function. It checks what
-- the policies would: the caller is an app user who may write the table, the parent is
-- in their scope and not submitted or approved, and only the rows the declaration lets
-- go are removed.
CREATE FUNCTION tx_remove_children(p_table text, p_city char(4), p_parent uuid, p_keep uuid[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    actor text := audit_actor();
    kind text := tx_user_kind(actor);
    scope text := tx_user_scope(actor);
    d kernel_table;
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
    parent := tx_parent_of(d.parent_table, p_city, p_parent);
    IF parent.org IS NULL OR NOT (parent.org >= scope AND parent.org < scope || ':') THEN
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
REVOKE ALL ON FUNCTION tx_remove_children(text, char, uuid, uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_remove_children(text, char, uuid, uuid[]) TO tongxin_app;

-- The declaration of a protected table ------------------------------------------------------

CREATE FUNCTION tx_kind_roles(kinds text[]) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT string_agg(format('%I', 'tongxin_' || k), ', ' ORDER BY k) FROM unnest(kinds) k
$$;

CREATE FUNCTION tx_column_list(cols text[]) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT string_agg(format('%I', c), ', ' ORDER BY c) FROM unnest(cols) c
$$;

-- The columns of p_table a writer may update when the declaration names none: all but
-- the key, the scope, the stamps and generated columns.
CREATE FUNCTION tx_updatable_columns(p_table text, p_scope text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT array_agg(a.attname::text ORDER BY a.attnum)
      FROM pg_attribute a
     WHERE a.attrelid = p_table::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attgenerated = '' AND a.attidentity = ''
       AND a.attname NOT IN ('created_by', 'created_at', 'updated_by', 'updated_at')
       AND a.attname <> p_scope
       AND NOT EXISTS (SELECT 1 FROM pg_index i
                        WHERE i.indrelid = a.attrelid AND i.indisprimary
                          AND a.attnum = ANY (i.indkey))
$$;

CREATE FUNCTION tx_has_column(p_table text, p_column text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = p_table::regclass AND a.attname = p_column
                      AND a.attnum > 0 AND NOT a.attisdropped)
$$;

-- One trigger, made to fire ALWAYS: a replica session role skips none of them.
CREATE FUNCTION tx_trigger(p_table text, p_suffix text, p_when text, p_for text,
                           p_function text)
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I %s ON %I %s EXECUTE FUNCTION %s',
                   p_table || p_suffix, p_when, p_table, p_for, p_function);
    EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER %I', p_table, p_table || p_suffix);
END;
$$;

CREATE FUNCTION tx_protect(
    p_table          text,
    p_writers        text[] DEFAULT ARRAY['grid_worker', 'admin'],
    p_scope          text DEFAULT 'org_code',
    p_read           text DEFAULT 'scope',
    p_columns        text[] DEFAULT NULL,
    p_also           jsonb DEFAULT '{}',
    p_parent         text DEFAULT NULL,
    p_parent_column  text DEFAULT NULL,
    p_person         text DEFAULT NULL,
    p_frozen         text[] DEFAULT NULL,
    p_removable      text DEFAULT NULL,
    p_item           text DEFAULT NULL,
    p_once           text[] DEFAULT NULL,
    p_steps          jsonb DEFAULT NULL,
    p_audit          boolean DEFAULT true,
    p_why_not_audited text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
-- p_read: 'scope' (every kind reads its subtree), 'all' (every row, e.g. org units) or
-- 'own' (the caller writes its own policies after this call).
-- p_columns: what p_writers may update (NULL: tx_updatable_columns).
-- p_also: other kinds and the columns they may update, e.g. {"supervisor": ["status"]}.
-- p_parent, p_parent_column, p_person: a child row's parent table, the column holding
-- the parent's id, the column holding a person's id; p_frozen: the columns frozen while
-- the parent is submitted or approved (NULL: all); p_removable and p_item: which child
-- rows tx_remove_children may remove, and the column it keeps them by.
-- p_once: columns written once: when one of them holds a value, none of them changes.
-- p_steps: the steps its status may take, e.g. {"open": ["resolved", "closed"]}; a
-- status no step leaves from is final.
DECLARE
    t text := format('%I', p_table);
    in_scope text := tx_in_scope(p_scope);
    -- Row triggers skip their work in a superuser's bulk load. The test is made per
    -- row (a setting can be changed within a statement) and is cheap.
    not_bulk constant text := 'coalesce(current_setting(''tongxin.bulk_load'', true), '''') '
                              '<> ''on'' OR current_setting(''is_superuser'') <> ''on''';
    policy record;
    kind text;
    cols text[];
BEGIN
    FOR policy IN SELECT policyname FROM pg_policies
                   WHERE schemaname = 'public' AND tablename = p_table LOOP
        EXECUTE format('DROP POLICY %I ON %s', policy.policyname, t);
    END LOOP;
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, tongxin_app, tongxin_grid_worker, '
                   'tongxin_supervisor, tongxin_admin, tongxin_auditor, tongxin_gateway', t);
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);

    EXECUTE format('GRANT SELECT ON %s TO tongxin_app', t);
    IF p_read = 'scope' THEN
        EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO tongxin_app USING (%s)',
                       p_table || '_read', t, in_scope);
    ELSIF p_read = 'all' THEN
        EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO tongxin_app USING (true)',
                       p_table || '_read', t);
    ELSIF p_read <> 'own' THEN
        RAISE EXCEPTION 'tx_protect: p_read is scope, all or own, not %', p_read;
    END IF;

    IF cardinality(p_writers) > 0 THEN
        EXECUTE format('GRANT INSERT ON %s TO %s', t, tx_kind_roles(p_writers));
        cols := coalesce(p_columns, tx_updatable_columns(p_table, p_scope));
        IF cardinality(cols) > 0 THEN
            EXECUTE format('GRANT UPDATE (%s) ON %s TO %s',
                           tx_column_list(cols), t, tx_kind_roles(p_writers));
        END IF;
        IF p_read <> 'own' THEN
            EXECUTE format('CREATE POLICY %I ON %s FOR INSERT TO %s WITH CHECK (%s)',
                           p_table || '_insert', t, tx_kind_roles(p_writers), in_scope);
            EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO %s USING (%s) WITH CHECK (%s)',
                           p_table || '_update', t, tx_kind_roles(p_writers), in_scope,
                           in_scope);
        END IF;
    END IF;
    FOR kind, cols IN SELECT key, ARRAY(SELECT jsonb_array_elements_text(value))
                        FROM jsonb_each(p_also) LOOP
        EXECUTE format('GRANT UPDATE (%s) ON %s TO %s',
                       tx_column_list(cols), t, tx_kind_roles(ARRAY[kind]));
        IF p_read <> 'own' THEN
            EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO %s USING (%s) WITH CHECK (%s)',
                           p_table || '_update_' || kind, t, tx_kind_roles(ARRAY[kind]),
                           in_scope, in_scope);
        END IF;
    END LOOP;

    -- Triggers: first drop what earlier migrations made by hand.
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', p_table || '_touch', t);
    FOREACH kind IN ARRAY ARRAY['_stamp_insert', '_stamp_update', '_child', '_bulk_guard',
                                '_once', '_steps', '_audit_insert', '_audit_change',
                                '_audit_bulk'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', p_table || kind, t);
    END LOOP;
    -- Every statement: tongxin.bulk_load is refused to all but operators at once.
    PERFORM tx_trigger(p_table, '_bulk_guard', 'BEFORE INSERT OR UPDATE OR DELETE',
                       'FOR EACH STATEMENT', 'tx_bulk_guard()');
    IF EXISTS (SELECT 1 FROM unnest(ARRAY['created_by', 'created_at', 'updated_by', 'updated_at',
                                          'recorded_by', 'filed_by', 'filed_at']) c
                WHERE tx_has_column(p_table, c)) THEN
        -- A superuser's bulk load keeps the stamps it loads.
        PERFORM tx_trigger(p_table, '_stamp_insert', 'BEFORE INSERT',
                           'FOR EACH ROW WHEN (' || not_bulk || ')', 'tx_stamp()');
        PERFORM tx_trigger(p_table, '_stamp_update', 'BEFORE UPDATE', 'FOR EACH ROW',
                           'tx_stamp()');
    END IF;
    IF p_parent IS NOT NULL OR p_person IS NOT NULL THEN
        PERFORM tx_trigger(p_table, '_child', 'BEFORE INSERT OR UPDATE OR DELETE',
                           'FOR EACH ROW WHEN (' || not_bulk || ')', 'tx_child_guard()');
    END IF;
    IF p_once IS NOT NULL THEN
        PERFORM tx_trigger(p_table, '_once', 'BEFORE UPDATE', 'FOR EACH ROW', 'tx_once_guard()');
    END IF;
    IF p_steps IS NOT NULL THEN
        PERFORM tx_trigger(p_table, '_steps', 'BEFORE UPDATE OF status', 'FOR EACH ROW',
                           'tx_step_guard()');
    END IF;
    IF p_audit THEN
        PERFORM tx_trigger(p_table, '_audit_insert', 'AFTER INSERT',
                           'FOR EACH ROW WHEN (' || not_bulk || ')', 'audit_row()');
        PERFORM tx_trigger(p_table, '_audit_change', 'AFTER UPDATE OR DELETE', 'FOR EACH ROW',
                           'audit_row()');
        PERFORM tx_trigger(p_table, '_audit_bulk', 'AFTER INSERT',
                           'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT',
                           'audit_bulk_insert()');
    END IF;

    INSERT INTO kernel_table (table_name, scope_column, writers, parent_table, parent_column,
                              person_column, frozen_columns, removable_when, item_column,
                              once_columns, steps, audited, why_not_audited)
    VALUES (p_table, p_scope, p_writers, p_parent,
            CASE WHEN p_parent IS NOT NULL THEN p_parent_column END, p_person, p_frozen,
            p_removable, p_item, p_once, p_steps, p_audit, p_why_not_audited)
    ON CONFLICT (table_name) DO UPDATE
       SET scope_column = EXCLUDED.scope_column, writers = EXCLUDED.writers,
           parent_table = EXCLUDED.parent_table, parent_column = EXCLUDED.parent_column,
           person_column = EXCLUDED.person_column, frozen_columns = EXCLUDED.frozen_columns,
           removable_when = EXCLUDED.removable_when, item_column = EXCLUDED.item_column,
           once_columns = EXCLUDED.once_columns, steps = EXCLUDED.steps,
           audited = EXCLUDED.audited, why_not_audited = EXCLUDED.why_not_audited;
END;
$$;
REVOKE ALL ON FUNCTION tx_protect FROM PUBLIC;

-- The one submission workflow -----------------------------------------------------------------
-- draft → submitted → approved | returned → submitted. The kind's writers write drafts
-- and submit them; its reviewers approve or return what was submitted, never their own
-- work (admins included), changing nothing but the status and the comment; a return
-- says what to fix. Submitted and approved records do not change. Every transition is
-- kept in status_history.

CREATE TABLE status_history (
    city_code    char(4) NOT NULL,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    kind         text NOT NULL REFERENCES submission_kind (kind),
    record_id    uuid NOT NULL,
    org_code     text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    from_status  text,
    to_status    text NOT NULL,
    actor        text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    comment      text NOT NULL DEFAULT '',
    PRIMARY KEY (city_code, id),
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX status_history_record_idx ON status_history (city_code, record_id, id);
COMMENT ON TABLE status_history IS '审核流程记录 / every transition of every submission';
COMMENT ON COLUMN status_history.city_code IS '城市代码 / city code';
COMMENT ON COLUMN status_history.id IS '序号 / sequence number';
COMMENT ON COLUMN status_history.kind IS '记录类型 / kind of record';
COMMENT ON COLUMN status_history.record_id IS '记录编号 / the record';
COMMENT ON COLUMN status_history.org_code IS '所属单元 / org unit of the record';
COMMENT ON COLUMN status_history.from_status IS '原状态 / status before';
COMMENT ON COLUMN status_history.to_status IS '新状态 / status after';
COMMENT ON COLUMN status_history.actor IS '操作人 / who';
COMMENT ON COLUMN status_history.at IS '时间 / when';
COMMENT ON COLUMN status_history.comment IS '审核意见 / the reviewer''s comment';

-- Whether `actor` wrote the record (made it, edited it, submitted it): the audit trail
-- has every write and status_history every submit. Their work, so they do not review
-- it; a review of theirs (status and comment only) does not count.
CREATE FUNCTION tx_took_part(p_table text, p_city char(4), p_id uuid, p_actor text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM audit_log a
                    WHERE a.city_code = p_city AND a.row_id = p_id AND a.table_name = p_table
                      AND a.actor = p_actor
                      AND (a.action = 'insert'
                           OR (a.action = 'update' AND NOT a.changes <@ jsonb_build_array(
                                   'status', 'review_comment', 'reviewed_at', 'reviewed_by'))))
        OR EXISTS (SELECT 1 FROM status_history h JOIN submission_kind k ON k.kind = h.kind
                    WHERE h.city_code = p_city AND h.record_id = p_id
                      AND k.table_name = p_table AND h.actor = p_actor
                      AND h.to_status = 'submitted')
$$;
REVOKE ALL ON FUNCTION tx_took_part(text, char, uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_took_part(text, char, uuid, text) TO tongxin_app;
CREATE INDEX audit_log_row_idx ON audit_log (city_code, row_id, id);

CREATE FUNCTION tx_workflow_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    writers text[] := (SELECT k.writers FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME);
    reviewers text[] := (SELECT s.reviewers FROM submission_kind s WHERE s.kind = TG_ARGV[0]);
    -- What a review may change; everything else stays as the author submitted it.
    review_columns constant text[] := ARRAY['status', 'review_comment', 'reviewed_at',
                                            'reviewed_by', 'version', 'updated_at',
                                            'updated_by'];
    kind text;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    kind := tx_acting_kind();
    IF TG_OP = 'INSERT' THEN
        IF NOT kind = ANY (writers) OR NEW.status NOT IN ('draft', 'submitted') THEN
            RAISE EXCEPTION '%: a new record is a draft or submitted, by its writers', TG_ARGV[0]
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.reviewed_at := NULL;
        NEW.reviewed_by := NULL;
        NEW.review_comment := '';
        NEW.submitted_at := CASE WHEN NEW.status = 'submitted' THEN now() END;
    ELSIF OLD.status IN ('draft', 'returned') AND NEW.status IN (OLD.status, 'submitted') THEN
        IF NOT kind = ANY (writers) THEN
            RAISE EXCEPTION '%: only its writers edit and submit it', TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.reviewed_at := OLD.reviewed_at;
        NEW.reviewed_by := OLD.reviewed_by;
        NEW.review_comment := OLD.review_comment;
        NEW.submitted_at := CASE WHEN NEW.status = 'submitted' AND OLD.status <> 'submitted'
                                 THEN now() ELSE OLD.submitted_at END;
    ELSIF OLD.status = 'submitted' AND NEW.status IN ('approved', 'returned') THEN
        IF NOT kind = ANY (reviewers) THEN
            RAISE EXCEPTION '%: only reviewers approve or return it', TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF audit_actor() = OLD.created_by
           OR tx_took_part(TG_TABLE_NAME, OLD.city_code, OLD.id, audit_actor()) THEN
            RAISE EXCEPTION '%: nobody approves or returns their own work', TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (to_jsonb(NEW) - review_columns) IS DISTINCT FROM (to_jsonb(OLD) - review_columns) THEN
            RAISE EXCEPTION '%: a review changes only the status and the comment', TG_ARGV[0]
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status = 'returned' AND length(btrim(NEW.review_comment)) = 0 THEN
            RAISE EXCEPTION 'comment: say what to fix when returning it'
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.reviewed_at := now();
        NEW.reviewed_by := audit_actor();
    ELSE
        RAISE EXCEPTION '%: it is %; it cannot become %', TG_ARGV[0], OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION tx_workflow_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status THEN
        INSERT INTO status_history (city_code, kind, record_id, org_code, from_status,
                                    to_status, actor, comment)
        VALUES (NEW.city_code, TG_ARGV[0], NEW.id, NEW.org_code,
                CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status, audit_actor(),
                CASE WHEN NEW.status IN ('approved', 'returned') THEN NEW.review_comment
                     ELSE '' END);
    END IF;
    RETURN NULL;
END;
$$;

-- What waits for review, across kinds: rebuilt whenever a kind is declared.
CREATE FUNCTION tx_rebuild_review_queue() RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    parts text;
BEGIN
    SELECT string_agg(format(
        'SELECT %L::text AS kind, r.city_code, r.id, r.org_code, g.name AS grid_name, '
        'c.name AS community_name, r.created_by AS author, '
        'coalesce(nullif(u.display_name, %L), u.name, r.created_by) AS author_name, '
        'r.submitted_at, r.version, (%s)::date AS day, (%s)::text AS title, '
        '(%s)::text AS detail, r.review_comment '
        'FROM %I r LEFT JOIN org_unit g ON g.code = r.org_code '
        'LEFT JOIN org_unit c ON c.code = g.parent_code '
        'LEFT JOIN app_user u ON u.pg_role = r.created_by '
        'WHERE r.status = %L',
        s.kind, '', s.day_sql, s.title_sql, s.detail_sql, s.table_name, 'submitted'),
        ' UNION ALL '
        ORDER BY s.kind)
      INTO parts FROM submission_kind s;
    EXECUTE 'DROP VIEW IF EXISTS review_queue';
    EXECUTE 'CREATE VIEW review_queue WITH (security_invoker = true) AS ' || parts;
    EXECUTE 'GRANT SELECT ON review_queue TO tongxin_app';
    COMMENT ON VIEW review_queue IS '待审核事项(各类) / what awaits review, of every kind';
END;
$$;

CREATE FUNCTION tx_submission(p_kind text, p_table text, p_reviewers text[], p_title_sql text,
                              p_detail_sql text, p_day_sql text)
RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
-- p_table must be declared with tx_protect first and have the workflow's columns:
-- status, submitted_at, reviewed_at, reviewed_by, review_comment, created_by, version.
DECLARE
    t text := format('%I', p_table);
BEGIN
    INSERT INTO submission_kind (kind, table_name, reviewers, title_sql, detail_sql, day_sql)
    VALUES (p_kind, p_table, p_reviewers, p_title_sql, p_detail_sql, p_day_sql)
    ON CONFLICT (kind) DO UPDATE
       SET table_name = EXCLUDED.table_name, reviewers = EXCLUDED.reviewers,
           title_sql = EXCLUDED.title_sql, detail_sql = EXCLUDED.detail_sql,
           day_sql = EXCLUDED.day_sql;
    EXECUTE format('GRANT UPDATE (status, review_comment, version) ON %s TO %s', t,
                   tx_kind_roles(p_reviewers));
    EXECUTE format('DROP POLICY IF EXISTS %I ON %s', p_table || '_review', t);
    EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO %s USING (%s) WITH CHECK (%s)',
                   p_table || '_review', t, tx_kind_roles(p_reviewers),
                   tx_in_scope('org_code'), tx_in_scope('org_code'));
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', p_table || '_workflow', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', p_table || '_workflow_history', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE ON %s FOR EACH ROW '
                   'EXECUTE FUNCTION tx_workflow_guard(%L)', p_table || '_workflow', t, p_kind);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %s FOR EACH ROW '
                   'EXECUTE FUNCTION tx_workflow_history(%L)',
                   p_table || '_workflow_history', t, p_kind);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t, p_table || '_workflow');
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t,
                   p_table || '_workflow_history');
    PERFORM tx_rebuild_review_queue();
END;
$$;
REVOKE ALL ON FUNCTION tx_submission FROM PUBLIC;

-- The audit trail names the org unit of rows that carry it under another name (a
-- hand-over's receiving grid, an org unit's own code), so their auditors see them.
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_json jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_json jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_json jsonb := coalesce(new_json, old_json);
    org text := coalesce(row_json ->> 'org_code', row_json ->> 'to_org', row_json ->> 'code');
BEGIN
    INSERT INTO audit_log (actor, action, table_name, city_code, row_id, person_id,
                           org_code, changes)
    VALUES (audit_actor(), lower(TG_OP), TG_TABLE_NAME, row_json ->> 'city_code',
            CASE WHEN row_json ->> 'id' ~ '^[0-9a-f-]{36}$' THEN (row_json ->> 'id')::uuid
                 ELSE coalesce(row_json ->> 'visit_id', row_json ->> 'case_id')::uuid END,
            audit_person_of(row_json, TG_TABLE_NAME), org,
            CASE WHEN TG_OP = 'UPDATE' THEN audit_diff(old_json, new_json) END);
    RETURN NULL;
END;
$$;

-- A bulk load's one row per statement, for a superuser's load only: everyone else's rows
-- were each audited (the row triggers' test, above).
CREATE OR REPLACE FUNCTION audit_bulk_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF coalesce(current_setting('tongxin.bulk_load', true), '') <> 'on'
       OR current_setting('is_superuser') <> 'on' THEN
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

-- Every table of personal data or casework, on the one declaration ---------------------------

DROP TRIGGER visit_guard ON visit;
DROP FUNCTION visit_guard();

SELECT tx_protect('person',
    p_columns => ARRAY['name', 'name_pinyin', 'name_initials', 'sex', 'ethnic_code',
                       'birth_date', 'id_number_enc', 'id_number_hmac', 'id_number_masked',
                       'origin_division_code', 'origin_address', 'current_address',
                       'occupation', 'employer', 'phone_enc', 'phone_hmac', 'phone_masked',
                       'arrival_date', 'residence_permit', 'languages', 'interpreter_needed',
                       'status', 'status_changed_on', 'notes', 'version'],
    -- Supervisors record that someone left or came back; they hand over through
    -- tx_hand_over and change no personal data.
    p_also => '{"supervisor": ["status", "status_changed_on", "version"]}');
SELECT tx_protect('household_member', p_parent => 'person', p_parent_column => 'person_id',
                  p_person => 'person_id', p_removable => 'true', p_item => 'id');
SELECT tx_protect('consent_record', p_parent => 'person', p_parent_column => 'person_id',
                  p_person => 'person_id',
                  -- What was consented to, and when, stays; a withdrawal is added to it,
                  -- once.
                  p_columns => ARRAY['withdrawn_on', 'withdrawal_note'],
                  p_once => ARRAY['withdrawn_on', 'withdrawal_note']);
SELECT tx_protect('visit',
    p_columns => ARRAY['kind', 'visited_on', 'place', 'notes', 'status', 'review_comment',
                       'version']);
SELECT tx_submission('visit', 'visit', ARRAY['supervisor', 'admin'],
    p_title_sql => $q$(SELECT string_agg(p.name, '、' ORDER BY p.name_pinyin, p.id)
                         FROM visit_person vp JOIN person p
                           ON p.city_code = vp.city_code AND p.id = vp.person_id
                        WHERE vp.city_code = r.city_code AND vp.visit_id = r.id)$q$,
    p_detail_sql => 'r.kind', p_day_sql => 'r.visited_on');
SELECT tx_protect('visit_person', p_parent => 'visit', p_parent_column => 'visit_id',
                  p_person => 'person_id', p_columns => ARRAY[]::text[],
                  p_item => 'person_id');
SELECT tx_protect('assistance_request', p_parent => 'visit', p_parent_column => 'visit_id',
    p_person => 'person_id',
    -- What the visit found is the visit's; the follow-up goes on after its approval.
    p_frozen => ARRAY['person_id', 'visit_id', 'category', 'description', 'raised_on'],
    p_removable => $q$status IN ('pending', 'open')$q$, p_item => 'id',
    -- Found on a draft (pending), open once submitted, then referred and followed to an
    -- outcome; resolved and closed are final.
    p_steps => '{"pending": ["open"], "open": ["referred", "resolved", "closed"],
                 "referred": ["resolved", "closed"]}',
    p_also => '{"supervisor": ["status", "department_code", "due_on", "outcome",
                               "resolved_on", "version"]}');
SELECT tx_protect('dispute_sweep');
SELECT tx_protect('dispute_case', p_parent => 'dispute_sweep', p_parent_column => 'sweep_id',
    p_frozen => ARRAY['sweep_id'],
    p_steps => '{"open": ["mediating", "resolved", "referred"],
                 "mediating": ["resolved", "referred"]}',
    p_also => '{"supervisor": ["status", "department_code", "mediation_plan", "resolved_on",
                               "version"]}');
SELECT tx_protect('dispute_party', p_parent => 'dispute_case', p_parent_column => 'case_id',
                  p_person => 'person_id', p_removable => 'true', p_item => 'seq');
SELECT tx_protect('person_move', p_writers => ARRAY[]::text[], p_scope => 'to_org');
-- A hand-over stays visible to the grid that handed over, too.
CREATE POLICY person_move_read_from ON person_move FOR SELECT TO tongxin_app
    USING (from_org >= (SELECT tx_scope()) AND from_org < (SELECT tx_scope()) || ':');
SELECT tx_protect('person_name_suffix', p_writers => ARRAY[]::text[], p_audit => false,
    p_why_not_audited => 'derived from person by triggers; the writes to person are audited');
SELECT tx_protect('status_history', p_writers => ARRAY[]::text[], p_audit => false,
    p_why_not_audited => 'a trail itself, written only by the workflow trigger');

-- Drafts: each owner's own, sealed; removed through tx_discard_draft (no DELETE grant).
SELECT tx_protect('form_draft', p_writers => ARRAY['grid_worker', 'supervisor', 'admin',
                                                   'auditor'],
    p_read => 'own', p_columns => ARRAY['city_code', 'org_code', 'base_version', 'payload',
                                        'saved_at'],
    p_audit => false,
    p_why_not_audited => 'an owner''s sealed scratch copy, stored every few seconds; the '
                         'record it becomes is audited when saved');
CREATE POLICY form_draft_own ON form_draft FOR ALL TO tongxin_app
    USING (owner = current_user)
    WITH CHECK (owner = current_user
                AND org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');

CREATE FUNCTION tx_discard_draft(p_form text, p_subject uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM form_draft WHERE owner = audit_actor() AND form = p_form AND subject = p_subject
$$;
REVOKE ALL ON FUNCTION tx_discard_draft(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_discard_draft(text, uuid) TO tongxin_app;

-- The audit trail has its own policies (V003); it is listed here so the catalogue shows
-- every table that holds an org code.
INSERT INTO kernel_table (table_name, scope_column, writers, audited, why_not_audited)
VALUES ('audit_log', 'org_code', '{}', false, 'the audit trail itself: append-only, chained');

-- Users and org units ------------------------------------------------------------------------
-- A user's role kind is always their PostgreSQL group role and their role is always
-- their own tx_ role: the database refuses anything else, for the operator too.
-- Admins change only a user's display name and disabled state, and org units (names,
-- new units) in their own scope; users and their roles are made by `tongxin user`.

CREATE FUNCTION tx_app_user_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    kinds constant text[] := ARRAY['grid_worker', 'supervisor', 'admin', 'auditor'];
    r pg_roles;
BEGIN
    IF NEW.pg_role <> 'tx_' || NEW.name THEN
        RAISE EXCEPTION 'app_user %: its role must be tx_%', NEW.name, NEW.name
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO r FROM pg_roles WHERE rolname = NEW.pg_role;
    IF r.rolname IS NULL OR r.rolsuper OR r.rolbypassrls OR r.rolcreaterole THEN
        RAISE EXCEPTION 'app_user %: role % must exist and hold no special rights',
            NEW.name, NEW.pg_role USING ERRCODE = 'check_violation';
    END IF;
    IF NOT pg_has_role(NEW.pg_role, 'tongxin_' || NEW.role_kind, 'MEMBER')
       OR EXISTS (SELECT 1 FROM unnest(kinds) k
                   WHERE k <> NEW.role_kind AND pg_has_role(NEW.pg_role, 'tongxin_' || k, 'MEMBER'))
       OR pg_has_role(NEW.pg_role, 'tongxin_gateway', 'MEMBER') THEN
        RAISE EXCEPTION 'app_user %: role % is not a % and nothing else', NEW.name, NEW.pg_role,
            NEW.role_kind USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

SELECT tx_protect('app_user', p_writers => ARRAY['admin'], p_read => 'own',
                  p_columns => ARRAY['display_name', 'disabled_at']);
REVOKE INSERT ON app_user FROM tongxin_admin;
CREATE POLICY app_user_self ON app_user FOR SELECT TO tongxin_app
    USING (pg_role = current_user);
CREATE POLICY app_user_read ON app_user FOR SELECT
    TO tongxin_admin, tongxin_supervisor, tongxin_auditor
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY app_user_update ON app_user FOR UPDATE TO tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':')
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE TRIGGER app_user_guard BEFORE INSERT OR UPDATE ON app_user
    FOR EACH ROW EXECUTE FUNCTION tx_app_user_guard();
ALTER TABLE app_user ENABLE ALWAYS TRIGGER app_user_guard;

SELECT tx_protect('org_unit', p_writers => ARRAY['admin'], p_scope => 'code', p_read => 'all',
                  p_columns => ARRAY['name']);

-- National standards and the plan's departments change only through `tongxin seed
-- reference` (the operator); every change is audited, one row per statement.
CREATE FUNCTION audit_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    n integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM old_rows;
    ELSE
        SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n > 0 THEN
        INSERT INTO audit_log (actor, action, table_name, row_count, purpose)
        VALUES (audit_actor(), CASE TG_OP WHEN 'INSERT' THEN 'bulk_insert' ELSE lower(TG_OP) END,
                TG_TABLE_NAME, n, current_setting('tongxin.bulk_purpose', true));
    END IF;
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ethnic_group', 'division', 'department', 'reference_source'] LOOP
        EXECUTE format('REVOKE ALL ON %I FROM PUBLIC, tongxin_app, tongxin_grid_worker, '
                       'tongxin_supervisor, tongxin_admin, tongxin_auditor', t);
        EXECUTE format('GRANT SELECT ON %I TO tongxin_app', t);
        EXECUTE format('CREATE TRIGGER %1$s_audit_insert AFTER INSERT ON %1$I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION audit_statement()', t);
        EXECUTE format('CREATE TRIGGER %1$s_audit_update AFTER UPDATE ON %1$I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION audit_statement()', t);
        EXECUTE format('CREATE TRIGGER %1$s_audit_delete AFTER DELETE ON %1$I '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION audit_statement()', t);
        EXECUTE format('ALTER TABLE %1$I ENABLE ALWAYS TRIGGER %1$s_audit_insert', t);
        EXECUTE format('ALTER TABLE %1$I ENABLE ALWAYS TRIGGER %1$s_audit_update', t);
        EXECUTE format('ALTER TABLE %1$I ENABLE ALWAYS TRIGGER %1$s_audit_delete', t);
    END LOOP;
END;
$$;

-- No one role stalls the city ---------------------------------------------------------------------
-- With no table-level UPDATE, DELETE or TRUNCATE (above), no app role can LOCK a table
-- beyond ROW EXCLUSIVE, which blocks no reader or writer. Sessions of app roles and of
-- the gateway run under timeouts and at most a few connections per user. The
-- connection limit and temp_file_limit cannot be lifted from a session; statement,
-- lock and idle timeouts and work_mem can be, by a user who opens psql (README).

CREATE FUNCTION tx_limit_role(p_role text, p_connections integer DEFAULT 4) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    EXECUTE format('ALTER ROLE %I CONNECTION LIMIT %s', p_role, p_connections);
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', p_role, '30s');
    EXECUTE format('ALTER ROLE %I SET lock_timeout = %L', p_role, '5s');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', p_role, '60s');
    EXECUTE format('ALTER ROLE %I SET work_mem = %L', p_role, '16MB');
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('ALTER ROLE %I SET temp_file_limit = %L', p_role, '256MB');
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION tx_limit_role(text, integer) FROM PUBLIC;

DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT u.pg_role FROM app_user u JOIN pg_roles p ON p.rolname = u.pg_role LOOP
        PERFORM tx_limit_role(r);
    END LOOP;
    -- The gateway serves every session of an app host: timeouts, no small limit.
    PERFORM tx_limit_role('tongxin_gateway', -1);
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'the migrating role may not alter roles: set the limits of app roles with '
                  '`SELECT tx_limit_role(role)` as a role that may (CREATEROLE)';
END;
$$;
