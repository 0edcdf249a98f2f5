"""The ledger screen by key presses only, on the demo data: a street supervisor opens it
from the person list (t), chooses the registry of their street and pages forward and
back through it (the rows are those db.ledgers.reads.ledger_page gives the supervisor);
a month ledger refuses a wrong month in one line and shows what it showed; an export
from the screen writes the rows shown, and one that cannot be written says why and
leaves no file and no audit row; the chart shows the twelve months of casework."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import asyncpg
import openpyxl
import pytest
from textual.widgets import Static

from db.core.clock import today
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.ledgers.catalogue import LEDGERS
from db.ledgers.reads import ledger_page
from db.ledgers.trends import monthly_trend
from db.users import AppUser
from seeds.demo import seed_demo
from seeds.demo_history import seed_history
from tests.conftest import copy_of, data_template
from tests.tui import test_database_restart
from tests.tui.conftest import (
    DEMO_SEED,
    TODAY,
    add_app_user,
    fetch,
    screen_text,
    settle,
    start_on_list,
    type_text,
)
from tests.tui.test_database_restart import BANNER_ZH, Cluster
from tui.app import TongxinApp
from tui.dialogs.ledger_choice import ChoiceModal, MonthModal
from tui.screens.ledger_screen import LedgerScreen, last_month
from tui.widgets.ledger_charts import TrendChart
from tui.widgets.ledger_table import LedgerTable

own_cluster = test_database_restart.own_cluster  # a cluster of its own, to stop and start
PURPOSE = "月度报表 monthly report"
SIZE = (100, 30)
LEDGER_PERSONS = 1500


@pytest.fixture(scope="session")
async def ledger_template(pg_admin_dsn: str, template_dsn: str, keyring: Keyring) -> str:
    """The demo data as `tongxin demo` loads it, persons and their history, for 1,500
    persons (conftest's 200 leave a street's registry one page long), loaded once."""

    async def fill(conn: asyncpg.Connection) -> None:
        await seed_demo(conn, keyring, persons=LEDGER_PERSONS, seed=DEMO_SEED, today=TODAY)
        await seed_history(conn, seed=DEMO_SEED, today=TODAY)

    return await data_template(pg_admin_dsn, "tongxin_ledger_template", fill)


@pytest.fixture
async def demo_dsn(pg_admin_dsn: str, ledger_template: str) -> AsyncIterator[str]:
    async with copy_of(pg_admin_dsn, ledger_template) as dsn:
        yield dsn


@pytest.fixture
async def supervisor(demo_dsn: str) -> AppUser:
    """A supervisor of the street that holds the most demo persons."""
    rows = await fetch(
        demo_dsn, "SELECT left(org_code, 9) AS street FROM person GROUP BY 1 "
        "ORDER BY count(*) DESC, 1 LIMIT 1",
    )  # fmt: skip
    return await add_app_user(demo_dsn, "supervisor", rows[0]["street"], "王审核")


def _app(dsn: str, keyring: Keyring, user: AppUser, lang: str = "zh_CN") -> TongxinApp:
    return TongxinApp(dsn, keyring=keyring, login=user.name, lang=lang)


def _screen(app: TongxinApp) -> LedgerScreen:
    assert isinstance(app.screen, LedgerScreen), app.screen
    return app.screen


def _line(app: TongxinApp, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).render())


def _names_shown(app: TongxinApp) -> list[str]:
    table = app.screen.query_one(LedgerTable)
    return [table.row_texts(i)[1] for i in range(table.row_count)]


async def _page(dsn: str, user: AppUser, name: str, scope: str, *args: Any) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        async with acting_as(conn, user):
            return await ledger_page(conn, name, scope, *args)
    finally:
        await conn.close()


async def _open(pilot: Any) -> LedgerScreen:
    await start_on_list(pilot)
    await pilot.press("t")
    await settle(pilot)
    return _screen(pilot.app)


async def _choose(pilot: Any, key: str, value: str) -> None:
    """Open a choice (l: ledger, u: unit) and walk with ↓ from the top to `value`."""
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ChoiceModal)
    values = [v for _label, v in dialog.options]
    await pilot.press("home", *(["down"] * values.index(value)), "enter")
    await settle(pilot)


async def test_a_supervisor_pages_through_the_registry_of_their_street(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser
) -> None:
    street = supervisor.org_code
    app = _app(demo_dsn, keyring, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _choose(pilot, "l", "registry")
        await _choose(pilot, "u", street)
        assert (screen.ledger.name, screen.unit.code) == ("registry", street)
        size = screen.page_size
        first = await _page(demo_dsn, supervisor, "registry", street, None, None, size)
        assert screen.page is not None
        assert screen.page.rows == first.rows
        assert _names_shown(app) == [row["name"] for row in first.rows]
        assert _line(app, "ledger-choice") == f"流动人口信息台账 · {supervisor.org_name} {street}"
        total = (await fetch(demo_dsn, "SELECT count(*) FROM ledger_registry "
                             "WHERE org_code LIKE $1 || '%'", street))[0][0]  # fmt: skip
        pages = -(-total // size)
        assert pages > 2, (total, size)
        assert _line(app, "ledger-status") == f"共 {total} 行 · 第 1/{pages} 页"

        await pilot.press("n")
        await settle(pilot)
        second = await _page(demo_dsn, supervisor, "registry", street, None, first.after, size)
        assert screen.page.rows == second.rows
        assert _names_shown(app) == [row["name"] for row in second.rows]
        assert app.screen.query_one(LedgerTable).row_texts(0)[0] == str(size + 1)  # 序号
        assert _line(app, "ledger-status") == f"共 {total} 行 · 第 2/{pages} 页"

        await pilot.press("p")
        await settle(pilot)
        assert screen.page.rows == first.rows
        assert _names_shown(app) == [row["name"] for row in first.rows]
        assert app.screen.query_one(LedgerTable).row_texts(0)[0] == "1"


async def test_a_wrong_month_is_named_and_changes_nothing(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser
) -> None:
    street = supervisor.org_code
    app = _app(demo_dsn, keyring, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await _choose(pilot, "l", "visits")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MonthModal)
        await pilot.press("ctrl+u")
        await type_text(pilot, "2026-07")
        await pilot.press("enter")
        await settle(pilot)
        july = date(2026, 7, 1)
        assert screen.month == july
        size = screen.page_size
        shown = await _page(demo_dsn, supervisor, "visits", street, july, None, size)
        assert shown.rows
        assert screen.page is not None
        assert screen.page.rows == shown.rows
        assert "2026年7月" in _line(app, "ledger-choice")

        await pilot.press("m")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await type_text(pilot, "2026-13")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MonthModal)
        problem = _line(app, "ledger-month-problem")
        assert problem == "月份：“2026-13”不是 YYYY-MM 格式的月份（如 2026-10）"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert screen.month == july
        assert screen.page.rows == shown.rows
        assert "2026年7月" in _line(app, "ledger-choice")


def _cell(kind: str, value: Any) -> Any:
    if kind == "flag":
        return "缺" if value else None
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return datetime.combine(value, time())
    return value


async def _exports(dsn: str, purpose: str) -> list[asyncpg.Record]:
    return await fetch(
        dsn, "SELECT org_code, table_name, row_count FROM audit_log "
        "WHERE action = 'export' AND purpose = $1", purpose,
    )  # fmt: skip


async def test_the_registry_exports_from_the_screen_to_excel(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("HOME", str(tmp_path))
    street = supervisor.org_code
    expected = await _page(demo_dsn, supervisor, "registry", street, None, None, 10_000)
    app = _app(demo_dsn, keyring, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, PURPOSE)
        await pilot.press("enter")
        await settle(pilot)
        target = tmp_path / f"registry-{street}.xlsx"
        line = _line(app, "ledger-result")
        assert line == f"已导出 {len(expected.rows)} 行到 {target}"
    sheet = openpyxl.load_workbook(target).worksheets[0]
    ledger = LEDGERS["registry"]
    assert [c.value for c in sheet[3]] == [c.zh for c in ledger.shown]
    for n, row in enumerate(expected.rows, start=1):
        cells = [c.value for c in sheet[3 + n]]
        assert cells == [n, *(_cell(c.kind, row[c.name]) for c in ledger.shown[1:])], n
    assert sheet.cell(3 + len(expected.rows), 1).value == len(expected.rows)
    audited = await _exports(demo_dsn, PURPOSE)
    assert [tuple(r) for r in audited] == [(street, "ledger_registry", len(expected.rows))]


async def test_an_export_that_cannot_be_written_says_why_and_leaves_nothing(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # sysfs takes no new files, not even root's: a directory nobody may write to.
    monkeypatch.setenv("HOME", "/sys")
    street = supervisor.org_code
    app = _app(demo_dsn, keyring, supervisor, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("x")
        await settle(pilot)
        await type_text(pilot, PURPOSE)
        await pilot.press("enter")
        await settle(pilot)
        target = Path("/sys") / f"registry-{street}.xlsx"
        line = _line(app, "ledger-result")
        assert line.startswith(f"Not exported: cannot write {target}: "), line
        assert not screen.exporting
        assert screen.check_action("export", ()) is True
    assert not target.exists()  # noqa: ASYNC240 (a look, once, after the app is gone)
    left = [p for p in Path("/sys").iterdir() if p.name.startswith(".registry-")]  # noqa: ASYNC240
    assert not left
    assert await _exports(demo_dsn, PURPOSE) == []


async def test_the_chart_shows_twelve_months_of_casework(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser
) -> None:
    street = supervisor.org_code
    app = _app(demo_dsn, keyring, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("c")
        await settle(pilot)
        chart = app.screen.query_one(TrendChart)
        assert chart.display
        assert screen.view == "chart"
        conn = await asyncpg.connect(demo_dsn)
        try:
            async with acting_as(conn, supervisor):
                trend = await monthly_trend(conn, street, screen.month)
        finally:
            await conn.close()
        assert chart.months == [m.month for m in trend]
        assert len(chart.months) == 12
        assert chart.months[-1] == last_month(today())
        assert chart.series["visits"] == [m.visits for m in trend]
        assert chart.series["cases"] == [m.cases for m in trend]
        assert chart.series["referrals"] == [m.referrals for m in trend]
        assert sum(chart.series["visits"]) > 0
        await pilot.press("c")
        await settle(pilot)
        assert screen.view == "table"
        assert app.screen.query_one(LedgerTable).display


async def test_every_ledger_of_the_catalogue_shows_on_the_screen(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser
) -> None:
    street = supervisor.org_code
    app = _app(demo_dsn, keyring, supervisor, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("l")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceModal)
        assert dialog.options == [(ledger.en, ledger.name) for ledger in LEDGERS.values()]
        await pilot.press("escape")
        await settle(pilot)
        for name, ledger in LEDGERS.items():
            await _choose(pilot, "l", name)
            assert screen.ledger.name == name
            assert screen.problem == ""
            table = app.screen.query_one(LedgerTable)
            assert [str(c.label) for c in table.columns.values()] == [c.en for c in ledger.shown]
            month = screen.month if ledger.by_month else None
            shown = await _page(demo_dsn, supervisor, name, street, month, None, screen.page_size)
            assert screen.page is not None
            assert screen.page.rows == shown.rows, name
            assert _line(app, "ledger-choice").startswith(ledger.en)


async def test_an_export_over_an_existing_file_says_so_and_leaves_it_alone(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("HOME", str(tmp_path))
    street = supervisor.org_code
    taken = tmp_path / f"registry-{street}.csv"
    taken.write_text("kept\n", encoding="utf-8")  # noqa: ASYNC240 (before the app starts)
    app = _app(demo_dsn, keyring, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("shift+tab", "shift+tab", "enter", "down", "enter")  # format: csv
        await settle(pilot)
        await pilot.press("tab", "tab")
        await type_text(pilot, PURPOSE)
        await pilot.press("enter")
        await settle(pilot)
        assert (
            _line(app, "ledger-result") == f"未导出: {taken}: the file exists; choose another name"
        )
    assert taken.read_text(encoding="utf-8") == "kept\n"  # noqa: ASYNC240
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name]  # noqa: ASYNC240
    assert await _exports(demo_dsn, PURPOSE) == []


async def test_a_stopped_database_shows_the_banner_and_the_pages_go_on_once_it_is_back(
    own_cluster: Cluster, keyring: Keyring
) -> None:
    city = (await fetch(own_cluster.dsn, "SELECT left(min(org_code), 4) AS c FROM person"))[0]
    user = await add_app_user(own_cluster.dsn, "supervisor", city["c"], "王审核")
    app = _app(own_cluster.dsn, keyring, user)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        first = screen.page
        assert first is not None
        assert first.after is not None
        assert BANNER_ZH not in screen_text(app)

        await asyncio.to_thread(own_cluster.stop)
        await pilot.press("n")
        await settle(pilot)
        text = screen_text(app)
        assert BANNER_ZH in text
        assert "无法显示台账: 数据库无法连接" in _line(app, "ledger-status")
        assert "Errno" not in text
        assert screen.page == first
        assert screen.number == 1

        await asyncio.to_thread(own_cluster.start)
        app.retry_database()
        await settle(pilot)
        assert BANNER_ZH not in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert screen.number == 2
        assert screen.problem == ""
        second = await _page(own_cluster.dsn, user, "registry", user.org_code, None,
                             first.after, screen.page_size)  # fmt: skip
        assert screen.page.rows == second.rows


async def test_keys_typed_after_u_reach_the_list_of_units_once_it_is_loaded(
    demo_dsn: str, keyring: Keyring, supervisor: AppUser
) -> None:
    app = _app(demo_dsn, keyring, supervisor)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        blocker = await asyncpg.connect(demo_dsn)
        try:
            async with blocker.transaction():  # the units wait for this lock
                await blocker.execute("LOCK TABLE org_unit IN ACCESS EXCLUSIVE MODE")
                await pilot.press("u", "home", "down", "enter")  # before the units come
                assert screen.units is None
        finally:
            await blocker.close()
        await settle(pilot)
        assert screen.units is not None
        assert not isinstance(app.screen, ChoiceModal)
        assert screen.unit.code == screen.units[1].code
