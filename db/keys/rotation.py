"""The operator's key commands: `keys init` and `keys rotate`.

Both record what the database keeps of each key (db/key_check.py). Rotation adds a
new active key, then re-encrypts every stored identifier under it. Sessions keep
working throughout: the key file keeps the old keys, running keyrings reload it
when it changes, lookups try the blind index of every key until the rotation is
complete, and the database calls the new key active only once every value is
under it, so a key file from before or during the rotation passes the check until
then.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from db.core.connect import Connection
from db.keys.check import (
    activate_key,
    active_key_id,
    adopt_keyring,
    ensure_keyring,
    record_pending_key,
    sealed_values_exist,
)
from db.keys.crypto import KeyFileError, Keyring, default_key_path, load_keyring, save_keyring

BATCH = 2_000

# Rows with an identifier not yet under the active key, in key order.
_PENDING = """
SELECT city_code, id, id_number_enc, phone_enc
  FROM person
 WHERE (city_code, id) > ($1::char(4), $2::uuid)
   AND ((id_number_enc IS NOT NULL AND substring(id_number_enc FROM 1 FOR 8) <> $3)
     OR (phone_enc IS NOT NULL AND substring(phone_enc FROM 1 FOR 8) <> $3))
 ORDER BY city_code, id
 LIMIT $4
"""

_REWRITE = """
UPDATE person
   SET id_number_enc = $3, id_number_hmac = $4, phone_enc = $5, phone_hmac = $6
 WHERE city_code = $1 AND id = $2
"""


@dataclass(frozen=True, slots=True)
class KeysInit:
    """What `keys init` did."""

    path: Path
    created: bool
    recorded: bool
    active_key: str


@dataclass(frozen=True, slots=True)
class Rotation:
    """What a rotation did."""

    new_key: str
    retired_keys: list[str]
    rows: int


def _rewritten(row: Any, keys: Keyring) -> tuple[Any, ...]:
    def again(field: Any, blob: bytes | None) -> tuple[bytes | None, bytes | None]:
        if blob is None:
            return None, None
        plain = keys.decrypt(field, blob)
        return keys.encrypt(field, plain), keys.blind_index(field, plain)

    id_enc, id_hmac = again("id_number", row["id_number_enc"])
    phone_enc, phone_hmac = again("phone", row["phone_enc"])
    return (row["city_code"], row["id"], id_enc, id_hmac, phone_enc, phone_hmac)


async def reencrypt(conn: Connection, keys: Keyring, *, batch: int = BATCH) -> int:
    """Re-encrypt every identifier not under the active key; one transaction per batch."""
    active = keys.active.key_id.encode()
    position: tuple[str, UUID] = ("", UUID(int=0))
    total = 0
    while True:
        rows = await conn.fetch(_PENDING, *position, active, batch)
        if not rows:
            return total
        async with conn.transaction():
            await conn.executemany(_REWRITE, [_rewritten(r, keys) for r in rows])
        total += len(rows)
        position = (rows[-1]["city_code"], rows[-1]["id"])


async def init_keys(conn: Connection, path: Path | None = None) -> KeysInit:
    """Create the key file where there is none, unless the database already holds
    values sealed under a key (a new one could not read them); record the check value
    of its keys where none is recorded yet (an installation from before the check),
    else check the file against the database."""
    target = path or default_key_path()
    existed = target.exists()
    if not existed:
        known = await active_key_id(conn)
        if known is not None or await sealed_values_exist(conn):
            sealed = f" with key {known}" if known is not None else ""
            raise KeyFileError(
                f"no key file at {target}, but this database holds values sealed{sealed}: "
                "restore that key file there from its backup; a new key could not read them"
            )
    ring = load_keyring(target, create=not existed)
    recorded = await adopt_keyring(conn, ring)
    return KeysInit(target, not existed, recorded, ring.active.key_id)


async def rotate(conn: Connection, path: Path | None = None) -> Rotation:
    """Add a new active key to the key file and re-encrypt everything under it.

    The key file is checked against the database first. A second pass catches values
    written under an old key by a session that had not yet noticed the new file; the
    database marks the new key active in the same transaction. Old keys stay in the
    file, inactive, so backups taken before the rotation can still be read.
    """
    current = load_keyring(path)
    assert current.source is not None
    await ensure_keyring(conn, current)
    rotated = current.with_new_active_key()
    await record_pending_key(conn, rotated.active)
    save_keyring(rotated, current.source)
    rows = await reencrypt(conn, rotated)
    async with conn.transaction():
        rows += await reencrypt(conn, rotated)
        await activate_key(conn, rotated.active.key_id)
    retired = [k for k in rotated.key_ids() if k != rotated.active.key_id]
    return Rotation(rotated.active.key_id, retired, rows)
