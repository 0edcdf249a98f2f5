"""A supervisor with the keyboard only: signs a community's month off from the review
queue (`s`) and reopens it with a reason; clears a queue of 20 visits by marking them
all and approving them with one confirmation; a grid worker's late edit of a visit in a
signed-off month is refused in one line and stores nothing. The database is read back
after each step."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
from textual.pilot import Pilot
from textual.widgets import Static

from db.core.clock import today
from db.keys.crypto import Keyring
from tests.db.signoff_fixtures import add_approved_sweep, add_dated_visit, last_ended_month
from tests.tui.conftest import add_app_user, fetch, screen_text, settle, start_on_list, type_text
from tests.tui.fixed_people import FIRST_TWO_GRIDS
from tui.app import TongxinApp
from tui.dialogs.notice import ConfirmModal, TextPromptModal
from tui.screens.month_sign_off import MonthSignOffScreen
from tui.screens.review_queue import ReviewQueueScreen
from tui.screens.visit_form import VisitFormScreen

SMALL = (80, 24)
MONTH = last_ended_month()
QUEUED = 20


async def _press(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def _line(app: TongxinApp, box: str) -> str:
    return str(app.screen.query_one(box, Static).render())


async def _grid(dsn: str) -> str:
    return str((await fetch(dsn, FIRST_TWO_GRIDS))[0]["code"])


async def _seed(dsn: str, grid: str, statuses: list[str], author: str) -> list[uuid.UUID]:
    """Visits of the grid's first person, one a day from MONTH's first, as the operator."""
    conn = await asyncpg.connect(dsn)
    try:
        person = await conn.fetchval(
            "SELECT id FROM person WHERE org_code = $1 ORDER BY id LIMIT 1", grid
        )
        await add_approved_sweep(conn, grid[:12], MONTH)
        return [
            await add_dated_visit(conn, grid, person, author, MONTH + timedelta(days=n), status)
            for n, status in enumerate(statuses)
        ]
    finally:
        await conn.close()


async def _row_of(dsn: str, community: str) -> int:
    """The screen's row of the community's last ended month: three months a community,
    the communities of the street in code order."""
    rows = await fetch(
        dsn,
        "SELECT count(*) FROM org_unit WHERE level = 'community' AND code >= $1 AND code < $2",
        community[:9], community,
    )  # fmt: skip
    return 3 * int(rows[0][0])


async def test_a_supervisor_signs_a_month_off_and_reopens_it_with_a_reason(
    fixed_dsn: str, keyring: Keyring
) -> None:
    grid = await _grid(fixed_dsn)
    worker = await add_app_user(fixed_dsn, org_code=grid, display_name="张网格")
    await _seed(fixed_dsn, grid, ["approved"], worker.pg_role)
    supervisor = await add_app_user(fixed_dsn, "supervisor", grid[:9], display_name="王审核")
    community = str((await fetch(fixed_dsn, "SELECT name FROM org_unit WHERE code = $1",
                                 grid[:12]))[0]["name"])  # fmt: skip
    app = TongxinApp(fixed_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "s")
        assert isinstance(app.screen, MonthSignOffScreen)
        await _press(pilot, *["down"] * await _row_of(fixed_dsn, grid[:12]))
        await _press(pilot, "s")
        assert isinstance(app.screen, ConfirmModal)
        assert f"{MONTH:%Y-%m} · {community}" in screen_text(app)
        await _press(pilot, "enter")
        assert isinstance(app.screen, MonthSignOffScreen)
        assert _line(app, "#months-status") == f"已签字：{MONTH:%Y-%m} · {community}"
        assert f"王审核 于 {today().isoformat()} 签字" in screen_text(app)

        await _press(pilot, "down", "enter", "enter")  # the month before: no sweep approved
        earlier = (MONTH - timedelta(days=1)).replace(day=1)
        assert _line(app, "#months-status") == (
            f"未能签字: {community} {earlier:%Y-%m} 的矛盾纠纷排查尚未审核通过"
            f"（{community} 未报送）"
        )

        await _press(pilot, "up", "r")
        assert isinstance(app.screen, TextPromptModal)
        await _press(pilot, "enter")  # no reason: refused in one line
        assert "原因：请说明为什么重新开放。" in screen_text(app)
        await type_text(pilot, "补录漏报的走访")
        await _press(pilot, "enter")
        assert isinstance(app.screen, MonthSignOffScreen)
        assert _line(app, "#months-status") == f"已重新开放：{MONTH:%Y-%m} · {community}"
        assert "重新开放：补录漏报的走访" in screen_text(app)
    rows = await fetch(
        fixed_dsn,
        "SELECT org_code, month, signed_by, reopened_by, reopen_reason FROM month_sign_off",
    )
    role = supervisor.pg_role
    assert [tuple(r) for r in rows] == [(grid[:12], MONTH, role, role, "补录漏报的走访")]
    audited = await fetch(
        fixed_dsn, "SELECT action FROM audit_log WHERE table_name = 'month_sign_off' ORDER BY id"
    )
    assert [r["action"] for r in audited] == ["insert", "update"]


async def test_a_supervisor_clears_a_queue_of_twenty_by_approving_them_together(
    fixed_dsn: str, keyring: Keyring
) -> None:
    grid = await _grid(fixed_dsn)
    worker = await add_app_user(fixed_dsn, org_code=grid, display_name="张网格")
    await _seed(fixed_dsn, grid, ["submitted"] * QUEUED, worker.pg_role)
    supervisor = await add_app_user(fixed_dsn, "supervisor", grid[:9], display_name="王审核")
    app = TongxinApp(fixed_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "ctrl+a")
        assert isinstance(app.screen, ReviewQueueScreen)
        assert _line(app, "#queue-status") == f"已选 {QUEUED} 条 · 按 A 全部审核通过"
        await _press(pilot, "A")
        assert isinstance(app.screen, ConfirmModal)
        assert f"审核通过 {QUEUED} 条记录" in screen_text(app)
        await _press(pilot, "enter")
        assert isinstance(app.screen, ReviewQueueScreen)
        assert _line(app, "#queue-status") == f"已审核通过 {QUEUED} 条记录。"
        assert app.screen.items == []
    rows = await fetch(fixed_dsn, "SELECT status, reviewed_by FROM visit")
    assert [tuple(r) for r in rows] == [("approved", supervisor.pg_role)] * QUEUED


async def test_marked_records_are_approved_each_on_its_own_and_a_refused_one_is_named(
    fixed_dsn: str, keyring: Keyring
) -> None:
    grid = await _grid(fixed_dsn)
    worker = await add_app_user(fixed_dsn, org_code=grid, display_name="张网格")
    visits = await _seed(fixed_dsn, grid, ["submitted"] * 4, worker.pg_role)
    supervisor = await add_app_user(fixed_dsn, "supervisor", grid[:9], display_name="王审核")
    app = TongxinApp(fixed_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "space", "space", "up", "space", "space")
        assert isinstance(app.screen, ReviewQueueScreen)
        shown = [item.id for item in app.screen.items]
        marked = {shown[0], shown[2]}  # the second was marked, then unmarked
        assert {uuid.UUID(key[1]) for key in app.screen.marked} == marked
        assert _line(app, "#queue-status") == "已选 2 条 · 按 A 全部审核通过"
        # Someone else returns the third meanwhile: its approval is refused, and said.
        await fetch(
            fixed_dsn,
            "UPDATE visit SET status = 'returned', review_comment = '请补充', "
            "version = version + 1 WHERE id = $1",
            shown[2],
        )
        await _press(pilot, "A", "enter")
        status = _line(app, "#queue-status").splitlines()
        assert status[0] == "已审核通过 1 条记录。 1 条未能通过："
        assert status[1].endswith("· 张网格: visit: it is returned now (version 2)")
        assert len(status) == 2
    rows = await fetch(fixed_dsn, "SELECT id, status FROM visit")
    stored = {r["id"]: r["status"] for r in rows}
    assert stored[shown[0]] == "approved"
    assert stored[shown[2]] == "returned"
    assert sorted(stored.values()) == ["approved", "returned", "submitted", "submitted"]
    assert set(visits) == set(stored)


async def test_a_late_edit_in_the_visit_form_says_why_in_one_line_and_stores_nothing(
    fixed_dsn: str, keyring: Keyring
) -> None:
    grid = await _grid(fixed_dsn)
    worker = await add_app_user(fixed_dsn, org_code=grid, display_name="张网格")
    (draft,) = await _seed(fixed_dsn, grid, ["draft"], worker.pg_role)
    conn = await asyncpg.connect(fixed_dsn)
    try:
        await conn.execute(
            "INSERT INTO month_sign_off (city_code, id, org_code, month, signed_by, "
            "signed_by_name, signed_at) VALUES ($1, gen_random_uuid(), $2, $3, 'tx_w', "
            "'王审核', timestamptz '2026-11-03 10:00+08')",
            grid[:4], grid[:12], MONTH,
        )  # fmt: skip
        community = await conn.fetchval("SELECT name FROM org_unit WHERE code = $1", grid[:12])
        before = await conn.fetchrow("SELECT * FROM visit WHERE id = $1", draft)
    finally:
        await conn.close()
    app = TongxinApp(fixed_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await _press(pilot, "w", "enter")
        assert isinstance(app.screen, VisitFormScreen)
        await _press(pilot, "tab", "tab", "tab", "tab", "end")
        await type_text(pilot, " later")
        await _press(pilot, "ctrl+s")
        assert isinstance(app.screen, VisitFormScreen)
        line = _line(app, "#problems")
        assert line == (
            f"未保存：{community} {MONTH:%Y-%m} 已由 王审核 于 2026-11-03 签字确认，不能再修改；"
            "如需修改，请审核人重新开放该月。已填写的内容仍在。"
        )
    after = await fetch(fixed_dsn, "SELECT * FROM visit WHERE id = $1", draft)
    assert dict(after[0]) == dict(before)
