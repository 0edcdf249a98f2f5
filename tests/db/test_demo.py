"""Demo data as stored: valid, encrypted identifiers that agree with each person."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg
import pytest

from db.keys.crypto import Keyring
from db.persons.idcard import birth_date_of, id_problem, mask_id, sex_of
from seeds.demo import LOADED_TABLES, _indexes_built_after, seed_demo

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


SCHEMA_OF_LOADED_TABLES = """
SELECT 'index' AS kind, indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
  FROM pg_index WHERE indrelid = ANY($1::regclass[])
UNION ALL
SELECT 'constraint', conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid = ANY($1::regclass[])
ORDER BY 1, 2
"""


async def _schema(conn: asyncpg.Connection) -> list[tuple[str, str, str]]:
    rows = await conn.fetch(SCHEMA_OF_LOADED_TABLES, list(LOADED_TABLES))
    return [tuple(r) for r in rows]


async def test_a_load_into_empty_tables_builds_every_index_and_key_back(
    conn: asyncpg.Connection, keyring: Keyring
) -> None:
    before = await _schema(conn)
    assert any(kind == "constraint" and "PRIMARY KEY" in d for kind, _n, d in before)
    await seed_demo(conn, keyring, persons=300, seed=5, today=TODAY)
    assert await _schema(conn) == before
    # The rebuilt indexes are valid and in use: a name part is found through them.
    name = await conn.fetchval("SELECT name FROM person ORDER BY id LIMIT 1")
    found = await conn.fetchval(
        "SELECT count(*) FROM person_name_suffix WHERE head = left($1, 1)", name
    )
    assert found >= 1
    invalid = await conn.fetchval(
        "SELECT count(*) FROM pg_index WHERE indrelid = ANY($1::regclass[]) AND NOT indisvalid",
        list(LOADED_TABLES),
    )
    assert invalid == 0


async def _load_with_indexes_aside(
    conn: asyncpg.Connection, load: Callable[[], Awaitable[object]]
) -> None:
    """Run `load` as seed_demo runs its COPYs: in a transaction, indexes set aside."""
    async with conn.transaction(), _indexes_built_after(conn):
        await load()


async def test_a_failed_load_brings_the_indexes_back(conn: asyncpg.Connection) -> None:
    before = await _schema(conn)
    seen: list[list[tuple[str, str, str]]] = []

    async def failing_load() -> None:
        seen.append(await _schema(conn))
        raise RuntimeError("load failed")

    with pytest.raises(RuntimeError, match="load failed"):
        await _load_with_indexes_aside(conn, failing_load)
    assert seen[0] != before  # they were set aside while loading
    assert await _schema(conn) == before


async def test_a_duplicate_key_loaded_while_set_aside_fails_the_load(
    conn: asyncpg.Connection,
) -> None:
    before = await _schema(conn)
    row = ("4101", uuid.uuid4(), "41010500100101", "ma", "马", "")

    async def duplicate() -> None:
        await conn.executemany(
            "INSERT INTO person_name_suffix (city_code, id, org_code, name_pinyin, head, tail)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            [row, row],
        )

    with pytest.raises(asyncpg.UniqueViolationError):
        await _load_with_indexes_aside(conn, duplicate)
    assert await _schema(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM person_name_suffix") == 0
