"""The monthly dispute sweep with the keyboard, as a grid worker on the demo data with
three years of demo disputes: this month's sweep filed with a new dispute (a registered
person and a named outsider) and the one open case re-checked; a nil return ticked and
filed; a sweep filed with nothing ticked and nothing found is refused in one line
naming the box, and so is a case taken in on a day that is not one; a supervisor
approves a sweep from the review screen; an open case is concluded, escalated,
submitted and its conclusion approved; Enter on a dispute in a person's record opens
its case. The database is read back after each."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from db.core.clock import today
from db.keys.crypto import Keyring
from db.users import AppUser
from seeds.demo_disputes import seed_disputes
from tests.tui.conftest import (
    TODAY,
    add_app_user,
    fetch,
    screen_text,
    settle,
    start_on_list,
    tab_to,
    type_ahead,
    type_text,
)
from tui.app import TongxinApp
from tui.dialogs.case_step import StepModal
from tui.dialogs.party import PartyModal, PartyPickerModal
from tui.screens.case_form import CaseFormScreen
from tui.screens.person_list import PersonListScreen
from tui.screens.review_queue import ReviewQueueScreen
from tui.screens.sweep_form import SweepFormScreen
from tui.screens.sweep_list import SweepListScreen

SMALL = (80, 24)
NEIGHBOURS = 2  # ↓ from the prompt to 邻里, the second kind

# The grid with the most registered persons whose community has `open` cases still open.
GRID_OF = """
SELECT p.org_code FROM person p
 WHERE p.status = 'registered'
   AND (SELECT count(*) FROM dispute_case c
         WHERE left(c.org_code, 12) = left(p.org_code, 12)
           AND c.stage IN ('open', 'mediating')) = $1
 GROUP BY p.org_code ORDER BY count(*) DESC, p.org_code LIMIT 1
"""


@pytest.fixture
async def dispute_dsn(demo_dsn: str) -> str:
    """The demo persons, and the demo communities' disputes up to the demo's day."""
    conn = await asyncpg.connect(demo_dsn)
    try:
        await seed_disputes(conn, seed=1, today=TODAY)
    finally:
        await conn.close()
    return demo_dsn


async def _worker(dsn: str, open_cases: int) -> AppUser:
    grid = (await fetch(dsn, GRID_OF, open_cases))[0]["org_code"]
    return await add_app_user(dsn, org_code=grid, display_name="张网格")


async def _press(pilot: Pilot[object], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _this_months_sweep(pilot: Pilot[object]) -> SweepFormScreen:
    """From the person list: the disputes (d), then this month's sweep, the first row."""
    await start_on_list(pilot)
    assert isinstance(pilot.app.screen, PersonListScreen)
    await _press(pilot, "d")
    assert isinstance(pilot.app.screen, SweepListScreen), screen_text(pilot.app)
    await _press(pilot, "enter")
    form = pilot.app.screen
    assert isinstance(form, SweepFormScreen), screen_text(pilot.app)
    return form


def _problems(app: TongxinApp) -> str:
    return str(app.screen.query_one("#problems", Static).render())


async def _sweeps(dsn: str) -> list[asyncpg.Record]:
    return await fetch(
        dsn,
        "SELECT id, org_code, status, nil_return, filed_by FROM dispute_sweep "
        "WHERE month = date_trunc('month', $1::date)::date",
        today(),
    )


async def _cases(dsn: str) -> int:
    return int((await fetch(dsn, "SELECT count(*) AS n FROM dispute_case"))[0]["n"])


