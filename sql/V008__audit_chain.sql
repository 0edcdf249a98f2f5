-- V008: the audit trail becomes tamper-evident.
--
-- The owner (a superuser) could rewrite or delete audit rows without trace: under
-- `SET session_replication_role = replica` the append-only guards of V003 did not fire,
-- and nothing tied one row to the next. Now every guard fires ALWAYS, and every audit
-- row is sealed into a hash chain, one chain per city (rows without a city, such as
-- bulk loads, in a chain of their own, '-'). `tongxin audit verify` walks the chains,
-- recomputes every hash and names the first broken or missing link.
--
-- A link is sha256(previous link's hash || the row's canonical text); the first link
-- of a chain follows 32 zero bytes. The canonical text lists, in this order, the chain,
-- the link's sequence number, then the row's id, at (microseconds since the epoch),
-- actor, action, table_name, city_code, row_id, person_id, org_code, changes (jsonb
-- text), purpose and row_count, each as `<length in bytes>:<text>`, NULL as `-`.
-- A chain's head is its last link. A superuser can still rewrite rows and recompute
-- every hash after them, or cut a chain's end off; the head of each chain is therefore
-- printed by `tongxin audit verify`, to be kept on paper, and
-- `tongxin audit verify --anchor CHAIN:SEQ:HASH` checks that link still hashes so.
--
-- Why sealing happens at commit, and skips a busy chain ------------------------------
-- Linking rows in order needs one sealer at a time per chain. An advisory lock would
-- do it, but any role may take the same advisory key and stall every writer of a city.
-- A row lock taken when the audit row is inserted would be held for the rest of the
-- writer's transaction, which a user in psql can keep open. So:
--   * an insert only queues its audit rows (audit_pending): writers never wait;
--   * a deferred constraint trigger seals at commit: it locks the chain's row in
--     audit_chain (which no app role may read or lock) with SKIP LOCKED, links every
--     queued row of that chain in id order into audit_seal after the chain's last
--     link, and commits with the writer's transaction, so the chain is held only while
--     that transaction commits;
--   * when the chain is busy, the queued rows wait for the next commit in the city (or
--     for `tongxin audit verify`, which seals what is queued before it walks).
-- The chain's row is only locked, never updated: a row updated by every commit of a
-- city piles up versions that every locker then walks (at 200 writers that cost 1.4 ms
-- more per write at the median, against nothing for the lock alone).
-- `SET CONSTRAINTS ALL IMMEDIATE` does not make a user hold the chain: the queueing
-- trigger runs after the row's sealing trigger, which then finds nothing to seal; and
-- whoever holds it is skipped, so no one can stall anyone. Sealing is done in READ
-- COMMITTED transactions only: under REPEATABLE READ the writer's snapshot may miss the
-- chain's last link, and its commit would fail on the link number another commit took,
-- so such rows wait for the next seal.
-- A chain's row is made by its first seal; two first seals of a new chain at the same
-- moment wait for each other once.

CREATE TABLE audit_chain (
    chain  text PRIMARY KEY
);
COMMENT ON TABLE audit_chain IS '审计哈希链(城市代码, - 为无城市);封链时加锁 / the audit hash chains (city code, - for none); locked while sealing';

CREATE TABLE audit_seal (
    chain     text NOT NULL,
    seq       bigint NOT NULL CHECK (seq > 0),
    audit_id  bigint NOT NULL UNIQUE,
    hash      bytea NOT NULL,
    PRIMARY KEY (chain, seq)
);
COMMENT ON TABLE audit_seal IS '审计日志的哈希链(只增不改) / the hash chain of audit_log, append-only';
COMMENT ON COLUMN audit_seal.seq IS '链内序号 / sequence number in the chain';
COMMENT ON COLUMN audit_seal.audit_id IS '审计日志序号 / audit_log.id';
COMMENT ON COLUMN audit_seal.hash IS 'sha256(上一环哈希 || 本行规范文本) / sha256(previous hash || canonical text)';

CREATE TABLE audit_pending (
    chain     text NOT NULL,
    audit_id  bigint NOT NULL,
    PRIMARY KEY (chain, audit_id)
);
COMMENT ON TABLE audit_pending IS '待封入哈希链的审计行 / audit rows waiting to be sealed';

