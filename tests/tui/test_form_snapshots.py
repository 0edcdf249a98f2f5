"""Snapshots of the record, the registration form and the visit form at 80x24 and 120x40,
in Chinese and English, on the fixed hand-written persons (tests/tui/fixed_people.py);
the record's visits and needs tabs at 80x24.

Review a changed SVG before accepting it with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg
import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from db.keys.crypto import Keyring
from tests.tui.conftest import add_app_user, settle, start_on_list, tab_to, type_text
from tests.tui.fixed_people import insert_fixed_visit
from tui.app import TongxinApp

SnapCompare = Callable[..., bool]
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
LANGS = {"zh": "zh_CN", "en": "en"}
CASES = [(lang, size) for lang in LANGS for size in SIZES]
FIXED_DAY = date(2026, 11, 24)


@pytest.fixture
async def fixed_worker(fixed_dsn: str) -> str:
    """A grid worker of the grid where the fixed list starts (买买提·艾力's)."""
    user = await add_app_user(fixed_dsn, org_code=None)
    return user.name


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new visit is dated today; the snapshots need one day."""
    monkeypatch.setattr("tui.screens.visit_form.today", lambda: FIXED_DAY)


def _app(dsn: str, keyring: Keyring, lang: str, login: str) -> TongxinApp:
    return TongxinApp(dsn, lang=LANGS[lang], keyring=keyring, login=login, user_label="演示 demo")


def _keys(*keys: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    async def run(pilot: Pilot[object]) -> None:
        await start_on_list(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize(("lang", "size"), CASES)
def test_person_record(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    fixed_worker: str,
    lang: str,
    size: str,
) -> None:
    app = _app(fixed_dsn, keyring, lang, fixed_worker)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_keys("o"))


@pytest.fixture
async def visited_worker(fixed_dsn: str, fixed_worker: str) -> str:
    """The fixed worker, whose first person has a returned visit with two needs."""
    conn = await asyncpg.connect(fixed_dsn)
    try:
        await insert_fixed_visit(conn)
    finally:
        await conn.close()
    return fixed_worker


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("tab", ["3", "4"])
def test_person_record_visits_and_needs(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    visited_worker: str,
    lang: str,
    tab: str,
) -> None:
    app = _app(fixed_dsn, keyring, lang, visited_worker)
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=_keys("o", tab))


@pytest.mark.parametrize(("lang", "size"), CASES)
def test_person_form(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    fixed_worker: str,
    lang: str,
    size: str,
) -> None:
    app = _app(fixed_dsn, keyring, lang, fixed_worker)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_keys("o", "e"))


@pytest.mark.parametrize(("lang", "size"), CASES)
def test_visit_form(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    fixed_worker: str,
    lang: str,
    size: str,
) -> None:
    app = _app(fixed_dsn, keyring, lang, fixed_worker)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_keys("o", "v"))


@pytest.mark.parametrize("lang", LANGS)
def test_registration_form(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, fixed_worker: str, lang: str
) -> None:
    """A new registration ends with its legal basis: the choice and the day consent was given."""
    app = _app(fixed_dsn, keyring, lang, fixed_worker)
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=_keys("a"))


async def _restore_a_visit_draft(pilot: Pilot[object]) -> None:
    """A visit with the longest ·-joined name (the list's second person) left with notes
    and a need, opened again and its draft restored."""
    await start_on_list(pilot)
    for key in ("down", "o", "v"):
        await pilot.press(key)
        await settle(pilot)
    await tab_to(pilot, "box-notes")
    notes = pilot.app.focused
    assert isinstance(notes, TextArea)
    notes.insert("想在附近找餐饮工作。")
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press("tab", "enter", "down", "enter", "tab")
    await type_text(pilot, "找餐饮方面的工作")
    for key in ("ctrl+s", "escape", "v", "enter"):  # keep the need, leave, open, restore
        await pilot.press(key)
        await settle(pilot)
    pilot.app.clear_notifications()  # "draft kept" would fade out at its own time
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGS)
def test_restored_visit_draft(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    fixed_worker: str,
    lang: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tui.screens.drafting.AUTOSAVE_SECONDS", 3600.0)  # no clock on screen
    app = _app(fixed_dsn, keyring, lang, fixed_worker)
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=_restore_a_visit_draft)
