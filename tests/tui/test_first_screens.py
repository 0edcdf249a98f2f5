"""The first screens after login, with the keyboard alone: a grid worker lands on their
home screen, sees a representative's weekly phone talk overdue and opens it with Enter;
a supervisor lands on their dashboard and Enter on a line opens the list behind it; `l`
reaches the person list from either, and Esc or b comes back. The area is fixed
(tests/db/home_fixtures.py) and the screens are shown for its day."""

from __future__ import annotations

import asyncpg
import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from tests.db.home_fixtures import DAY, load_home_area
from tests.db.kernel_fixtures import Site, make_site
from tests.tui.conftest import notices, screen_text, settle
from tui.app import TongxinApp
from tui.dialogs.help import HelpScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.first_lines import FirstLines, FirstScreen
from tui.screens.home import HomeScreen
from tui.screens.person_list import PersonListScreen
from tui.screens.referral_list import ReferralListScreen
from tui.screens.representative_record import RepresentativeScreen

SIZE = (100, 30)


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


async def _go_to(pilot: Pilot[object], words: str) -> None:
    """Move the cursor to the first line that holds `words`, with ↑ and ↓ alone."""
    screen = pilot.app.screen
    assert isinstance(screen, FirstScreen)
    chosen = [i for i, line in enumerate(screen.shown) if not line.heading]
    target = next(n for n, i in enumerate(chosen) if words in screen.shown[i].text.plain)
    now = chosen.index(screen.query_one(FirstLines).highlighted or chosen[0])
    await pilot.press(*(["down"] * (target - now) or ["up"] * (now - target)))
    await settle(pilot)


async def test_a_grid_worker_lands_on_home_and_opens_an_overdue_weekly_call(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), screen_text(app)
        text = screen_text(app)
        assert "需联系的代表人士（1）" in text
        assert "阿卜杜拉 · 每周电话谈 逾期" in text
        assert "马小龙 · 住房 · 住房保障和房管部门 · 逾期 1 天" in text
        await _go_to(pilot, "阿卜杜拉")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeScreen), screen_text(app)
        assert "阿卜杜拉" in screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_a_sweep_line_says_its_form_is_on_the_way(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _go_to(pilot, "2026-12")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert notices(app) == ["排查表单即将上线，届时在那里报送排查。"]


async def test_l_reaches_the_person_list_and_esc_or_b_comes_home(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for back in ("escape", "b"):
            await pilot.press("l")
            await settle(pilot)
            assert isinstance(app.screen, PersonListScreen), screen_text(app)
            assert "马小龙" in screen_text(app)
            await pilot.press(back)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen), back


async def test_a_supervisor_lands_on_the_dashboard_and_enter_opens_the_list_behind_a_line(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.supervisor.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen), screen_text(app)
        text = screen_text(app)
        assert "诉求：未办结 5 件，逾期 2 件" in text
        await _go_to(pilot, "住房保障和房管部门")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralListScreen), screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)

        await _go_to(pilot, "三必清")
        await pilot.press("enter")
        await settle(pilot)
        persons = app.screen
        assert isinstance(persons, PersonListScreen), screen_text(app)
        assert persons.search.missing_only
        assert "已筛选" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, PersonListScreen)


async def test_auditors_keep_the_person_list_first(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.auditor.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PersonListScreen), screen_text(app)
        await pilot.press("escape", "b")
        await settle(pilot)
        assert isinstance(app.screen, PersonListScreen)  # nowhere to go back to


async def test_help_lists_the_home_keys_and_ctrl_l_switches_to_english(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for words in ("打开该行所指的记录或列表", "人员名单：查找、查看、登记", "刷新"):
            assert words in shown
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        text = screen_text(app)
        assert "Home: my due work, 2026-12-01" in text
        assert "Representatives to talk with (1)" in text
        assert "weekly phone talk Overdue since" in text
