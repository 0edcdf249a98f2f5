"""Snapshots of the ledger screen at 80x24, in Chinese and English: the registry of a
street as its supervisor opens it from the person list, on the fixed persons of
tests/tui/fixed_people.py (so the rows are the same in every run). Review a changed SVG
before accepting it with `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from db.users import AppUser
from tests.tui.conftest import add_app_user, settle, start_on_list
from tests.tui.fixed_people import FIRST_TWO_GRIDS
from tui.app import TongxinApp

SnapCompare = Callable[..., bool]
SMALL = (80, 24)
LANGS = {"zh": "zh_CN", "en": "en"}


@pytest.fixture
async def street_supervisor(fixed_dsn: str) -> AppUser:
    conn = await asyncpg.connect(fixed_dsn)
    try:
        grid = await conn.fetchval(FIRST_TWO_GRIDS)
    finally:
        await conn.close()
    return await add_app_user(fixed_dsn, "supervisor", grid[:9], display_name="王审核")


def _keys(*keys: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    async def run(pilot: Pilot[object]) -> None:
        await start_on_list(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("lang", LANGS)
def test_the_registry_of_a_street(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, street_supervisor: AppUser,
    lang: str,
) -> None:  # fmt: skip
    app = TongxinApp(fixed_dsn, lang=LANGS[lang], keyring=keyring,
                     login=street_supervisor.name, user_label="演示 demo")  # fmt: skip
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("t"))
