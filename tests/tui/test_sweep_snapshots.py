"""Snapshots of the sweep form at 80x24, in Chinese and English: this month's sweep of a
community with two cases still open, one re-checked, on a fixed day (the demo
disputes are the same for the same seed and day). Review a changed SVG before
accepting it with `--snapshot-update`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from db.users import AppUser
from tests.tui.conftest import settle, start_on_list, type_text
from tests.tui.test_sweep_flow import _worker, dispute_dsn
from tui.app import TongxinApp

__all__ = ["dispute_dsn"]  # the fixture, for the tests here
SnapCompare = Callable[..., bool]
SMALL = (80, 24)
LANGS = {"zh": "zh_CN", "en": "en"}
FIXED_DAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The month, its due day and a re-check's day follow today; the snapshots need one."""
    for module in ("sweep_form", "sweep_list"):
        monkeypatch.setattr(f"tui.screens.{module}.today", lambda: FIXED_DAY)
    monkeypatch.setattr("tui.screens.drafting.AUTOSAVE_SECONDS", 3600.0)  # no clock on screen


@pytest.fixture
async def worker(dispute_dsn: str) -> AppUser:
    """A grid worker of a community with two cases still open."""
    return await _worker(dispute_dsn, 2)


async def _re_check_the_first_case(pilot: Pilot[object]) -> None:
    """The disputes (d), this month's sweep (Enter), its first open case re-checked."""
    await start_on_list(pilot)
    for key in ("d", "enter", "tab", "tab", "enter", "tab", "tab", "tab"):
        await pilot.press(key)
        await settle(pilot)
    await type_text(pilot, "双方同意下周再谈")
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGS)
def test_sweep_form_with_a_case_re_checked(
    snap_compare: SnapCompare, dispute_dsn: str, keyring: Keyring, worker: AppUser, lang: str
) -> None:
    app = TongxinApp(
        dispute_dsn, lang=LANGS[lang], keyring=keyring, login=worker.name, user_label="演示 demo"
    )
    assert snap_compare(app, terminal_size=SMALL, run_before=_re_check_the_first_case)
