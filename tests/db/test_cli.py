"""The operator commands against a real database (TONGXIN_DSN) and key file."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from db.core.connect import DATABASE_NAME, data_dir
from db.keys.crypto import load_keyring
from tests.db.access_fixtures import add_person, demo_grid_codes, give_identifiers
from tui.cli import app

runner = CliRunner()


@pytest.fixture
async def env(db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The operator's set-up: TONGXIN_DSN, and a key file made by `keys init`."""
    key_file = tmp_path / "tongxin.key"
    monkeypatch.setenv("TONGXIN_DSN", db_dsn)
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(key_file))
    await _ok("keys", "init")
    return key_file


async def _invoke(*args: str) -> Result:
    # The commands call asyncio.run, so they run off this test's event loop.
    return await asyncio.to_thread(runner.invoke, app, list(args))


async def _ok(*args: str) -> str:
    result = await _invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


async def _refused(*args: str) -> str:
    result = await _invoke(*args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


async def test_db_status_and_migrate(env: Path) -> None:
    assert "up to date" in await _ok("db", "migrate")
    status = await _ok("db", "status")
    assert "applied  V001__core.sql" in status
    assert "pending" not in status


async def test_user_add_list_disable(env: Path, conn: asyncpg.Connection) -> None:
    grid = (await demo_grid_codes(conn))[0]
    out = await _ok("user", "add", "wang_li", "--role", "grid_worker", "--org", grid)
    assert "tx_wang_li" in out
    assert "wang_li" in await _ok("user", "list")
    assert "already exists" in await _refused(
        "user", "add", "wang_li", "--role", "grid_worker", "--org", grid
    )
    assert "--org" in await _refused("user", "add", "li_si", "--role", "auditor", "--org", "999")
    assert "user name" in await _refused(
        "user", "add", "Li Si!", "--role", "auditor", "--org", "4101"
    )
    await _ok("user", "disable", "wang_li")
    assert "disabled" in await _ok("user", "list")
    assert "no such user" in await _refused("user", "disable", "nobody")


async def test_person_export_audit_show_and_retention(
    env: Path, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    keys = load_keyring(env)
    person = await add_person(conn, grid, "扎西顿珠")
    await give_identifiers(conn, keys, person, "540102198805051234", "13912345678")
    target = tmp_path / "subject.json"
    await _ok("person", "export", "540102198805051234", "-o", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["person"]["name"] == "扎西顿珠"
    assert document["person"]["phone"] == "13912345678"
    assert target.stat().st_mode & 0o077 == 0
    assert "exists" in await _refused("person", "export", str(person), "-o", str(target))
    assert "no such record" in await _refused(
        "person", "export", "nobody", "-o", str(tmp_path / "x")
    )
    shown = await _ok("audit", "show", "--person", str(person))
    assert "export" in shown
    assert "insert" in shown
    assert "would anonymise 0" in await _ok("retention", "run", "--dry-run")


async def test_keys_init_creates_once(
    db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "new.key"
    monkeypatch.setenv("TONGXIN_DSN", db_dsn)
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(key_file))
    assert "keys init" in await _refused("keys", "rotate")
    assert "created" in await _ok("keys", "init")
    before = key_file.read_text()
    assert "exists" in await _ok("keys", "init")
    assert key_file.read_text() == before


async def test_keys_rotate(env: Path, conn: asyncpg.Connection) -> None:
    grid = (await demo_grid_codes(conn))[0]
    keys = load_keyring(env)
    person = await add_person(conn, grid)
    await give_identifiers(conn, keys, person, "540102198805051234", "13912345678")
    out = await _ok("keys", "rotate")
    assert "1 rows re-encrypted" in out
    fresh = load_keyring(env, create=False)
    blob = await conn.fetchval("SELECT id_number_enc FROM person WHERE id = $1", person)
    assert fresh.decrypt("id_number", blob) == "540102198805051234"


async def test_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGXIN_DSN", "postgresql://nobody@127.0.0.1:1/none")
    assert "cannot connect" in await _refused("db", "status")


async def test_an_os_user_who_is_no_app_user_is_refused_in_one_line(env: Path) -> None:
    refusal = await _refused("tui", "--as", "stranger")
    assert "stranger is not a tongxin user" in refusal


async def test_as_before_the_command_is_the_user_the_app_opens_as(env: Path) -> None:
    for args in (["--as", "stranger", "tui"], ["tui", "--as", "stranger"], ["--as", "stranger"]):
        assert "stranger is not a tongxin user" in await _refused(*args)


async def test_audit_show_names_an_unknown_user(env: Path) -> None:
    assert "nosuch: no such user" in await _refused("audit", "show", "--user", "nosuch")


STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00 ")


async def test_printed_times_carry_the_office_zone(env: Path, conn: asyncpg.Connection) -> None:
    status = (await _ok("db", "status")).splitlines()
    assert all(re.search(r" \d\d:\d\d:\d\d \+08:00$", line) for line in status), status
    grid = (await demo_grid_codes(conn))[0]
    await add_person(conn, grid, "扎西顿珠")
    shown = (await _ok("audit", "show")).splitlines()
    assert shown
    assert all(STAMP.match(line) for line in shown), shown


async def test_audit_show_since_is_in_office_time(env: Path, conn: asyncpg.Connection) -> None:
    grid = (await demo_grid_codes(conn))[0]
    person = await add_person(conn, grid, "扎西顿珠")
    newest = (await _ok("audit", "show", "--person", str(person))).splitlines()[0]
    at = datetime.fromisoformat(newest[:26].replace(" +", "+"))  # "2026-12-01 15:40:02 +08:00"
    later = (at + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert newest in await _ok("audit", "show", "--person", str(person), "--since", newest[:19])
    assert await _ok("audit", "show", "--person", str(person), "--since", later) == ""


async def _audit_rows(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM audit_log")


async def test_an_export_to_a_missing_directory_is_one_line_and_not_audited(
    env: Path, conn: asyncpg.Connection
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    person = await add_person(conn, grid, "扎西顿珠")
    before = await _audit_rows(conn)
    refusal = await _refused("person", "export", str(person), "-o", "/no/such/dir/x")
    assert "/no/such/dir/x" in refusal
    assert await _audit_rows(conn) == before


@pytest.fixture
async def demo_data(pg_admin_dsn: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """`tongxin demo` pointed at the test cluster (TONGXIN_DATA_DIR holds its pgdata, which
    is also its socket directory); yields the DSN of the database the demo uses, which is
    dropped after, with the demo's key file."""
    data = Path(pg_admin_dsn.split("host=", 1)[1]).parent
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(data))
    monkeypatch.delenv("TONGXIN_DSN", raising=False)
    monkeypatch.delenv("TONGXIN_KEY_FILE", raising=False)
    yield pg_admin_dsn.replace("/postgres?", f"/{DATABASE_NAME}?")
    (data / "tongxin.key").unlink(missing_ok=True)
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_demo_as_an_unknown_user_is_refused_and_makes_nothing(demo_data: str) -> None:
    refusal = await _refused("demo", "--as", "nosuch", "--persons", "0")
    assert "--as nosuch: no such user in the demo" in refusal
    conn = await asyncpg.connect(demo_data)
    try:
        assert not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'tx_nosuch'")
        assert await conn.fetchval("SELECT to_regclass('app_user')") is None  # nothing migrated
    finally:
        await conn.close()
    assert not (data_dir() / "tongxin.key").exists()


async def _head(conn: asyncpg.Connection, chain: str) -> str:
    """The head as audit verify prints it: CHAIN:SEQ:HASH."""
    return await conn.fetchval(
        "SELECT chain || ':' || seq || ':' || encode(hash, 'hex') FROM audit_seal "
        "WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
        chain,
    )


async def test_audit_verify_prints_each_chain_with_its_head(
    env: Path, conn: asyncpg.Connection
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    city = grid[:4]
    reference = await conn.fetchval("SELECT count(*) FROM audit_log WHERE city_code IS NULL")
    assert reference > 0  # the template's reference data: the chain of no city
    await add_person(conn, grid)
    await add_person(conn, grid)
    await conn.execute(
        "INSERT INTO audit_log (action, table_name, row_count) VALUES ('bulk_insert', 'person', 5)"
    )
    lines = (await _ok("audit", "verify")).splitlines()
    assert lines == [
        f"chain - (no city): {reference + 1} rows verified; head {await _head(conn, '-')}",
        f"chain {city}: 2 rows verified; head {await _head(conn, city)}",
    ]
    assert (await _ok("audit", "verify", "--city", city)).splitlines() == lines[1:]
    assert (await _ok("audit", "verify", "--city", "-")).splitlines() == lines[:1]
    written = lines[1].rsplit(" ", 1)[1]
    await add_person(conn, grid)
    assert f"chain {city}: 3 rows verified" in await _ok("audit", "verify", "--anchor", written)
    assert "--city 9999: no audit rows" in await _refused("audit", "verify", "--city", "9999")


async def test_audit_verify_names_the_first_broken_link(
    env: Path, conn: asyncpg.Connection
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    await add_person(conn, grid)
    await add_person(conn, grid)
    first = await conn.fetchval("SELECT min(id) FROM audit_log WHERE city_code = $1", grid[:4])
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        await conn.execute("UPDATE audit_log SET actor = 'nobody' WHERE id = $1", first)
    assert await _refused("audit", "verify") == (
        f"tongxin: audit chain {grid[:4]}, link 1: audit row {first} does not match its hash "
        "(changed after it was sealed)"
    )
