"""A city's monthly dispute sweep rule, with the keyboard only, at 80x24: its admin sets
the deadline day and the filing unit from the person list (`s`, then ctrl+s); a day
that is not 1 to 31 is refused in one line naming the box and stores nothing; leaving
with a change not saved asks first; a save over someone else's change says so and
shows theirs. A district's admin reads the rule and cannot change it, not even past the
screen; supervisors and grid workers get no key for it. The database is read back."""

from __future__ import annotations

import asyncpg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from db.core.session import acting_as
from db.disputes.months import SweepSetting, save_sweep_setting
from db.keys.crypto import Keyring
from db.users import AppUser, RoleKind
from tests.tui.conftest import add_app_user, fetch, screen_text, settle, start_on_list, type_text
from tui.app import TongxinApp
from tui.dialogs.help import key_rows
from tui.dialogs.notice import ConfirmModal
from tui.screens.person_list import PersonListScreen
from tui.screens.sweep_settings import SweepSettingsScreen

SMALL = (80, 24)
CITY = "4101"
STORED = "SELECT deadline_day, filing_unit, version, updated_by FROM sweep_setting"


async def _press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def _line(app: TongxinApp, line: str) -> str:
    return str(app.screen.query_one(line, Static).render())


def _footer(app: TongxinApp) -> str:
    return screen_text(app).splitlines()[-1]


async def _district(dsn: str) -> str:
    rows = await fetch(
        dsn, "SELECT min(code) AS code FROM org_unit WHERE level = 'district' AND city_code = $1",
        CITY,
    )  # fmt: skip
    return str(rows[0]["code"])


async def _stored(dsn: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await fetch(dsn, STORED)]


async def _open_settings(pilot: Pilot[None]) -> SweepSettingsScreen:
    await start_on_list(pilot)
    await _press(pilot, "s")
    screen = pilot.app.screen
    assert isinstance(screen, SweepSettingsScreen), screen
    return screen


async def _type_day(pilot: Pilot[None], day: str) -> None:
    await _press(pilot, "end", "ctrl+u")
    await type_text(pilot, day)


