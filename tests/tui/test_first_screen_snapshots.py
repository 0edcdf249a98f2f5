"""Snapshots of the first screens at 80x24, in Chinese and English: the grid worker's
home screen and the supervisor's dashboard, over the fixed area of
tests/db/home_fixtures.py shown for its day, so every run draws the same lines. Review a
changed SVG before accepting it with `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from tests.db.home_fixtures import DAY, load_home_area
from tests.db.kernel_fixtures import Site, make_site
from tests.tui.conftest import settle
from tui.app import TongxinApp

SnapCompare = Callable[..., bool]
SMALL = (80, 24)
LANGS = {"zh": "zh_CN", "en": "en"}


@pytest.fixture
async def site(db_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Site:
    conn = await asyncpg.connect(db_dsn)
    try:
        site = await make_site(conn)
        await load_home_area(conn, site)
    finally:
        await conn.close()
    monkeypatch.setattr("tui.screens.home.today", lambda: DAY)
    monkeypatch.setattr("tui.screens.dashboard.today", lambda: DAY)
    return site


def _app(dsn: str, keyring: Keyring, lang: str, login: str) -> TongxinApp:
    return TongxinApp(dsn, lang=LANGS[lang], keyring=keyring, login=login, user_label="演示 demo")


async def _settled(pilot: Pilot[object]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGS)
def test_grid_workers_home(
    snap_compare: SnapCompare, db_dsn: str, keyring: Keyring, site: Site, lang: str
) -> None:
    app = _app(db_dsn, keyring, lang, site.worker.name)
    assert snap_compare(app, terminal_size=SMALL, run_before=_settled)


@pytest.mark.parametrize("lang", LANGS)
def test_supervisors_dashboard(
    snap_compare: SnapCompare, db_dsn: str, keyring: Keyring, site: Site, lang: str
) -> None:
    app = _app(db_dsn, keyring, lang, site.supervisor.name)
    assert snap_compare(app, terminal_size=SMALL, run_before=_settled)
