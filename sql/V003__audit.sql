-- V003: the audit trail of who saw and changed what.
--
-- Append-only for everyone: no role is granted UPDATE, DELETE or TRUNCATE, and
-- triggers refuse them even for the owner. Writes to personal data are logged
-- by triggers; opening a full record, revealing an identifier and exporting are
-- logged by the app, as the user, with the purpose they stated.

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL DEFAULT current_user,
    action      text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'bulk_insert',
                                                'open', 'reveal', 'export', 'anonymise')),
    table_name  text,
    city_code   char(4),
    row_id      uuid,
    person_id   uuid,
    org_code    text COLLATE "C",
    changes     jsonb,
    purpose     text,
    row_count   integer NOT NULL DEFAULT 1 CHECK (row_count >= 0)
);
CREATE INDEX audit_log_person_idx ON audit_log (city_code, person_id, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at);
CREATE INDEX audit_log_org_idx ON audit_log (org_code, at);

COMMENT ON TABLE audit_log IS '审计日志(只增不改) / audit trail, append-only';
COMMENT ON COLUMN audit_log.id IS '序号 / sequence number';
COMMENT ON COLUMN audit_log.at IS '时间 / when';
COMMENT ON COLUMN audit_log.actor IS '操作人(数据库角色) / who (database role)';
COMMENT ON COLUMN audit_log.action IS '操作 / action';
COMMENT ON COLUMN audit_log.table_name IS '数据表 / table';
COMMENT ON COLUMN audit_log.city_code IS '城市代码 / city code';
COMMENT ON COLUMN audit_log.row_id IS '记录编号 / row id';
COMMENT ON COLUMN audit_log.person_id IS '涉及人员 / person concerned';
COMMENT ON COLUMN audit_log.org_code IS '所属单元 / org unit of the row';
COMMENT ON COLUMN audit_log.changes IS '变更的字段名(不含内容) / names of the changed columns (no values)';
COMMENT ON COLUMN audit_log.purpose IS '用途说明 / stated purpose';
COMMENT ON COLUMN audit_log.row_count IS '行数(批量载入) / rows (bulk loads)';

CREATE FUNCTION audit_log_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- What an update changed: the names of the changed columns, never their values,
-- so the trail holds no copy of personal data and anonymisation leaves none behind.
CREATE FUNCTION audit_diff(old_row jsonb, new_row jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]'::jsonb)
      FROM jsonb_each(new_row) n
     WHERE n.value IS DISTINCT FROM old_row -> n.key
       AND n.key NOT IN ('version', 'updated_at', 'updated_by')
$$;

-- Who is acting, seen from inside a SECURITY DEFINER function (where current_user
-- is the owner): the role set by SET ROLE, else the login role.
CREATE FUNCTION audit_actor() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN current_setting('role') = 'none' THEN session_user::text
                ELSE current_setting('role') END
$$;

-- A bulk load by the operator (demo seeding, a spreadsheet import run as the owner)
-- sets tongxin.bulk_load: its inserts are logged as one row per statement. The
-- row trigger's WHEN is a plain setting test because it runs for every row of a
-- million-row COPY; the statement trigger then logs app users row by row anyway,
-- so setting the flag hides nothing. Updates and deletes are always logged per row.
CREATE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_json jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_json jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_json jsonb := coalesce(new_json, old_json);
BEGIN
    INSERT INTO audit_log (actor, action, table_name, city_code, row_id, person_id,
                           org_code, changes)
    VALUES (audit_actor(), lower(TG_OP), TG_TABLE_NAME, row_json ->> 'city_code',
            (row_json ->> 'id')::uuid,
            coalesce(row_json ->> 'person_id', row_json ->> 'id')::uuid,
            row_json ->> 'org_code',
            CASE WHEN TG_OP = 'UPDATE' THEN audit_diff(old_json, new_json) END);
    RETURN NULL;
END;
$$;

CREATE FUNCTION audit_bulk_insert() RETURNS trigger
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
        SELECT audit_actor(), 'insert', TG_TABLE_NAME, r ->> 'city_code', (r ->> 'id')::uuid,
               coalesce(r ->> 'person_id', r ->> 'id')::uuid, r ->> 'org_code'
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

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['person', 'household_member', 'consent_record'] LOOP
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

-- Reading and appending -----------------------------------------------------------------
-- Auditors and admins read the trail of their subtree. Any app user may append an
-- access event (open, reveal, export) in their own name, and only about a person
-- they can see.

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
GRANT SELECT ON audit_log TO tongxin_auditor, tongxin_admin;
GRANT INSERT (action, city_code, person_id, org_code, purpose, table_name, row_count)
    ON audit_log TO tongxin_app;

CREATE POLICY audit_log_read ON audit_log FOR SELECT TO tongxin_auditor, tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY audit_log_access_event ON audit_log FOR INSERT TO tongxin_app
    WITH CHECK (
        actor = current_user
        AND action IN ('open', 'reveal', 'export')
        AND length(btrim(coalesce(purpose, ''))) > 0
        AND org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':'
        AND (person_id IS NULL OR EXISTS (
                SELECT 1 FROM person p
                 WHERE p.city_code = audit_log.city_code AND p.id = audit_log.person_id))
    );
