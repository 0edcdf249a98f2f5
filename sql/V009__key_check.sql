-- V009: a check value per data key, so a key file that cannot read this database is refused.
--
-- The key file lives outside the database. A missing or swapped file used to go
-- unnoticed: values sealed with a new key cannot be found by the old blind index, so
-- an ID already registered registered again. Each key the database has seen is kept
-- here with HMAC-SHA256(key, "tongxin key check v1") (never the key), and the one
-- new values are sealed with is marked active. Every path that seals or looks up
-- identifiers compares its key file with these rows first.
--
-- Only the owner writes them (`tongxin keys init`, `tongxin keys rotate`, the demo's
-- seeding); app roles have no grant on the table and read it only through
-- tx_key_checks(). Row-level security is forced with no policy, so a grant added by
-- mistake still shows an app role nothing.

CREATE TABLE data_key_check (
    key_id       text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{8}$'),
    check_value  bytea NOT NULL CHECK (length(check_value) = 32),
    active       boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE data_key_check IS
    '数据密钥校验值(非密钥本身) / check values of the data keys, never the keys';
COMMENT ON COLUMN data_key_check.key_id IS '密钥编号 / key id, as in the key file';
COMMENT ON COLUMN data_key_check.check_value IS
    '校验值: HMAC-SHA256(密钥, 固定标签) / HMAC-SHA256 of a fixed label under the key';
COMMENT ON COLUMN data_key_check.active IS '当前加密用密钥 / the key new values are sealed with';
COMMENT ON COLUMN data_key_check.created_at IS '登记时间 / recorded at';

-- At most one active key.
CREATE UNIQUE INDEX data_key_check_one_active ON data_key_check (active) WHERE active;

ALTER TABLE data_key_check ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_key_check FORCE ROW LEVEL SECURITY;
REVOKE ALL ON data_key_check FROM PUBLIC;

-- What a session needs to check its key file: the key ids, their check values, which
-- is active. SECURITY DEFINER because app roles (and the gateway, before it becomes a
-- user) have no grant on the table.
CREATE FUNCTION tx_key_checks()
RETURNS TABLE (key_id text, check_value bytea, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.key_id, c.check_value, c.active FROM data_key_check c ORDER BY c.created_at, c.key_id
$$;

-- Whether anything sealed with a key is stored: an installation from before this
-- migration has such values and no check rows yet, and must record its key first.
CREATE FUNCTION tx_sealed_values_exist() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM person WHERE id_number_enc IS NOT NULL OR phone_enc IS NOT NULL)
        OR EXISTS (SELECT 1 FROM form_draft)
$$;

REVOKE ALL ON FUNCTION tx_key_checks(), tx_sealed_values_exist() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_key_checks(), tx_sealed_values_exist()
    TO tongxin_app, tongxin_gateway;
