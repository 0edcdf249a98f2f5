"""A need followed up with the keyboard alone: raised on the hotline from the person's
record, referred, acknowledged, noted and closed on its referral form, the close approved
from the review queue; the list of open referrals puts the overdue first, in words and in
colour. The database is read back after each step."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input, Select, Static

from db.core.clock import today
from db.keys.crypto import Keyring
from tests.tui.conftest import (
    add_app_user,
    fetch,
    fill_boxes,
    screen_text,
    settle,
    start_on_list,
    tab_to,
)
from tui.app import TongxinApp
from tui.dialogs.need import NeedModal
from tui.screens.need_intake import NeedIntakeScreen
from tui.screens.person_record import PersonRecordScreen
from tui.screens.referral_form import ReferralFormScreen
from tui.screens.referral_list import ReferralListScreen
from tui.screens.review_queue import ReviewQueueScreen
from tui.widgets.referral_table import OVERDUE_STYLE, ReferralTable

SMALL = (80, 24)
WIDE = (120, 40)


async def _open_record(pilot) -> PersonRecordScreen:  # type: ignore[no-untyped-def]
    await start_on_list(pilot)
    await pilot.press("o")
    await settle(pilot)
    record = pilot.app.screen
    assert isinstance(record, PersonRecordScreen)
    return record


async def _open_first_need(pilot) -> ReferralFormScreen:  # type: ignore[no-untyped-def]
    await pilot.press("4")
    await settle(pilot)
    await tab_to(pilot, "need-list")
    await pilot.press("enter")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, ReferralFormScreen), screen_text(pilot.app)
    return form


async def test_raise_refer_note_close_and_approve_with_keys_only(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    day = today().isoformat()
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_record(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NeedIntakeScreen)
        await fill_boxes(pilot, {"channel": "hotline", "category": "schooling"})
        await fill_boxes(pilot, {"description": "孩子想转入附近小学"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
    need = await fetch(
        demo_dsn,
        "SELECT id, channel, visit_id, status, department_code, raised_on, due_on, created_by "
        "FROM assistance_request",
    )
    assert [tuple(r)[1:] for r in need] == [
        ("hotline", None, "open", "education", today(), today() + timedelta(days=30),
         worker.pg_role),
    ]  # fmt: skip

    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_record(pilot)
        form = await _open_first_need(pilot)
        assert "孩子想转入附近小学" in screen_text(app)
        await fill_boxes(pilot, {"referred_on": day, "acknowledged_by": "教育局王老师",
                                 "acknowledged_on": day, "noted_on": day,
                                 "note": "学校已同意接收"})  # fmt: skip
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "已保存为草稿" in screen_text(app), screen_text(app)
        assert "学校已同意接收" in str(form.query_one("#referral-need", Static).render())
        await fill_boxes(pilot, {"result": "resolved", "reason": "已转入附近小学三年级",
                                 "closed_on": day})  # fmt: skip
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
    row = await fetch(
        demo_dsn,
        "SELECT a.status, a.referred_on::text, a.acknowledged_by, o.status, o.result, o.reason, "
        "(SELECT string_agg(note, '/') FROM referral_note) FROM assistance_request a "
        "JOIN referral_outcome o ON o.city_code = a.city_code AND o.id = a.id",
    )
    assert [tuple(r) for r in row] == [
        ("referred", day, "教育局王老师", "submitted", "resolved", "已转入附近小学三年级",
         "学校已同意接收"),
    ]  # fmt: skip

    supervisor = await add_app_user(demo_dsn, "supervisor", worker.org_code[:9])
    app = TongxinApp(demo_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        assert "办结：已解决" in screen_text(app), screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralFormScreen)
        assert app.screen.query_one("#box-reason", Input).value == "已转入附近小学三年级"
        assert app.screen.query_one("#box-reason", Input).disabled  # the reviewer reads it
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen), screen_text(app)
        assert app.screen.items == []
    closed = await fetch(demo_dsn, "SELECT status, outcome, resolved_on FROM assistance_request")
    assert [tuple(r) for r in closed] == [("resolved", "已转入附近小学三年级", today())]


async def test_a_wrong_box_is_named_and_nothing_is_stored(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_record(pilot)
        await pilot.press("n")
        await settle(pilot)
        await fill_boxes(pilot, {"category": "relief", "raised_on": "2099-01-01"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NeedIntakeScreen)
        problems = str(app.screen.query_one("#problems", Static).render())
        assert problems.splitlines() == ["诉求内容：必填", "提出日期：2099-01-01 是将来的日期"]
        assert app.focused is app.screen.query_one("#box-description")
    assert await fetch(demo_dsn, "SELECT 1 FROM assistance_request") == []


async def _needs_due(dsn: str, grid: str, days: list[int]) -> None:
    """Needs of the grid's first person, raised a month ago, due `days` from today."""
    for offset in days:
        await fetch(
            dsn,
            "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, "
            "category, description, status, raised_on, due_on) "
            "SELECT city_code, gen_random_uuid(), org_code, id, 'walk_in', 'relief', $2, 'open', "
            "$3, $4 FROM person WHERE org_code = $1 ORDER BY name_pinyin LIMIT 1",
            grid, f"到期 {offset}", today() - timedelta(days=40), today() + timedelta(days=offset),
        )  # fmt: skip


async def test_the_open_referrals_put_the_overdue_first_in_words_and_colour(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    await _needs_due(demo_dsn, worker.org_code, [20, -3, 3])
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=WIDE) as pilot:
        await start_on_list(pilot)
        assert app.session is not None
        await app.push_screen(ReferralListScreen(app.session))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReferralListScreen)
        assert [line.description for line in screen.lines] == ["到期 -3", "到期 3", "到期 20"]
        table = screen.query_one(ReferralTable)
        urgency = table.shown.index("urgency")
        first = table.get_row_at(0)
        assert str(first[urgency]) == "逾期 3 天"
        assert str(first[urgency].style) == OVERDUE_STYLE
        assert str(table.get_row_at(1)[urgency]) == "一周内到期"
        assert str(table.get_row_at(2)[urgency]) == ""
        assert "在办诉求：3 项，逾期：1 项" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReferralFormScreen)
        assert "已逾期 3 天" in screen_text(app), screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert isinstance(screen.query_one(ReferralTable), DataTable)


async def test_the_need_found_on_a_visit_proposes_the_categorys_department_and_days(
    demo_dsn: str, keyring: Keyring
) -> None:
    await fetch(
        demo_dsn,
        "UPDATE need_category SET department_code = 'civil_affairs', due_days = 45 "
        "WHERE code = 'schooling'",
    )
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_record(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NeedModal)
        await pilot.press("tab", "enter", *(["down"] * 4), "enter")  # 子女入学
        await settle(pilot)
        assert dialog.query_one("#need-category", Select).value == "schooling"
        assert dialog.query_one("#need-department", Select).value == "civil_affairs"
        assert "办结期限（默认走访后 45 天）" in screen_text(app)
