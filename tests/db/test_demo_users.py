"""`tongxin demo` makes the four fixed demo users and no one else; a login it is given
must already be one of them or an app user."""

from __future__ import annotations

import getpass
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from db.keys.crypto import load_keyring
from db.users import add_user, disable_user
from seeds.bootstrap import DEMO_USER_NAMES, NotADemoUser, prepare_demo
from tests.db.access_fixtures import demo_grid_codes

TODAY = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tongxin.key"
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(path))
    load_keyring(path, create=True)


async def _prepare(dsn: str, login: str | None = None) -> None:
    await prepare_demo(dsn, persons=0, seed=1, today=TODAY, login=login)


async def _users(conn: asyncpg.Connection) -> dict[str, str]:
    rows = await conn.fetch("SELECT name, role_kind FROM app_user")
    return {r["name"]: r["role_kind"] for r in rows}


async def test_the_demo_makes_only_the_fixed_demo_users(
    db_dsn: str, conn: asyncpg.Connection
) -> None:
    await _prepare(db_dsn)
    await _prepare(db_dsn)  # a second run adds nobody
    assert await _users(conn) == {
        "demo_grid": "grid_worker",
        "demo_supervisor": "supervisor",
        "demo_auditor": "auditor",
        "demo_admin": "admin",
    }
    assert set(DEMO_USER_NAMES) == set(await _users(conn))
    assert getpass.getuser() not in await _users(conn)


async def test_an_unknown_login_is_refused_and_adds_no_one(
    db_dsn: str, conn: asyncpg.Connection
) -> None:
    await _prepare(db_dsn)
    before = await _users(conn)
    with pytest.raises(NotADemoUser, match="--as nosuch: no such user in the demo"):
        await _prepare(db_dsn, "nosuch")
    assert await _users(conn) == before
    assert not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'tx_nosuch'")


async def test_an_app_user_may_be_the_login_while_active(
    db_dsn: str, conn: asyncpg.Connection
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    name = f"wang_{uuid.uuid4().hex[:8]}"  # roles are cluster-wide
    await add_user(conn, name, "grid_worker", grid)
    await _prepare(db_dsn, name)
    await _prepare(db_dsn, "demo_grid")
    await disable_user(conn, name)
    with pytest.raises(NotADemoUser):
        await _prepare(db_dsn, name)
