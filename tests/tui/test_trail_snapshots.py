"""Snapshots of the trail at 80x24, in Chinese and English: a person's trail as their
supervisor pages back through it, the auditor's trail of their scope with the city chain
verified, the same chain broken, and the filters.

The history is fixed (tests/tui/trail_history.py), so the rows and the chain's head are
the same in every run; a person's first page also holds the reading just made, so its
snapshot is of the second page. Review a changed SVG before accepting it with
`--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from tests.tui.conftest import settle, start_on_list
from tests.tui.trail_history import TrailCast, insert_trail_history
from tui.app import TongxinApp

SnapCompare = Callable[..., bool]
SMALL = (80, 24)
LANGS = {"zh": "zh_CN", "en": "en"}


@pytest.fixture
async def cast(db_dsn: str, keyring: Keyring) -> TrailCast:
    conn = await asyncpg.connect(db_dsn)
    try:
        return await insert_trail_history(conn, keyring)
    finally:
        await conn.close()


def _app(dsn: str, keyring: Keyring, lang: str, login: str) -> TongxinApp:
    return TongxinApp(dsn, lang=LANGS[lang], keyring=keyring, login=login, user_label="演示 demo")


def _keys(*keys: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    async def run(pilot: Pilot[object]) -> None:
        await start_on_list(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("lang", LANGS)
def test_person_trail_second_page(
    snap_compare: SnapCompare, db_dsn: str, keyring: Keyring, cast: TrailCast, lang: str
) -> None:
    app = _app(db_dsn, keyring, lang, cast.users["wang"].name)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("enter", "h", "n"))


@pytest.mark.parametrize("lang", LANGS)
def test_audit_trail_with_the_chain_verified(
    snap_compare: SnapCompare, db_dsn: str, keyring: Keyring, cast: TrailCast, lang: str
) -> None:
    app = _app(db_dsn, keyring, lang, cast.users["zhao"].name)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("h"))


@pytest.fixture
async def broken(db_dsn: str, cast: TrailCast) -> TrailCast:
    """The fifth link's audit row rewritten by the owner, its guards switched off."""
    conn = await asyncpg.connect(db_dsn)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
            await conn.execute(
                "UPDATE audit_log SET purpose = '走访' WHERE id = (SELECT id FROM audit_log "
                "WHERE city_code = $1 ORDER BY id OFFSET 4 LIMIT 1)",
                cast.city,
            )
    finally:
        await conn.close()
    return cast


@pytest.mark.parametrize("lang", LANGS)
def test_audit_trail_with_the_chain_broken(
    snap_compare: SnapCompare, db_dsn: str, keyring: Keyring, broken: TrailCast, lang: str
) -> None:
    app = _app(db_dsn, keyring, lang, broken.users["zhao"].name)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("h"))


@pytest.mark.parametrize("lang", LANGS)
def test_trail_filters(
    snap_compare: SnapCompare, db_dsn: str, keyring: Keyring, cast: TrailCast, lang: str
) -> None:
    app = _app(db_dsn, keyring, lang, cast.users["zhao"].name)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("h", "f"))
