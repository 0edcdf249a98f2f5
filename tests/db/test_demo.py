"""Demo data as stored: valid, encrypted identifiers that agree with each person."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from db.crypto import Keyring
from db.idcard import birth_date_of, id_problem, mask_id, sex_of
from seeds.demo import seed_demo

TODAY = date(2026, 11, 1)


async def test_stored_demo_persons_are_valid(conn: asyncpg.Connection, keyring: Keyring) -> None:
    loaded = await seed_demo(conn, keyring, persons=1_000, seed=2, today=TODAY)
    assert loaded.persons == 1_000
    provinces = {r["code"] for r in await conn.fetch("SELECT code FROM division WHERE level = 1")}
    rows = await conn.fetch(
        "SELECT p.*, o.is_demo FROM person p JOIN org_unit o ON o.code = p.org_code"
    )
    assert len(rows) == 1_000
    for row in rows:
        number = keyring.decrypt("id_number", row["id_number_enc"])
        assert id_problem(number, TODAY, provinces) is None
        assert birth_date_of(number) == row["birth_date"]
        assert sex_of(number) == row["sex"]
        assert number[:6] == row["origin_division_code"]
        assert row["id_number_masked"] == mask_id(number)
        assert row["is_demo"]
    members = await conn.fetchval("SELECT count(*) FROM household_member")
    assert members == loaded.household_members > 0
    consents = await conn.fetchval("SELECT count(DISTINCT person_id) FROM consent_record")
    assert consents == 1_000
    bulk = await conn.fetch(
        "SELECT table_name, row_count FROM audit_log WHERE action = 'bulk_insert'"
    )
    assert sum(r["row_count"] for r in bulk if r["table_name"] == "person") == 1_000


async def test_same_seed_twice_is_refused_and_changes_nothing(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    await seed_demo(conn, keyring, persons=50, seed=4, today=TODAY)
    with pytest.raises(asyncpg.UniqueViolationError):
        await seed_demo(conn, keyring, persons=50, seed=4, today=TODAY)
    assert await conn.fetchval("SELECT count(*) FROM person") == 50
