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
-- A superuser can still rewrite rows and recompute every hash after them; the head of
-- each chain is therefore printed by `tongxin audit verify`, to be kept on paper, and
-- `tongxin audit verify --anchor CHAIN:SEQ:HASH` checks that link still hashes so.
--
-- Why sealing happens at commit, and skips a busy chain ------------------------------
-- Linking rows in order needs one writer at a time per chain. An advisory lock would
-- do it, but any role may take the same advisory key and stall every writer of a city.
-- A row lock taken when the audit row is inserted would be held for the rest of the
-- writer's transaction, which a user in psql can keep open. So:
--   * an insert only queues its audit rows (audit_pending): writers never wait;
--   * a deferred constraint trigger seals at commit: it locks the chain's head row
--     (audit_chain_head, which no app role may read or lock) with SKIP LOCKED, links
--     every queued row of that chain in id order into audit_seal, and commits with the
--     writer's transaction, so the head is held only while that transaction commits;
--   * when the head is busy, the queued rows wait for the next commit in the city (or
--     for `tongxin audit verify`, which seals what is queued before it walks).
-- `SET CONSTRAINTS ALL IMMEDIATE` only makes a user hold the head longer, and others
-- skip it, so no one can stall anyone. Sealing is done in READ COMMITTED transactions
-- only: under REPEATABLE READ locking a head another commit moved on would fail the
-- writer's commit, so such rows wait for the next seal instead.
-- A chain's head row is made by its first seal; two first seals of a new chain at the
-- same moment wait for each other once.

CREATE TABLE audit_chain_head (
    chain      text PRIMARY KEY,
    seq        bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
    hash       bytea NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    sealed_at  timestamptz
);
COMMENT ON TABLE audit_chain_head IS '审计哈希链的链头 / head of each audit hash chain';
COMMENT ON COLUMN audit_chain_head.chain IS '链(城市代码, - 为无城市) / chain (city code, - for none)';
COMMENT ON COLUMN audit_chain_head.seq IS '最后一环的序号 / sequence number of the last link';
COMMENT ON COLUMN audit_chain_head.hash IS '最后一环的哈希 / hash of the last link';

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
-- from the same column texts outside the database.
CREATE FUNCTION audit_link_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN '-' ELSE octet_length(value) || ':' || value END
$$;

CREATE FUNCTION audit_link_text(chain text, seq bigint, a audit_log) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT audit_link_field(chain) || audit_link_field(seq::text)
        || audit_link_field(a.id::text)
        || audit_link_field((extract(epoch FROM a.at) * 1000000)::bigint::text)
        || audit_link_field(a.actor) || audit_link_field(a.action)
        || audit_link_field(a.table_name) || audit_link_field(a.city_code::text)
        || audit_link_field(a.row_id::text) || audit_link_field(a.person_id::text)
        || audit_link_field(a.org_code) || audit_link_field(a.changes::text)
        || audit_link_field(a.purpose) || audit_link_field(a.row_count::text)
$$;

-- Seal up to `batch` queued rows of one chain, in id order. Returns how many were
-- sealed, or NULL when another transaction holds the chain's head.
CREATE FUNCTION audit_chain_seal(p_chain text, batch integer DEFAULT 10000) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    r audit_log%ROWTYPE;
    n bigint;
    link bytea;
    sealed bigint[] := '{}';
BEGIN
    SELECT * INTO head FROM audit_chain_head h WHERE h.chain = p_chain FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM audit_chain_head h WHERE h.chain = p_chain) THEN
            RETURN NULL;
        END IF;
        INSERT INTO audit_chain_head (chain) VALUES (p_chain) ON CONFLICT DO NOTHING;
        SELECT * INTO head FROM audit_chain_head h WHERE h.chain = p_chain
           FOR UPDATE SKIP LOCKED;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    n := head.seq;
    link := head.hash;
    FOR r IN
        SELECT a.* FROM audit_pending p JOIN audit_log a ON a.id = p.audit_id
         WHERE p.chain = p_chain
         ORDER BY p.audit_id
         LIMIT batch
    LOOP
        n := n + 1;
        link := sha256(link || convert_to(audit_link_text(p_chain, n, r), 'UTF8'));
        INSERT INTO audit_seal (chain, seq, audit_id, hash) VALUES (p_chain, n, r.id, link);
        sealed := sealed || r.id;
    END LOOP;
    IF n = head.seq THEN
        RETURN 0;
    END IF;
    DELETE FROM audit_pending p WHERE p.chain = p_chain AND p.audit_id = ANY (sealed);
    UPDATE audit_chain_head h SET seq = n, hash = link, sealed_at = clock_timestamp()
     WHERE h.chain = p_chain;
    RETURN n - head.seq;
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

-- The chain is append-only too; a head only moves forward.
CREATE FUNCTION audit_chain_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq AND NEW.chain = OLD.chain THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_seal_no_change BEFORE UPDATE OR DELETE ON audit_seal
    FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_refuse();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_refuse();

-- Every guard and chain trigger fires ALWAYS: a replica session role skips none.
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_change;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_chain_enqueue;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_chain_seal;
ALTER TABLE audit_seal ENABLE ALWAYS TRIGGER audit_seal_no_change;
ALTER TABLE audit_seal ENABLE ALWAYS TRIGGER audit_seal_no_truncate;
ALTER TABLE audit_chain_head ENABLE ALWAYS TRIGGER audit_chain_head_forward;
ALTER TABLE audit_chain_head ENABLE ALWAYS TRIGGER audit_chain_head_no_truncate;

-- Rows written before this migration are sealed now, in id order.
INSERT INTO audit_pending (chain, audit_id)
SELECT coalesce(city_code::text, '-'), id FROM audit_log;
DO $$
DECLARE
    c text;
BEGIN
    FOR c IN SELECT DISTINCT chain FROM audit_pending ORDER BY 1 LOOP
        WHILE audit_chain_seal(c) > 0 LOOP
        END LOOP;
    END LOOP;
END;
$$;