-- The canonical text of one link (see the header); `tongxin audit verify` rebuilds it
-- from the same column texts outside the database. One expression, so that the planner
-- inlines it: sealing costs no function call per field.
CREATE FUNCTION audit_link_text(chain text, seq bigint, a audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(octet_length(chain) || ':' || chain, '-')
        || coalesce(octet_length(seq::text) || ':' || seq::text, '-')
        || coalesce(octet_length(a.id::text) || ':' || a.id::text, '-')
        || coalesce(octet_length((extract(epoch FROM a.at) * 1000000)::bigint::text) || ':'
                    || (extract(epoch FROM a.at) * 1000000)::bigint::text, '-')
        || coalesce(octet_length(a.actor) || ':' || a.actor, '-')
        || coalesce(octet_length(a.action) || ':' || a.action, '-')
        || coalesce(octet_length(a.table_name) || ':' || a.table_name, '-')
        || coalesce(octet_length(a.city_code::text) || ':' || a.city_code::text, '-')
        || coalesce(octet_length(a.row_id::text) || ':' || a.row_id::text, '-')
        || coalesce(octet_length(a.person_id::text) || ':' || a.person_id::text, '-')
        || coalesce(octet_length(a.org_code) || ':' || a.org_code, '-')
        || coalesce(octet_length(a.changes::text) || ':' || a.changes::text, '-')
        || coalesce(octet_length(a.purpose) || ':' || a.purpose, '-')
        || coalesce(octet_length(a.row_count::text) || ':' || a.row_count::text, '-')
$$;

-- Seal up to `batch` queued rows of one chain, in id order. Returns how many were
-- sealed, or NULL when another transaction holds the chain.
CREATE FUNCTION audit_chain_seal(p_chain text, batch integer DEFAULT 10000) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    last_seq bigint := 0;
    link bytea := decode(repeat('00', 32), 'hex');
    r record;
    ids bigint[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    PERFORM FROM audit_chain c WHERE c.chain = p_chain FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM audit_chain c WHERE c.chain = p_chain) THEN
            RETURN NULL;
        END IF;
        INSERT INTO audit_chain (chain) VALUES (p_chain) ON CONFLICT DO NOTHING;
        PERFORM FROM audit_chain c WHERE c.chain = p_chain FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    SELECT s.seq, s.hash INTO r FROM audit_seal s WHERE s.chain = p_chain
     ORDER BY s.seq DESC LIMIT 1;
    IF FOUND THEN
        last_seq := r.seq;
        link := r.hash;
    END IF;
    FOR r IN
        SELECT q.id, audit_link_text(p_chain, q.seq, q.a) AS body
          FROM (SELECT a.id, last_seq + row_number() OVER (ORDER BY a.id) AS seq, a
                  FROM audit_pending p JOIN audit_log a ON a.id = p.audit_id
                 WHERE p.chain = p_chain
                 ORDER BY a.id
                 LIMIT batch) AS q
         ORDER BY q.seq
    LOOP
        link := sha256(link || convert_to(r.body, 'UTF8'));
        ids := array_append(ids, r.id);
        hashes := array_append(hashes, link);
    END LOOP;
    IF cardinality(ids) = 0 THEN
        RETURN 0;
    END IF;
    INSERT INTO audit_seal (chain, seq, audit_id, hash)
    SELECT p_chain, last_seq + u.n, u.id, u.hash
      FROM unnest(ids, hashes) WITH ORDINALITY AS u(id, hash, n);
    DELETE FROM audit_pending p WHERE p.chain = p_chain AND p.audit_id = ANY (ids);
    RETURN cardinality(ids);
END;
$$;
REVOKE ALL ON FUNCTION audit_chain_seal(text, integer) FROM PUBLIC;

CREATE FUNCTION audit_log_enqueue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO audit_pending (chain, audit_id)
    SELECT coalesce(n.city_code::text, '-'), n.id FROM new_rows n;
    RETURN NULL;
END;
$$;

CREATE FUNCTION audit_log_seal() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    link_chain text := coalesce(NEW.city_code::text, '-');
BEGIN
    -- The first row of a chain to fire seals the whole queue; the others find theirs done.
    IF current_setting('transaction_isolation') = 'read committed'
       AND EXISTS (SELECT 1 FROM audit_pending p
                    WHERE p.chain = link_chain AND p.audit_id = NEW.id) THEN
        PERFORM audit_chain_seal(link_chain);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_log_chain_enqueue AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_enqueue();
CREATE CONSTRAINT TRIGGER audit_log_chain_seal AFTER INSERT ON audit_log
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION audit_log_seal();

-- The chain is append-only too.
CREATE FUNCTION audit_chain_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_seal_no_change BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_chain_no_change BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_refuse();

-- Every guard and chain trigger fires ALWAYS: a replica session role skips none.
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_change;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_chain_enqueue;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_chain_seal;
ALTER TABLE audit_seal ENABLE ALWAYS TRIGGER audit_seal_no_change;
ALTER TABLE audit_seal ENABLE ALWAYS TRIGGER audit_seal_no_truncate;
ALTER TABLE audit_chain ENABLE ALWAYS TRIGGER audit_chain_no_change;
ALTER TABLE audit_chain ENABLE ALWAYS TRIGGER audit_chain_no_truncate;

-- Rows written before this migration are sealed now, each chain in id order, in one
-- pass (sealing them through the queue would rescan what it has just removed).
DO $$
DECLARE
    r record;
    link bytea;
BEGIN
    FOR r IN
        SELECT q.chain, q.id, q.seq, audit_link_text(q.chain, q.seq, q.a) AS body
          FROM (SELECT coalesce(a.city_code::text, '-') AS chain, a.id, a,
                       row_number() OVER (PARTITION BY coalesce(a.city_code::text, '-')
                                          ORDER BY a.id) AS seq
                  FROM audit_log a) AS q
         ORDER BY q.chain, q.seq
    LOOP
        IF r.seq = 1 THEN
            INSERT INTO audit_chain (chain) VALUES (r.chain);
            link := decode(repeat('00', 32), 'hex');
        END IF;
        link := sha256(link || convert_to(r.body, 'UTF8'));
        INSERT INTO audit_seal (chain, seq, audit_id, hash) VALUES (r.chain, r.seq, r.id, link);
    END LOOP;
END;
$$;
