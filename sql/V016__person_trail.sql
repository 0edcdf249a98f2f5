-- V016: who saw and changed a person's record, for those who oversee it; and the audit
-- chain of the auditor's city, verified as far as an auditor may know it.
--
-- A person's trail ------------------------------------------------------------------------
-- Supervisors, auditors and admins see on a person's record every audit row about that
-- person: who opened it, revealed which identifier, changed which columns (names, never
-- values), exported or anonymised it, when, and the purpose stated. Auditors and admins
-- read the audit rows of their subtree (V003); supervisors read no audit_log at all, and
-- grid workers never see the trail.
--
-- Why a function, tx_person_trail(), and not a policy that lets supervisors read
-- audit_log:
--   * reading the trail is itself a look at the person (it says who looked at them, what
--     was changed and why), and a read through a policy leaves no trace. The function
--     records the look, for plain SQL as for the app: an 'open' of table audit_log for
--     the person, at most once in ten minutes per reader and person, so paging through
--     a trail is one look and not one row a page;
--   * a policy by org code would give a supervisor the trail of every person of their
--     street in one SELECT; the function returns one person at a time, in keyset pages,
--     and only a person the caller sees now (checked here: a definer runs past RLS);
--   * a person's audit rows carry the org code the row had when written: after a
--     hand-over, the grid that handed them over. A policy would show the new grid's
--     supervisor half of the trail; the function shows the person's whole trail to
--     whoever may see the person now;
--   * audit_log keeps its policies, so every role still reads through it exactly its
--     scope (tests/db/test_kernel_property.py).
-- Who acted is named by display name and role kind (the definer reads app_user): an
-- access by a city admin, by the grid that handed the person over or by a duplicate
-- check elsewhere is named though that user lies outside the reader's scope.

-- The audit rows of a person, newest first: (at, id) orders them (keyset pages), and the
-- auditor's trail pages the whole scope the same way.
CREATE INDEX audit_log_at_idx ON audit_log (at, id);

CREATE FUNCTION tx_person_trail(p_city char(4), p_person uuid,
                                p_before_at timestamptz DEFAULT NULL,
                                p_before_id bigint DEFAULT NULL,
                                p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, at timestamptz, actor text, actor_name text, actor_kind text,
               action text, table_name text, changes jsonb, purpose text, row_count integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    caller text := audit_actor();
    caller_kind text := tx_user_kind(caller);
    caller_scope text := tx_user_scope(caller);
    person_org text;
    looking constant text := '查看留痕 / viewing who saw and changed the record';
BEGIN
    IF caller_kind IS NULL OR caller_kind NOT IN ('supervisor', 'auditor', 'admin') THEN
        RAISE EXCEPTION 'person trail: for supervisors, auditors and admins acting as '
                        'themselves' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 200
       OR (p_before_at IS NULL) <> (p_before_id IS NULL) THEN
        RAISE EXCEPTION 'person trail: ask for 1 to 200 rows, before a row''s (at, id) or '
                        'from the newest' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT p.org_code INTO person_org FROM person p
     WHERE p.city_code = p_city AND p.id = p_person
       AND p.org_code >= caller_scope AND p.org_code < caller_scope || ':';
    IF person_org IS NULL THEN
        RAISE EXCEPTION 'person: not found in your scope' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_log a
                    WHERE a.city_code = p_city AND a.person_id = p_person
                      AND a.at > clock_timestamp() - interval '10 minutes'
                      AND a.actor = caller AND a.action = 'open'
                      AND a.table_name = 'audit_log') THEN
        INSERT INTO audit_log (actor, action, table_name, city_code, person_id, org_code,
                               purpose)
        VALUES (caller, 'open', 'audit_log', p_city, p_person, person_org, looking);
    END IF;
    RETURN QUERY
    SELECT a.id, a.at, a.actor, coalesce(nullif(u.display_name, ''), u.name, a.actor),
           u.role_kind, a.action, a.table_name, a.changes, a.purpose, a.row_count
      FROM audit_log a LEFT JOIN app_user u ON u.pg_role = a.actor
     WHERE a.city_code = p_city AND a.person_id = p_person
       AND (p_before_at IS NULL OR (a.at, a.id) < (p_before_at, p_before_id))
     ORDER BY a.at DESC, a.id DESC
     LIMIT p_limit;
