"""The migration runner against a real PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from db.core.migrate import MigrationError, MigrationFile, discover, migrate, status


def _files(*extra: MigrationFile) -> list[MigrationFile]:
    return discover() + list(extra)


async def test_migrates_from_empty_and_rerun_is_a_no_op(empty_dsn: str) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        applied = await migrate(conn)
        assert applied == [f.name for f in discover()]
        assert applied[0] == "V001__core.sql"
        tables = {
            r["tablename"]
            for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
        assert {"org_unit", "app_user", "person", "household_member", "schema_migrations"} <= tables
        assert await migrate(conn) == []
        states = {s.name: s.state for s in await status(conn)}
        assert set(states.values()) == {"applied"}
    finally:
        await conn.close()


async def test_status_of_an_empty_database_is_all_pending(empty_dsn: str) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        states = await status(conn)
        assert states
        assert {s.state for s in states} == {"pending"}
    finally:
        await conn.close()


async def test_edited_versioned_file_is_refused(empty_dsn: str) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        extra = MigrationFile("V900__extra.sql", "V", 900, "CREATE TABLE extra (a int);")
        await migrate(conn, _files(extra))
        tampered = MigrationFile("V900__extra.sql", "V", 900, "CREATE TABLE extra (a bigint);")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, _files(tampered))
        states = {s.name: s.state for s in await status(conn, _files(tampered))}
        assert states["V900__extra.sql"] == "changed"
    finally:
        await conn.close()


async def test_repeatable_file_is_reapplied_only_when_changed(empty_dsn: str) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        view_v1 = MigrationFile(
            "R__zz_test.sql", "R", None, "CREATE OR REPLACE VIEW zz AS SELECT 1 AS n;"
        )
        assert "R__zz_test.sql" in await migrate(conn, _files(view_v1))
        assert await migrate(conn, _files(view_v1)) == []
        view_v2 = MigrationFile(
            "R__zz_test.sql", "R", None, "CREATE OR REPLACE VIEW zz AS SELECT 2 AS n;"
        )
        assert await migrate(conn, _files(view_v2)) == ["R__zz_test.sql"]
        assert await conn.fetchval("SELECT n FROM zz") == 2
    finally:
        await conn.close()


async def test_failed_file_leaves_nothing_behind(empty_dsn: str) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        await migrate(conn)
        broken = MigrationFile(
            "V901__broken.sql", "V", 901, "CREATE TABLE half (a int); SELECT no_such_fn();"
        )
        with pytest.raises(MigrationError, match="V901__broken.sql failed"):
            await migrate(conn, _files(broken))
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        recorded = await conn.fetchval(
            "SELECT count(*) FROM schema_migrations WHERE name = 'V901__broken.sql'"
        )
        assert recorded == 0
    finally:
        await conn.close()


async def test_two_concurrent_migrators_apply_each_file_once(empty_dsn: str) -> None:
    first, second = await asyncpg.connect(empty_dsn), await asyncpg.connect(empty_dsn)
    try:
        results = await asyncio.gather(migrate(first), migrate(second))
        applied = sorted(results[0] + results[1])
        assert applied == sorted(f.name for f in discover())
        assert [] in results
    finally:
        await first.close()
        await second.close()
