-- V002: roles, grants, row-level security and the audit trail.
--
-- Every app user is a PostgreSQL role (app_user.pg_role) and a member of one
-- group role per role kind. Policies give each kind its org subtree: the rows
-- whose org_code starts with the user's scope code. The scope is looked up
-- once per query through `(SELECT tx_scope())`.

DO $$
DECLARE
    kind text;
BEGIN
    -- Policies are FORCEd, so the owner (who migrates, seeds and runs the
    -- definer functions below) must be able to see every row.
    IF NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'the migrating role % needs BYPASSRLS (or superuser)', current_user;
    END IF;
    FOREACH kind IN ARRAY ARRAY['tongxin_grid_worker', 'tongxin_supervisor',
                                'tongxin_admin', 'tongxin_auditor', 'tongxin_app']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = kind) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', kind);
        END IF;
    END LOOP;
    -- The role the app host logs in as when users do not log in directly:
    -- it may become any app user's role (SET LOCAL ROLE) and nothing else.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tongxin_gateway') THEN
        CREATE ROLE tongxin_gateway LOGIN NOINHERIT;
    END IF;
END;
$$;

GRANT tongxin_app TO tongxin_grid_worker, tongxin_supervisor, tongxin_admin, tongxin_auditor;

-- Scope lookup ----------------------------------------------------------------------
-- SECURITY DEFINER so no app role needs to read app_user for it; the role is
-- passed in because inside a definer function current_user is the owner. A role
-- may ask only about a role it is a member of (itself, for a direct login).

CREATE FUNCTION tx_user_scope(role_name text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.org_code
      FROM app_user u
     WHERE u.pg_role = role_name
       AND u.disabled_at IS NULL
       AND pg_has_role(session_user, role_name, 'MEMBER')
$$;

CREATE FUNCTION tx_user_kind(role_name text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.role_kind
      FROM app_user u
     WHERE u.pg_role = role_name
       AND u.disabled_at IS NULL
       AND pg_has_role(session_user, role_name, 'MEMBER')
$$;

CREATE FUNCTION tx_scope() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT tx_user_scope(current_user::text) $$;

REVOKE ALL ON FUNCTION tx_user_scope(text), tx_user_kind(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_user_scope(text), tx_user_kind(text), tx_scope() TO tongxin_app;

-- The app's login lookup: who is this OS user, may this connection become them?
CREATE FUNCTION tx_login(login_name text)
RETURNS TABLE (name text, pg_role text, role_kind text, org_code text, org_name text,
               disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.name, u.pg_role, u.role_kind, u.org_code, o.name, u.disabled_at IS NOT NULL
      FROM app_user u JOIN org_unit o ON o.code = u.org_code
     WHERE u.name = login_name
       AND pg_has_role(session_user, u.pg_role, 'MEMBER')
$$;
REVOKE ALL ON FUNCTION tx_login(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_login(text) TO tongxin_app, tongxin_gateway;

-- Grants: reference data is readable by every app role, written by admins ------------

GRANT USAGE ON SCHEMA public TO tongxin_app;
GRANT SELECT ON ethnic_group, division, department, org_unit, reference_source TO tongxin_app;
GRANT INSERT, UPDATE ON ethnic_group, division, department, org_unit, reference_source
    TO tongxin_admin;

GRANT SELECT ON person, household_member, consent_record TO tongxin_app;
GRANT INSERT, UPDATE ON person, household_member, consent_record
    TO tongxin_grid_worker, tongxin_admin;
GRANT UPDATE ON person, household_member TO tongxin_supervisor;
GRANT DELETE ON household_member TO tongxin_grid_worker, tongxin_admin;
GRANT DELETE ON person, consent_record TO tongxin_admin;
GRANT SELECT ON app_user TO tongxin_app;
GRANT INSERT, UPDATE ON app_user TO tongxin_admin;

-- Row-level security ------------------------------------------------------------------

ALTER TABLE person ENABLE ROW LEVEL SECURITY;
ALTER TABLE person FORCE ROW LEVEL SECURITY;
ALTER TABLE household_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_member FORCE ROW LEVEL SECURITY;
ALTER TABLE consent_record ENABLE ROW LEVEL SECURITY;
ALTER TABLE consent_record FORCE ROW LEVEL SECURITY;
ALTER TABLE app_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE app_user FORCE ROW LEVEL SECURITY;

-- Reading: every kind reads its own subtree.
CREATE POLICY person_read ON person FOR SELECT TO tongxin_app
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY household_member_read ON household_member FOR SELECT TO tongxin_app
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY consent_record_read ON consent_record FOR SELECT TO tongxin_app
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');

-- Writing: grid workers and admins insert and update in their subtree; supervisors
-- update (approvals, hand-overs) in theirs; auditors write nothing.
CREATE POLICY person_insert ON person FOR INSERT TO tongxin_grid_worker, tongxin_admin
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY person_update ON person FOR UPDATE
    TO tongxin_grid_worker, tongxin_supervisor, tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':')
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY person_delete ON person FOR DELETE TO tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');

CREATE POLICY household_member_insert ON household_member FOR INSERT
    TO tongxin_grid_worker, tongxin_admin
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY household_member_update ON household_member FOR UPDATE
    TO tongxin_grid_worker, tongxin_supervisor, tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':')
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY household_member_delete ON household_member FOR DELETE
    TO tongxin_grid_worker, tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');

CREATE POLICY consent_record_insert ON consent_record FOR INSERT
    TO tongxin_grid_worker, tongxin_admin
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY consent_record_update ON consent_record FOR UPDATE
    TO tongxin_grid_worker, tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':')
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY consent_record_delete ON consent_record FOR DELETE TO tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');

-- Users: everyone reads their own row; admins, supervisors and auditors read the
-- users of their subtree; admins manage them (the roles themselves are made by
-- `tongxin user add`, which needs CREATEROLE).
CREATE POLICY app_user_self ON app_user FOR SELECT TO tongxin_app
    USING (pg_role = current_user);
CREATE POLICY app_user_read ON app_user FOR SELECT
    TO tongxin_admin, tongxin_supervisor, tongxin_auditor
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
CREATE POLICY app_user_manage ON app_user FOR ALL TO tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':')
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':');
