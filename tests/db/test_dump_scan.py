"""After seeding, no table and no dump holds a plaintext ID or mobile number."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import asyncpg

from db.keys.crypto import Keyring
from seeds.demo import seed_demo

ID_NUMBER = re.compile(
    r"\b[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b"
)
MOBILE = re.compile(r"\b1[3-9]\d{9}\b")


def _pg_dump(dsn: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--no-owner", dsn],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


async def test_dump_holds_no_plaintext_identifiers(
    conn: asyncpg.Connection, db_dsn: str, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=2_000, seed=11, today=date(2026, 11, 1))
    dump = _pg_dump(db_dsn)
    assert "COPY public.person" in dump
    assert re.search(r"\d{4}\*{14}", dump), "masked IDs should be in the dump"
    assert ID_NUMBER.findall(dump) == []
    assert MOBILE.findall(dump) == []
    rows = await conn.fetch("SELECT id_number_enc, phone_enc FROM person")
    plain_ids = {keyring.decrypt("id_number", r["id_number_enc"]) for r in rows}
    plain_phones = {keyring.decrypt("phone", r["phone_enc"]) for r in rows if r["phone_enc"]}
    assert len(plain_ids) == 2_000
    assert not any(value in dump for value in plain_ids | plain_phones)