async def test_a_city_admin_sets_the_deadline_day_and_the_filing_unit(
    db_dsn: str, keyring: Keyring
) -> None:
    admin = await add_app_user(db_dsn, "admin", CITY, display_name="市管理员")
    app = TongxinApp(db_dsn, keyring=keyring, login=admin.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        assert "s 排查 " in _footer(app)
        await _open_settings(pilot)
        shown = screen_text(app)
        assert "每月矛盾纠纷排查设置 · 郑州市" in shown
        joined = "".join(line.strip() for line in shown.splitlines())  # wrapped lines
        for words in ("报送截止日", "以次月最后一天为准", "报送单元", "社区", "由其任一网格员填报",
                      "修改自下月的排查起生效", "本月及以往各月仍按原规则"):  # fmt: skip
            assert words in joined, words
        assert "只有市级管理员" not in shown
        assert app.focused is app.screen.query_one("#box-deadline_day", Input)
        assert app.screen.query_one("#box-deadline_day", Input).value == "20"

        await _type_day(pilot, "31")
        await _press(pilot, "tab", "enter", "down", "enter")  # the filing unit: grid
        assert app.screen.query_one("#box-filing_unit", Select).value == "grid"
        await _press(pilot, "ctrl+s")
        assert _line(app, "#settings-state") == "已保存：次月 31 日（含当天）前报送，由各网格报送。"
        assert _line(app, "#problems") == ""
        assert await _stored(db_dsn) == [(31, "grid", 1, admin.pg_role)]
        await _press(pilot, "ctrl+s")  # as stored: nothing to write
        assert _line(app, "#settings-state") == "无需保存：设置与已保存的相同。"

        await _press(pilot, "escape")  # nothing unsaved: back at once
        assert isinstance(app.screen, PersonListScreen)
        await _press(pilot, "s")
        assert app.screen.query_one("#box-deadline_day", Input).value == "31"
        await _type_day(pilot, "5")
        await _press(pilot, "ctrl+s")
        assert _line(app, "#settings-state") == "已保存：次月 5 日（含当天）前报送，由各网格报送。"
        await _press(pilot, "ctrl+l")
        shown = screen_text(app)
        assert "Monthly dispute sweep · 郑州市" in shown
        assert "Filing unit      Grid" in shown
    assert await _stored(db_dsn) == [(5, "grid", 2, admin.pg_role)]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("32", "报送截止日：32 不是每月的日期：请填 1 到 31"),
        ("0", "报送截止日：0 不是每月的日期：请填 1 到 31"),
        ("x", "报送截止日：x 不是每月的日期：请填 1 到 31"),
        ("", "报送截止日：请填每月的日期，1 到 31"),
    ],
)
async def test_a_bad_day_is_refused_naming_the_box_and_nothing_changes(
    db_dsn: str, keyring: Keyring, typed: str, said: str
) -> None:
    admin = await add_app_user(db_dsn, "admin", CITY)
    app = TongxinApp(db_dsn, keyring=keyring, login=admin.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_settings(pilot)
        await _type_day(pilot, typed)
        await _press(pilot, "tab", "ctrl+s")
        assert _line(app, "#problems") == said
        assert app.focused is app.screen.query_one("#box-deadline_day", Input)
        assert await _stored(db_dsn) == []

        await _press(pilot, "escape")  # a change not saved: asks first
        assert isinstance(app.screen, ConfirmModal)
        assert "报送截止日或报送单元已修改，尚未保存。" in screen_text(app)
        await _press(pilot, "escape")  # stays, with what was typed
        assert isinstance(app.screen, SweepSettingsScreen)
        assert app.screen.query_one("#box-deadline_day", Input).value == typed
        await _press(pilot, "escape", "enter")  # leaves without saving
        assert isinstance(app.screen, PersonListScreen)
    assert await _stored(db_dsn) == []


async def test_a_district_admin_reads_the_rule_and_cannot_change_it(
    db_dsn: str, keyring: Keyring
) -> None:
    district = await _district(db_dsn)
    admin = await add_app_user(db_dsn, "admin", district)
    app = TongxinApp(db_dsn, keyring=keyring, login=admin.name)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open_settings(pilot)
        assert "只有市级管理员可以修改这些设置；其他人的修改数据库一律拒绝。" in screen_text(app)
        assert "^s" not in _footer(app)
        day = screen.query_one("#box-deadline_day", Input)
        assert day.disabled
        assert screen.query_one("#box-filing_unit", Select).disabled
        await _press(pilot, "ctrl+s", "escape")
        assert isinstance(app.screen, PersonListScreen)
        assert await _stored(db_dsn) == []

        await _save_past_the_screen(pilot, await _open_settings(pilot))
    assert await _stored(db_dsn) == []


async def _save_past_the_screen(pilot: Pilot[None], screen: SweepSettingsScreen) -> None:
    """Make the read-only screen editable and save: the database refuses it, and the
    screen says so in one line."""
    screen.editable = True
    day = screen.query_one("#box-deadline_day", Input)
    day.disabled = False
    day.focus()
    await _type_day(pilot, "10")
    await _press(pilot, "ctrl+s")
    assert _line(pilot.app, "#settings-state") == "未保存：只有市级管理员可以修改这些设置。"


@pytest.mark.parametrize("kind", ["supervisor", "grid_worker"])
async def test_supervisors_and_grid_workers_have_no_key_and_cannot_change_it(
    db_dsn: str, keyring: Keyring, kind: RoleKind
) -> None:
    grid = str((await fetch(db_dsn, "SELECT min(code) AS c FROM org_unit WHERE level = 'grid' "
                            "AND city_code = $1", CITY))[0]["c"])  # fmt: skip
    user = await add_app_user(db_dsn, kind, grid[:9] if kind == "supervisor" else grid)
    app = TongxinApp(db_dsn, keyring=keyring, login=user.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        assert not any("排查的报送截止日" in text for _keys, text in key_rows(app.screen))
        await _press(pilot, "s")
        assert isinstance(app.screen, PersonListScreen)

        assert app.session is not None  # reached otherwise, the screen only reads
        app.push_screen(SweepSettingsScreen(app.session))
        await settle(pilot)
        assert "只有市级管理员可以修改这些设置" in screen_text(app)
        assert app.screen.query_one("#box-deadline_day", Input).disabled
        assert isinstance(app.screen, SweepSettingsScreen)
        await _save_past_the_screen(pilot, app.screen)
    assert await _stored(db_dsn) == []


async def _someone_else_sets(dsn: str, day: int) -> AppUser:
    other_admin = await add_app_user(dsn, "admin", CITY)
    conn = await asyncpg.connect(dsn)
    try:
        async with acting_as(conn, other_admin):
            await save_sweep_setting(conn, SweepSetting(city_code=CITY, deadline_day=day))
    finally:
        await conn.close()
    return other_admin


async def test_a_save_over_someone_elses_change_says_so_and_shows_theirs(
    db_dsn: str, keyring: Keyring
) -> None:
    admin = await add_app_user(db_dsn, "admin", CITY)
    app = TongxinApp(db_dsn, keyring=keyring, login=admin.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_settings(pilot)
        other_admin = await _someone_else_sets(db_dsn, 15)  # while the screen is open
        await _type_day(pilot, "25")
        await _press(pilot, "ctrl+s")
        assert _line(app, "#settings-state") == ("未保存：其间已有他人修改，现显示已保存的设置。")
        assert app.screen.query_one("#box-deadline_day", Input).value == "15"
        assert await _stored(db_dsn) == [(15, "community", 1, other_admin.pg_role)]

        await _type_day(pilot, "25")  # again, over theirs
        await _press(pilot, "ctrl+s")
        assert _line(app, "#settings-state") == "已保存：次月 25 日（含当天）前报送，由各社区报送。"
    assert await _stored(db_dsn) == [(25, "community", 2, admin.pg_role)]
