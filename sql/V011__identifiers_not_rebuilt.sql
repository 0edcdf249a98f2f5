-- V011: identifiers that cannot be rebuilt from what a role reads, and a duplicate
-- check that discloses only what its message needs.

-- The masked ID ------------------------------------------------------------------
-- An ID number is region (6) + birth date (8) + sequence (3, its last digit odd for
-- men) + a check character computed from the 17 before it. Every role reads the
-- place of origin, the birth date and the sex of the persons in its scope, so the
-- old mask 4101**********1234, which showed the last four characters, gave the
-- whole number back.
--
-- The mask now shows the first four characters only: 4101************** (province
-- and prefecture of issue, which the place of origin tells anyway). Safe because
-- everything still hidden is the sequence number and the check character, and the
-- check character adds nothing once the rest is guessed: of the 1,000 sequences,
-- the 500 of the person's sex all agree with what a role reads, so 500 ID numbers
-- do (the bound is 100; tests/db/test_id_not_rebuilt.py enumerates them as each
-- role kind). Showing one more character would leave 100 (the 17th digit), 50 (the
-- 15th or 16th) or about 45 (the check character).
--
-- The phone mask stays 138****5678: nothing a role reads says anything of the four
-- hidden digits (a phone number has no check digit), so 10,000 numbers agree with
-- it, and the search by the last four digits keeps working on the masked copy.
--
-- The new mask is the old one's first four characters, so no value is decrypted.
-- Every stored row is re-masked; the audit trail logs it like any change, and the
-- row version stays, so an edit under way still saves. The check then holds every
-- writer to the form, psql users included.

UPDATE person
   SET id_number_masked = left(id_number_masked, 4) || repeat('*', 14)
 WHERE id_number_masked IS NOT NULL
   AND id_number_masked IS DISTINCT FROM left(id_number_masked, 4) || repeat('*', 14);

ALTER TABLE person ADD CONSTRAINT person_id_number_masked_form
    CHECK (id_number_masked ~ '^[0-9]{4}[*]{14}$');
COMMENT ON COLUMN person.id_number_masked IS
    '身份号码(脱敏,仅显示前4位) / ID number, masked: its first four characters only';

