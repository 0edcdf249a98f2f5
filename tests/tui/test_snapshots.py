"""Snapshots of the person list at 80x24 and 120x40, in Chinese and English, as a grid
worker sees it.

The data is fixed and hand-written (tests/tui/fixed_people.py), so a snapshot
changes only when the screen does, not when the demo generator changes. Review a
changed SVG before accepting it with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from db.keys.crypto import Keyring
from tests.tui.conftest import add_app_user, settle, start_on_list
from tui.app import TongxinApp

SnapCompare = Callable[..., bool]


def _app(dsn: str, keyring: Keyring, lang: str, login: str | None = None) -> TongxinApp:
    return TongxinApp(dsn, lang=lang, keyring=keyring, user_label="演示 demo", login=login)


@pytest.fixture
async def worker(fixed_dsn: str) -> str:
    """A grid worker of the grid where the fixed list starts: the footer shows every
    key of the list (register and the work list too)."""
    return (await add_app_user(fixed_dsn)).name


def test_person_list_zh_80x24(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, worker: str
) -> None:
    app = _app(fixed_dsn, keyring, "zh_CN", worker)
    assert snap_compare(app, terminal_size=(80, 24), run_before=start_on_list)


def test_person_list_zh_120x40(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, worker: str
) -> None:
    app = _app(fixed_dsn, keyring, "zh_CN", worker)
    assert snap_compare(app, terminal_size=(120, 40), run_before=start_on_list)


def test_person_list_en_80x24(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, worker: str
) -> None:
    app = _app(fixed_dsn, keyring, "en", worker)
    assert snap_compare(app, terminal_size=(80, 24), run_before=start_on_list)


def test_person_list_en_120x40(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, worker: str
) -> None:
    app = _app(fixed_dsn, keyring, "en", worker)
    assert snap_compare(app, terminal_size=(120, 40), run_before=start_on_list)


def test_help_zh_80x24(snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring) -> None:
    async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    app = _app(fixed_dsn, keyring, "zh_CN")
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_help)


def test_search_with_wide_names_en_80x24(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring
) -> None:
    async def search_dot(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("slash")
        pilot.app.screen.query_one("#search").value = "·"
        await pilot.press("enter")
        await settle(pilot)

    app = _app(fixed_dsn, keyring, "en")
    assert snap_compare(app, terminal_size=(80, 24), run_before=search_dot)
