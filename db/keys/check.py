"""The right key or none: a key file is checked against the database before it is used.

The database keeps, per data key, HMAC-SHA256 of a fixed label under it (never the
key) and which key is active (sql/V009__key_check.sql). A key file passes when it
holds the database's active key, every key it shares with the database has the
recorded check value, and the key it seals new values with is one the database
knows. Anything else would seal values the database's blind indexes cannot find (an
ID already registered would register again) or fail to read them, so it is refused
in one line naming the key and the file. A database with sealed values but no check
rows (from before the check existed) records its key with `tongxin keys init`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import asyncpg

from db.core.connect import Connection
from db.keys.crypto import DataKey, KeyFileError, Keyring

RIGHT_FILE = "use this database's key file (TONGXIN_KEY_FILE), restored from its backup"

_RECORD = """
INSERT INTO data_key_check (key_id, check_value, active) VALUES ($1, $2, $3)
ON CONFLICT (key_id) DO NOTHING
"""

# One sealed value per key id and field, for checking a key file against stored data.
_SEALED_SAMPLES = """
SELECT DISTINCT ON (key_id, field) key_id, field, value
  FROM (SELECT encode(substring(id_number_enc FROM 1 FOR 8), 'escape') AS key_id,
               'id_number' AS field, id_number_enc AS value
          FROM person WHERE id_number_enc IS NOT NULL
        UNION ALL
        SELECT encode(substring(phone_enc FROM 1 FOR 8), 'escape'), 'phone', phone_enc
          FROM person WHERE phone_enc IS NOT NULL
        UNION ALL
        SELECT encode(substring(payload FROM 1 FOR 8), 'escape'), 'draft', payload
          FROM form_draft) AS sealed
 ORDER BY key_id, field
"""


class KeyMismatch(KeyFileError):
    """The key file is not the one this database's values are sealed with."""


class KeyNotRecorded(KeyFileError):
    """The database holds sealed values but no check value of any key yet."""


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """What the database keeps of one key: its id, its check value, whether it is active."""

    key_id: str
    check_value: bytes
    active: bool


@dataclass(frozen=True, slots=True)
class Holdings:
    """What a database holds that a new key could not serve: persons, key checks."""

    persons: bool
    checks: bool
    active_key: str | None


def key_file_of(ring: Keyring) -> str:
    """The key file as a refusal names it."""
    return f"the key file {ring.source}" if ring.source is not None else "the keyring"


async def recorded_checks(conn: Connection) -> list[KeyCheck]:
    try:
        rows = await conn.fetch("SELECT key_id, check_value, active FROM tx_key_checks()")
    except asyncpg.UndefinedFunctionError as exc:
        raise KeyNotRecorded(
            "this database keeps no key checks yet: run `tongxin db migrate` first"
        ) from exc
    return [KeyCheck(r["key_id"], bytes(r["check_value"]), r["active"]) for r in rows]


async def active_key_id(conn: Connection) -> str | None:
    return next((c.key_id for c in await recorded_checks(conn) if c.active), None)


async def sealed_values_exist(conn: Connection) -> bool:
    return bool(await conn.fetchval("SELECT tx_sealed_values_exist()"))


async def holdings(conn: Connection) -> Holdings:
    """Persons and key checks of a database that may not be migrated yet (the owner's)."""
    persons = bool(await conn.fetchval("SELECT to_regclass('person') IS NOT NULL")) and bool(
        await conn.fetchval("SELECT EXISTS (SELECT 1 FROM person)")
    )
    if not await conn.fetchval("SELECT to_regclass('data_key_check') IS NOT NULL"):
        return Holdings(persons, False, None)
    rows = await conn.fetch("SELECT key_id, active FROM data_key_check")
    active = next((r["key_id"] for r in rows if r["active"]), None)
    return Holdings(persons, bool(rows), active)


def key_problem(ring: Keyring, checks: list[KeyCheck]) -> str | None:
    """Why `ring` may not be used with a database that recorded `checks`, or None."""
    where = key_file_of(ring)
    recorded = {c.key_id: c for c in checks}
    for key in ring.data_keys():
        check = recorded.get(key.key_id)
        if check is not None and not hmac.compare_digest(check.check_value, key.check_value()):
            return (
                f"{where} holds a different key under the id {key.key_id} than this "
                f"database's: {RIGHT_FILE}"
            )
    active = next((c.key_id for c in checks if c.active), None)
    if active is not None and active not in ring.key_ids():
        return f"{where} lacks key {active}, this database's active key: {RIGHT_FILE}"
    if checks and ring.active.key_id not in recorded:
        return (
            f"{where} seals with key {ring.active.key_id}, which this database does not "
            f"know: {RIGHT_FILE}"
        )
    return None


async def verify_keyring(conn: Connection, ring: Keyring) -> None:
    """Refuse a key file that is not this database's; what the app and every command
    that seals or looks up identifiers do before anything else."""
    checks = await recorded_checks(conn)
    if not checks:
        if await sealed_values_exist(conn):
            raise KeyNotRecorded(
                "this database holds sealed ID numbers but records no key check yet: run "
                "`tongxin keys init` once with the key file that sealed them "
                f"(in use: {key_file_of(ring)})"
            )
        return
    problem = key_problem(ring, checks)
    if problem is not None:
        raise KeyMismatch(problem)


async def ensure_keyring(conn: Connection, ring: Keyring) -> None:
    """Verify `ring` (the owner's paths that seal values); a database that has no check
    and no sealed value yet records the ring's keys instead, as `keys init` would."""
    if await recorded_checks(conn) or await sealed_values_exist(conn):
        await verify_keyring(conn, ring)
        return
    await record_keys(conn, ring)


async def adopt_keyring(conn: Connection, ring: Keyring) -> bool:
    """`keys init`: verify `ring`, or record its keys where none is recorded yet, once
    every key id the stored values carry is in the ring and opens one of them. True
    when the keys were recorded now."""
    if await recorded_checks(conn):
        await verify_keyring(conn, ring)
        return False
    where = key_file_of(ring)
    for sample in await conn.fetch(_SEALED_SAMPLES):
        key_id = sample["key_id"]
        if key_id not in ring.key_ids():
            raise KeyMismatch(f"{where} lacks key {key_id}, which values here are sealed with")
        try:
            ring.decrypt(sample["field"], sample["value"])
        except KeyFileError as exc:
            raise KeyMismatch(
                f"{where} holds a different key under the id {key_id} than the one values "
                "here are sealed with"
            ) from exc
    await record_keys(conn, ring)
    return True


async def record_keys(conn: Connection, ring: Keyring) -> None:
    """Record the check value of every key of `ring`, its active key as active."""
    async with conn.transaction():
        for key in ring.data_keys():
            await conn.execute(
                _RECORD, key.key_id, key.check_value(), key.key_id == ring.active.key_id
            )


async def record_pending_key(conn: Connection, key: DataKey) -> None:
    """Record a key a rotation is about to seal with; it becomes active once every
    value is under it (activate_key)."""
    await conn.execute(_RECORD, key.key_id, key.check_value(), False)


async def activate_key(conn: Connection, key_id: str) -> None:
    """Make `key_id` the active key (in the caller's transaction)."""
    await conn.execute("UPDATE data_key_check SET active = false WHERE active")
    await conn.execute("UPDATE data_key_check SET active = true WHERE key_id = $1", key_id)