-- The duplicate check, in two steps ---------------------------------------------------
-- V005's tx_id_holder took any number of blind indexes in one call, returned the
-- holder's uuid and org code whatever the caller's scope, and filed its audit row
-- under the holder's org only, in the caller's transaction: a ROLLBACK erased the
-- row and kept the answer. Core PostgreSQL has no autonomous transaction (and no
-- dblink here), so an answer that must outlive a rollback of its audit row comes
-- only after that row is committed:
--
-- 1. tx_id_lookup(hmacs) takes the blind indexes of one ID number (one per key the
--    database knows), finds the holder, files the lookup in the audit trail under
--    the caller's org (and the holder's, when it lies outside the caller's scope)
--    and returns a ticket. It tells nothing else. The caller commits.
-- 2. tx_id_holder(ticket), in a later transaction, answers once, to the caller who
--    made the ticket, and only if the transaction that made it has committed: its
--    top-level transaction id must not be the current one. (xmin would not do: a
--    row inserted under a savepoint carries the subtransaction's id.) A ticket
--    rolled back with its audit row no longer exists, so it gets no answer.
--
-- Inside the caller's scope the answer is what opening the record needs; outside it
-- only the holding grid's path and whom to contact, no uuid, org code or city code.

DROP FUNCTION tx_id_holder(bytea[]);

CREATE TABLE id_lookup (
    ticket       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor        text NOT NULL,
    made_in      xid8 NOT NULL DEFAULT pg_current_xact_id(),
    made_at      timestamptz NOT NULL DEFAULT now(),
    holder_city  char(4),
    holder_id    uuid,
    CHECK ((holder_city IS NULL) = (holder_id IS NULL))
);
COMMENT ON TABLE id_lookup IS
    '登记查重的待答复查询 / duplicate checks recorded and not yet answered';
COMMENT ON COLUMN id_lookup.ticket IS '查询编号 / ticket the answer is asked with';
COMMENT ON COLUMN id_lookup.actor IS '查询人(数据库角色) / who looked up (database role)';
COMMENT ON COLUMN id_lookup.made_in IS
    '记录查询的事务 / transaction that recorded the lookup, which must commit first';
COMMENT ON COLUMN id_lookup.made_at IS '查询时间 / when';
COMMENT ON COLUMN id_lookup.holder_city IS '登记人所在城市 / city of the record found, if any';
COMMENT ON COLUMN id_lookup.holder_id IS '登记人编号 / the record found, if any';

-- Only the two functions below touch it: no grant, and no policy under forced RLS.
ALTER TABLE id_lookup ENABLE ROW LEVEL SECURITY;
ALTER TABLE id_lookup FORCE ROW LEVEL SECURITY;
REVOKE ALL ON id_lookup FROM PUBLIC;

CREATE FUNCTION tx_id_lookup(hmacs bytea[]) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    caller text := audit_actor();
    caller_scope text := tx_user_scope(caller);
    key_count integer;
    holder record;
    inside boolean;
    new_ticket uuid;
    why constant text := '登记查重 / duplicate check on registration';
BEGIN
    IF caller_scope IS NULL THEN
        RAISE EXCEPTION 'id lookup: only an active app user looks up ID numbers'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- One ID number: its blind index under each key (a rotation may be under way).
    SELECT greatest(count(*), 1) INTO key_count FROM data_key_check;
    IF coalesce(cardinality(hmacs), 0) = 0 OR cardinality(hmacs) > key_count
       OR EXISTS (SELECT 1 FROM unnest(hmacs) h WHERE h IS NULL OR length(h) <> 32) THEN
        RAISE EXCEPTION 'id lookup: give one ID number, as its blind index under each of '
                        'the % key(s) this database knows', key_count
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT p.city_code, p.id, p.org_code::text AS org_code INTO holder
      FROM person p
     WHERE p.id_number_hmac = ANY (hmacs)
     ORDER BY (p.org_code >= caller_scope AND p.org_code < caller_scope || ':') DESC,
              p.city_code, p.id
     LIMIT 1;
    inside := holder.org_code >= caller_scope AND holder.org_code < caller_scope || ':';
    INSERT INTO id_lookup (actor, holder_city, holder_id)
    VALUES (caller, holder.city_code, holder.id)
    RETURNING ticket INTO new_ticket;
    -- The caller's auditors see the lookup, and the person only when in scope.
    INSERT INTO audit_log (actor, action, table_name, city_code, row_id, person_id, org_code,
                           purpose)
    VALUES (caller, 'reveal', 'person.registered_where', left(caller_scope, 4), new_ticket,
            CASE WHEN inside THEN holder.id END, caller_scope, why);
    IF holder.id IS NOT NULL AND NOT inside THEN
        INSERT INTO audit_log (actor, action, table_name, city_code, row_id, person_id,
                               org_code, purpose)
        VALUES (caller, 'reveal', 'person.registered_where', holder.city_code, new_ticket,
                holder.id, holder.org_code, why);
    END IF;
    RETURN new_ticket;
END;
$$;

CREATE FUNCTION tx_id_holder(lookup uuid)
RETURNS TABLE (city_code char(4), id uuid, org_code text, org_path text, contacts text,
               visible boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    caller text := audit_actor();
    caller_scope text := tx_user_scope(caller);
    asked id_lookup;
BEGIN
    IF caller_scope IS NULL THEN
        RAISE EXCEPTION 'id lookup: only an active app user looks up ID numbers'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM id_lookup l
     WHERE l.ticket = lookup AND l.actor = caller AND l.made_in <> pg_current_xact_id()
    RETURNING l.* INTO asked;
    IF asked.ticket IS NULL THEN
        IF EXISTS (SELECT 1 FROM id_lookup l WHERE l.ticket = lookup AND l.actor = caller) THEN
            RAISE EXCEPTION 'id lookup: commit the lookup first; it is answered in a later '
                            'transaction' USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RAISE EXCEPTION 'id lookup: no such lookup of yours waits for its answer (each is '
                        'answered once)' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN QUERY
    SELECT CASE WHEN s.inside THEN p.city_code END,
           CASE WHEN s.inside THEN p.id END,
           CASE WHEN s.inside THEN p.org_code::text END,
           -- District to grid; the city too when it is another city's.
           (SELECT string_agg(o.name, ' ' ORDER BY length(o.code))
              FROM org_unit o
             WHERE o.code = left(p.org_code, length(o.code))
               AND length(o.code) >= CASE WHEN p.city_code = left(caller_scope, 4) THEN 6
                                          ELSE 4 END),
           (SELECT string_agg(coalesce(nullif(u.display_name, ''), u.name), '、'
                              ORDER BY u.name)
              FROM app_user u
             WHERE u.disabled_at IS NULL AND u.role_kind = 'grid_worker'
               AND p.org_code >= u.org_code AND p.org_code < u.org_code || ':'),
           s.inside
      FROM person p
     CROSS JOIN LATERAL (SELECT p.org_code >= caller_scope
                                AND p.org_code < caller_scope || ':' AS inside) s
     WHERE p.city_code = asked.holder_city AND p.id = asked.holder_id;
END;
$$;

REVOKE ALL ON FUNCTION tx_id_lookup(bytea[]), tx_id_holder(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_id_lookup(bytea[]), tx_id_holder(uuid) TO tongxin_app;