async def test_this_months_sweep_with_a_new_dispute_and_the_open_case_re_checked(
    dispute_dsn: str, keyring: Keyring
) -> None:
    worker = await _worker(dispute_dsn, 1)
    unit = worker.org_code[:12]
    (still_open,) = await fetch(
        dispute_dsn,
        "SELECT id, stage FROM dispute_case WHERE left(org_code, 12) = $1 "
        "AND stage IN ('open', 'mediating')",
        unit,
    )
    neighbour = (
        await fetch(
            dispute_dsn,
            "SELECT id, name FROM person WHERE org_code = $1 AND status = 'registered' "
            "ORDER BY name_pinyin LIMIT 1",
            worker.org_code,
        )
    )[0]
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        sweep = await _this_months_sweep(pilot)
        shown = screen_text(app)
        assert "需复查的未结案件" in shown
        assert "未复查" in shown

        # A dispute found this month: the sweep is kept as a draft, the case joins it.
        await _press(pilot, "ctrl+n")
        case = app.screen
        assert isinstance(case, CaseFormScreen), screen_text(app)
        assert sweep.view is not None
        assert screen_text(app).splitlines()[2].strip() == sweep.view.unit_name
        await pilot.press("enter", *["down"] * NEIGHBOURS, "enter")  # 纠纷类型: 邻里
        await pilot.press("tab", "tab")  # 受理日期 → 纠纷情况
        assert isinstance(app.focused, TextArea)
        app.focused.insert("两家因楼道堆放杂物争吵")
        await _press(pilot, "ctrl+o")
        assert isinstance(app.screen, PartyPickerModal)
        type_ahead(app, *neighbour["name"], "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PartyModal), screen_text(app)
        await _press(pilot, "ctrl+s")  # 申请人, as offered
        await _press(pilot, "ctrl+b")
        assert isinstance(app.screen, PartyModal)
        await type_text(pilot, "赵某")
        await pilot.press("tab", "tab")  # 身份 (被申请人, as offered) → 说明
        await type_text(pilot, "楼上邻居")
        await _press(pilot, "enter")
        assert app.screen is case, screen_text(app)
        await _press(pilot, "ctrl+s")
        assert "已保存为草稿" in _problems(app)
        await _press(pilot, "escape")
        assert app.screen is sweep
        assert "两家因楼道堆放杂物争吵" in screen_text(app)

        # The case still open, re-checked: still in mediation, with a dated note.
        await pilot.press("tab", "tab")  # 零报告 → 备注 → 需复查的未结案件
        await _press(pilot, "enter")
        assert isinstance(app.screen, StepModal), screen_text(app)
        await pilot.press("tab", "tab", "tab")  # 状态 → 日期 → 是否达成协议 → 情况
        await type_text(pilot, "双方仍在协商")
        await _press(pilot, "enter")
        assert app.screen is sweep
        assert "双方仍在协商" in screen_text(app)
        await _press(pilot, "ctrl+t")
        assert isinstance(app.screen, SweepListScreen), screen_text(app)

    (stored,) = await _sweeps(dispute_dsn)
    assert (stored["org_code"], stored["status"], stored["nil_return"]) == (
        unit,
        "submitted",
        False,
    )
    assert stored["filed_by"] == worker.pg_role
    rechecks = await fetch(
        dispute_dsn,
        "SELECT case_id, checked_on, stage, note FROM dispute_sweep_recheck WHERE sweep_id = $1",
        stored["id"],
    )
    assert [tuple(r) for r in rechecks] == [
        (still_open["id"], today(), still_open["stage"], "双方仍在协商")
    ]
    (new,) = await fetch(
        dispute_dsn,
        "SELECT id, kind, summary, stage, opened_on FROM dispute_case WHERE sweep_id = $1",
        stored["id"],
    )
    assert (new["kind"], new["summary"], new["stage"], new["opened_on"]) == (
        "neighbours",
        "两家因楼道堆放杂物争吵",
        "open",
        today(),
    )
    parties = await fetch(
        dispute_dsn,
        "SELECT person_id, name, role, detail FROM dispute_party WHERE case_id = $1 ORDER BY seq",
        new["id"],
    )
    assert [tuple(p) for p in parties] == [
        (neighbour["id"], neighbour["name"], "applicant", ""),
        (None, "赵某", "respondent", "楼上邻居"),
    ]


async def test_a_nil_return_is_ticked_and_filed(dispute_dsn: str, keyring: Keyring) -> None:
    worker = await _worker(dispute_dsn, 0)
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _this_months_sweep(pilot)
        assert "本月未发现新的矛盾纠纷" in screen_text(app)
        await _press(pilot, "space", "ctrl+t")  # 零报告 has the focus
        assert isinstance(app.screen, SweepListScreen), screen_text(app)
        assert "零报告" in screen_text(app)
    (stored,) = await _sweeps(dispute_dsn)
    assert (stored["org_code"], stored["status"], stored["nil_return"]) == (
        worker.org_code[:12],
        "submitted",
        True,
    )


async def test_nothing_found_and_nothing_ticked_is_named_in_one_line_and_not_stored(
    dispute_dsn: str, keyring: Keyring
) -> None:
    worker = await _worker(dispute_dsn, 0)
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        sweep = await _this_months_sweep(pilot)
        await _press(pilot, "ctrl+t")
        assert app.screen is sweep
        line = _problems(app)
        assert line.startswith("零报告："), line
        assert "\n" not in line
        assert app.focused is sweep.query_one("#box-nil_return")
    assert await _sweeps(dispute_dsn) == []


async def test_a_case_taken_in_on_no_day_is_named_in_one_line_and_not_stored(
    dispute_dsn: str, keyring: Keyring
) -> None:
    worker = await _worker(dispute_dsn, 0)
    before = await _cases(dispute_dsn)
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _this_months_sweep(pilot)
        await _press(pilot, "ctrl+n")  # the sweep is kept as a draft first
        case = app.screen
        assert isinstance(case, CaseFormScreen)
        await pilot.press("enter", *["down"] * NEIGHBOURS, "enter", "tab", "end", "ctrl+u")
        await type_text(pilot, "2026-13-01")
        await pilot.press("tab")
        assert isinstance(app.focused, TextArea)
        app.focused.insert("噪音扰民")
        await _press(pilot, "ctrl+b")
        await type_text(pilot, "钱某")
        await _press(pilot, "ctrl+s", "ctrl+s")  # the party kept, then the case
        assert app.screen is case
        line = _problems(app)
        assert line.startswith("受理日期："), line
        assert "\n" not in line
        assert app.focused is case.query_one("#box-opened_on")
    assert await _cases(dispute_dsn) == before


async def test_a_supervisor_approves_a_sweep_from_the_review_screen(
    dispute_dsn: str, keyring: Keyring
) -> None:
    worker = await _worker(dispute_dsn, 0)
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _this_months_sweep(pilot)
        await _press(pilot, "space", "ctrl+t")
    (filed,) = await _sweeps(dispute_dsn)
    supervisor = await add_app_user(dispute_dsn, "supervisor", worker.org_code[:9], "王审核")
    app = TongxinApp(dispute_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w")
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        row = next(i for i, item in enumerate(queue.items) if item.id == filed["id"])
        await _press(pilot, *["down"] * row, "enter")
        form = app.screen
        assert isinstance(form, SweepFormScreen), screen_text(app)
        assert "零报告" in screen_text(app)
        await _press(pilot, "a", "enter")
        assert app.screen is queue, screen_text(app)
    (approved,) = await _sweeps(dispute_dsn)
    assert approved["id"] == UUID(str(filed["id"]))
    assert approved["status"] == "approved"


async def test_an_open_case_concluded_escalated_submitted_and_approved(
    dispute_dsn: str, keyring: Keyring
) -> None:
    worker = await _worker(dispute_dsn, 1)
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "d", "tab", "enter")  # the open cases, the first
        case = app.screen
        assert isinstance(case, CaseFormScreen), screen_text(app)
        case_id = case.subject
        await _press(pilot, "ctrl+n")
        assert isinstance(app.screen, StepModal)
        await pilot.press("enter", "down", "enter")  # 状态: 调处中 → 调解成功
        await pilot.press("tab", "tab", "enter", "down", "enter")  # 日期 → 是否达成协议: 达成
        await pilot.press("tab")
        await type_text(pilot, "双方签订调解协议")
        await _press(pilot, "enter")
        assert app.screen is case, screen_text(app)
        await _press(pilot, "ctrl+g")
        await type_text(pilot, "涉及多名务工人员")
        await _press(pilot, "enter")
        assert app.screen is case, screen_text(app)
        escalation = str(case.query_one("#case-escalation", Static).render())
        assert escalation.endswith("：涉及多名务工人员"), escalation
        assert "已保存为草稿" in _problems(app)  # said at once, kept with the case
        await _press(pilot, "ctrl+t")
        assert isinstance(app.screen, SweepListScreen), screen_text(app)
    (stored,) = await fetch(
        dispute_dsn,
        "SELECT stage, outcome, closed_on, escalated_on, escalation_note, status "
        "FROM dispute_case WHERE id = $1",
        case_id,
    )
    assert tuple(stored) == (
        "resolved", "agreement", today(), today(), "涉及多名务工人员", "submitted",
    )  # fmt: skip
    notes = await fetch(
        dispute_dsn,
        "SELECT noted_on, stage, note FROM dispute_case_note WHERE case_id = $1 AND noted_on = $2",
        case_id,
        today(),
    )
    assert [tuple(n) for n in notes] == [(today(), "resolved", "双方签订调解协议")]

    # Its conclusion, approved from the review screen.
    supervisor = await add_app_user(dispute_dsn, "supervisor", worker.org_code[:9], "王审核")
    app = TongxinApp(dispute_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w")
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        row = next(i for i, item in enumerate(queue.items) if item.id == case_id)
        await _press(pilot, *["down"] * row, "enter")
        assert isinstance(app.screen, CaseFormScreen), screen_text(app)
        await _press(pilot, "a", "enter")
        assert app.screen is queue, screen_text(app)
    (reviewed,) = await fetch(dispute_dsn, "SELECT status FROM dispute_case WHERE id = $1", case_id)
    assert reviewed["status"] == "approved"


async def test_enter_on_a_dispute_in_the_record_opens_its_case(
    dispute_dsn: str, keyring: Keyring
) -> None:
    (party,) = await fetch(
        dispute_dsn,
        "SELECT per.org_code, per.name, d.case_id FROM dispute_party d "
        "JOIN person per ON per.id = d.person_id JOIN dispute_case c ON c.id = d.case_id "
        "WHERE per.name IN (SELECT name FROM person GROUP BY name HAVING count(*) = 1) "
        "ORDER BY c.opened_on DESC, d.case_id LIMIT 1",
    )
    worker = await add_app_user(dispute_dsn, org_code=party["org_code"])
    app = TongxinApp(dispute_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "slash")
        await type_text(pilot, party["name"])
        await _press(pilot, "enter", "o", "4")
        await tab_to(pilot, "dispute-list")
        await _press(pilot, "enter")
        case = app.screen
        assert isinstance(case, CaseFormScreen), screen_text(app)
        assert case.subject == party["case_id"]
        assert party["name"] in screen_text(app)
