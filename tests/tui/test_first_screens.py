"""The first screens after login, with the keyboard alone: a grid worker lands on their
home screen, sees a representative's weekly phone talk overdue and opens it with Enter,
and each other kind of line opens its record or form;
a supervisor lands on their dashboard and Enter on a line opens the list behind it; `l`
reaches the person list from either, and Esc or b comes back. The area is fixed
(tests/db/home_fixtures.py) and the screens are shown for its day."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from textual.pilot import Pilot

from db.core.session import acting_as
from db.drafts import save_draft
from db.keys.check import ensure_keyring
from db.keys.crypto import Keyring
from db.visits.form import VisitForm, VisitPerson
from tests.db.home_fixtures import DAY, load_home_area
from tests.db.kernel_fixtures import Site, make_site
from tests.tui.conftest import screen_text, settle
from tui.app import TongxinApp
from tui.dialogs.help import HelpScreen
from tui.screens.action_item_view import ActionItemScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.first_lines import FirstLines, FirstScreen
from tui.screens.home import HomeScreen
from tui.screens.person_list import PersonListScreen
from tui.screens.person_record import PersonRecordScreen
from tui.screens.referral_form import ReferralFormScreen
from tui.screens.referral_list import ReferralListScreen
from tui.screens.representative_record import RepresentativeScreen
from tui.screens.sweep_form import SweepFormScreen
from tui.screens.sweep_list import SweepListScreen
from tui.screens.visit_form import VisitFormScreen

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


async def test_a_sweep_line_opens_the_months_sweep_form(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _go_to(pilot, "2026-12")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SweepFormScreen), screen_text(app)
        assert "和平社区居委会" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), screen_text(app)


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

        await _go_to(pilot, "2026-11：9 个尚未报送")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SweepListScreen), screen_text(app)
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


async def test_enter_opens_each_kind_of_line_and_b_or_esc_comes_home(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for words, opened, back in (
            ("逾期 1 天", ReferralFormScreen, "escape"),
            ("落实就业岗位", ActionItemScreen, "b"),
            ("走访 2026-11-02：马小龙", VisitFormScreen, "escape"),
            ("请补充地点", VisitFormScreen, "escape"),
            ("马小花 · 第一网格：缺少户籍地址、现住地址、职业", PersonRecordScreen, "b"),
        ):
            await _go_to(pilot, words)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, opened), (words, screen_text(app))
            if words == "请补充地点":
                assert "请补充地点" in screen_text(app)  # the reviewer's comment, to fix
            await pilot.press(back)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen), (words, screen_text(app))


async def test_a_visit_kept_as_typed_opens_its_form_which_offers_the_draft(
    db_dsn: str, keyring: Keyring, site: Site
) -> None:
    typed = VisitForm(
        id=uuid.uuid4(),
        visited_on="2026-11-30",
        notes="了解就业情况",
        persons=[VisitPerson(city_code=site.city, id=site.person, name="马小龙")],
    )
    conn = await asyncpg.connect(db_dsn)
    try:
        await ensure_keyring(conn, keyring)  # the key of what is sealed is on record
        async with acting_as(conn, site.worker):
            await save_draft(conn, keyring, "visit", typed.id, site.grid, None,
                             typed.model_dump(mode="json"))  # fmt: skip
    finally:
        await conn.close()
    app = TongxinApp(db_dsn, keyring=keyring, login=site.worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "我的走访草稿（2）" in screen_text(app)
        await _go_to(pilot, "填写中的走访")
        await pilot.press("enter")
        await settle(pilot)
        assert any(isinstance(s, VisitFormScreen) for s in app.screen_stack)
        assert "未保存的草稿" in screen_text(app), screen_text(app)