END;
$$;
REVOKE ALL ON FUNCTION tx_person_trail(char, uuid, timestamptz, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_person_trail(char, uuid, timestamptz, bigint, integer)
    TO tongxin_supervisor, tongxin_auditor, tongxin_admin;

-- Who acted, for the auditor's trail of a whole scope: auditors and admins read app_user
-- only within their scope, so a city admin's or another district's user acting on a row
-- of their scope would show as a bare role. tx_actors() names (login name, display name,
-- role kind) the app users among `p_roles` who wrote an audit row the caller may read,
-- and no one else: it names whoever acted in the caller's scope, not the city's users.
CREATE FUNCTION tx_actors(p_roles text[])
RETURNS TABLE (pg_role text, name text, display_name text, role_kind text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    caller text := audit_actor();
    caller_kind text := tx_user_kind(caller);
    caller_scope text := tx_user_scope(caller);
BEGIN
    IF caller_kind IS NULL OR caller_kind NOT IN ('auditor', 'admin') THEN
        RAISE EXCEPTION 'actors: for auditors and admins acting as themselves'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF cardinality(p_roles) > 200 THEN
        RAISE EXCEPTION 'actors: at most 200 at a time' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    SELECT u.pg_role, u.name, u.display_name, u.role_kind
      FROM app_user u
     WHERE u.pg_role = ANY (p_roles)
       AND EXISTS (SELECT 1 FROM audit_log a
                    WHERE a.actor = u.pg_role
                      AND a.org_code >= caller_scope AND a.org_code < caller_scope || ':');
END;
$$;
REVOKE ALL ON FUNCTION tx_actors(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_actors(text[]) TO tongxin_auditor, tongxin_admin;

-- The chain of the auditor's city ---------------------------------------------------------
-- `tongxin audit verify` (the operator) recomputes every link outside the database from
-- the rows' column texts. An auditor cannot: a link covers every audit row of the city,
-- and an auditor of a district or street may read only the rows of their subtree (and
-- no app role reads audit_seal or audit_chain, V008). So the database verifies the
-- city's chain for them and tells only what the verification found: how many links, the
-- head (seq and hash, to compare with the one kept on paper), how many rows wait to be
-- sealed, or the first broken link with the number of its audit row; never a row's
-- content. The city is the caller's own (the first four digits of their scope); the rows
-- of no city ('-') are the operator's to verify.
--
-- It runs in batches of links, each call a short statement under the app roles' timeouts,
-- so the screen can show how far it has come. Each link is checked against the stored
-- hash of the link before it: every batch passing is the whole chain passing, and a
-- batch needs no state from the one before. It seals nothing and locks nothing: sealing
-- takes the chain's lock (FOR UPDATE), which V008 keeps from every app role; rows still
-- waiting are counted and sealed by the city's next commit.
--
-- It trusts the database's own functions (audit_link_text, sha256): a superuser who
-- rewrote rows and recomputed every link after them, or replaced those functions, gets
-- past it, as past the chain itself. The head it shows is the check: compare it with
-- the one kept on paper, and let the operator run `tongxin audit verify --anchor`.

CREATE FUNCTION tx_audit_city() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    caller text := audit_actor();
    caller_kind text := tx_user_kind(caller);
BEGIN
    IF caller_kind IS NULL OR caller_kind NOT IN ('auditor', 'admin') THEN
        RAISE EXCEPTION 'audit verify: for auditors and admins acting as themselves'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN left(tx_user_scope(caller), 4);
END;
$$;

-- The caller's city chain: its last link (links are numbered from 1) and the rows waiting.
CREATE FUNCTION tx_audit_city_chain(OUT chain text, OUT links bigint, OUT waiting bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    city text := tx_audit_city();
BEGIN
    chain := city;
    SELECT coalesce(max(s.seq), 0) INTO links FROM audit_seal s WHERE s.chain = city;
    SELECT count(*) INTO waiting
      FROM audit_pending q JOIN audit_log a ON a.id = q.audit_id WHERE q.chain = city;
END;
$$;

-- Links p_after + 1 … p_upto of the caller's city chain. `checked` is the last link
-- verified and `head` its hash; `problem` names the first broken link: missing_link
-- (`link` is missing, `followed_by` the next one there), row_deleted (the audit row of
-- `link`, `audit_id`, is gone) or row_changed (it no longer hashes to its link).
CREATE FUNCTION tx_audit_verify_links(p_after bigint, p_upto bigint,
                                      OUT checked bigint, OUT head bytea, OUT problem text,
                                      OUT link bigint, OUT audit_id bigint,
                                      OUT followed_by bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    city text := tx_audit_city();
    r record;
BEGIN
    IF p_after IS NULL OR p_upto IS NULL OR p_after < 0 OR p_upto < p_after
       OR p_upto - p_after > 100000 THEN
        RAISE EXCEPTION 'audit verify: links after 0 or more, at most 100000 at a time'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    checked := p_after;
    head := decode(repeat('00', 32), 'hex');
    IF p_after > 0 THEN
        SELECT s.hash INTO head FROM audit_seal s WHERE s.chain = city AND s.seq = p_after;
        IF NOT FOUND THEN
            problem := 'missing_link';
            link := p_after;
            followed_by := (SELECT min(s.seq) FROM audit_seal s
                             WHERE s.chain = city AND s.seq > p_after);
            RETURN;
        END IF;
    END IF;
    FOR r IN
        SELECT s.seq, s.audit_id, s.hash, a.id IS NOT NULL AS present,
               audit_link_text(city, s.seq, a) AS body
          FROM audit_seal s LEFT JOIN audit_log a ON a.id = s.audit_id
         WHERE s.chain = city AND s.seq > p_after AND s.seq <= p_upto
         ORDER BY s.seq
    LOOP
        IF r.seq <> checked + 1 THEN
            problem := 'missing_link';
            link := checked + 1;
            followed_by := r.seq;
            RETURN;
        END IF;
        IF NOT r.present THEN
            problem := 'row_deleted';
            link := r.seq;
            audit_id := r.audit_id;
            RETURN;
        END IF;
        IF sha256(head || convert_to(r.body, 'UTF8')) <> r.hash THEN
            problem := 'row_changed';
            link := r.seq;
            audit_id := r.audit_id;
            RETURN;
        END IF;
        head := r.hash;
        checked := r.seq;
    END LOOP;
    -- Links missing at the end of the batch, with more after them.
    IF checked < p_upto THEN
        followed_by := (SELECT min(s.seq) FROM audit_seal s
                         WHERE s.chain = city AND s.seq > checked);
        IF followed_by IS NOT NULL THEN
            problem := 'missing_link';
            link := checked + 1;
        END IF;
    END IF;
END;
$$;

-- The first audit row of the caller's city that no link holds: deleted_before_sealed
-- (queued, then deleted) or unchained (written with the chain's triggers off).
CREATE FUNCTION tx_audit_loose_rows(OUT problem text, OUT audit_id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    city text := tx_audit_city();
BEGIN
    SELECT 'deleted_before_sealed', q.audit_id INTO problem, audit_id
      FROM audit_pending q
     WHERE q.chain = city AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = q.audit_id)
     ORDER BY q.audit_id LIMIT 1;
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT 'unchained', a.id INTO problem, audit_id
      FROM audit_log a
     WHERE a.city_code = city
       AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id)
       AND NOT EXISTS (SELECT 1 FROM audit_pending q WHERE q.chain = city AND q.audit_id = a.id)
     ORDER BY a.id LIMIT 1;
END;
$$;

-- tx_audit_city() is for these functions only; they call it as its owner.
REVOKE ALL ON FUNCTION tx_audit_city(), tx_audit_city_chain(),
    tx_audit_verify_links(bigint, bigint), tx_audit_loose_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_audit_city_chain(), tx_audit_verify_links(bigint, bigint),
    tx_audit_loose_rows() TO tongxin_auditor, tongxin_admin;
