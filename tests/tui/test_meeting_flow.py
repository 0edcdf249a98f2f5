"""Recording a meeting with the keyboard: a street's member departments' joint meeting
with who came, the minutes and three action items, submitted, then approved from the
review queue; the next meeting takes the open items over and marks one done; an item
due before the meeting is named by its row; a home-screen line opens an item to mark."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TextArea

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.meetings.rhythm import meetings_home
from db.users import AppUser
from tests.tui.conftest import (
    add_app_user,
    fetch,
    screen_text,
    settle,
    start_on_list,
    tab_to,
    type_text,
)
from tui.app import TongxinApp
from tui.dialogs.action_item import ActionItemModal
from tui.dialogs.attendee import AttendeeModal, MeetingPersonPicker
from tui.dialogs.carried_mark import CarriedMarkModal
from tui.screens.action_item_view import ActionItemScreen, open_home_line
from tui.screens.meeting_form import MeetingFormScreen
from tui.screens.meeting_list import MeetingListScreen
from tui.screens.review_queue import ReviewQueueScreen

SMALL = (80, 24)
# Departments in the order the choice boxes list them (seeds/departments.py).
ETHNIC_AFFAIRS, PUBLIC_SECURITY, HUMAN_RESOURCES, EDUCATION = 1, 3, 7, 10


async def _street(dsn: str) -> str:
    rows = await fetch(dsn, "SELECT min(org_code) AS grid FROM person")
    return str(rows[0]["grid"])[:9]


async def _choose(pilot: Pilot[object], steps: int) -> None:
    """Open the focused choice box and take the option `steps` down."""
    await pilot.press("enter", *(["down"] * steps), "enter")


async def _write(pilot: Pilot[object], text: str) -> None:
    """Type into the focused box: a one-line box as an input method does, a long box
    likewise (the text arrives whole)."""
    focused = pilot.app.focused
    if isinstance(focused, TextArea):
        focused.insert(text)
        await pilot.pause()
    else:
        await type_text(pilot, text)


async def _new_meeting(pilot: Pilot[object]) -> MeetingFormScreen:
    """From the person list: the meetings (m), then a new one (n)."""
    await start_on_list(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MeetingListScreen)
    await pilot.press("n")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, MeetingFormScreen)
    return form


async def _attendance(pilot: Pilot[object], attendance: int, department: int, name: str) -> None:
    await pilot.press("ctrl+o")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AttendeeModal)
    await _choose(pilot, attendance)  # 出席, 请假, 列席
    await pilot.press("tab")
    await _choose(pilot, department)
    await pilot.press("tab")
    await _write(pilot, name)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MeetingFormScreen), screen_text(pilot.app)


async def _action_item(pilot: Pilot[object], text: str, department: int, due: str) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ActionItemModal)
    await _write(pilot, text)
    await pilot.press("tab")
    await _choose(pilot, department)
    await pilot.press("tab")
    await type_text(pilot, due)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MeetingFormScreen), screen_text(pilot.app)


async def test_record_a_joint_meeting_with_three_action_items_and_approve_it(
    demo_dsn: str, keyring: Keyring
) -> None:
    street = await _street(demo_dsn)
    writer = await add_app_user(demo_dsn, "supervisor", street)
    app = TongxinApp(demo_dsn, keyring=keyring, login=writer.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _new_meeting(pilot)
        assert app.focused is form.query_one("#box-kind")  # 成员单位联席会议, the first kind
        await pilot.press("tab", "tab", "end", "ctrl+u")  # 召开单位 (the user's street) → 日期
        await type_text(pilot, "2026-11-20")
        await pilot.press("tab")
        await type_text(pilot, "09:30")
        for text in ("街道办三楼会议室", "李主任", "王记录", "就业帮扶和子女入学"):
            await pilot.press("tab")  # 地点, 主持人, 记录人, 议题
            await _write(pilot, text)
        await _attendance(pilot, 0, ETHNIC_AFFAIRS, "李主任")
        await _attendance(pilot, 0, PUBLIC_SECURITY, "张警官")
        await _attendance(pilot, 1, EDUCATION, "")
        await pilot.press("tab", "tab")  # 出席情况 → 会议纪要
        assert app.focused is form.query_one("#box-minutes")
        await _write(pilot, "李主任主持召开成员单位联席会议，通报了本季度服务情况。")
        await pilot.press("tab")
        await _write(pilot, "一、开展就业帮扶；二、解决子女入学；三、办理居住证。")
        await _action_item(pilot, "组织清真餐饮招聘会", HUMAN_RESOURCES, "2026-12-31")
        await _action_item(pilot, "协调三名儿童转入附近小学", EDUCATION, "2027-01-15")
        await _action_item(pilot, "集中办理居住证", PUBLIC_SECURITY, "2026-12-20")
        assert [i.text for i in form.items][0] == "组织清真餐饮招聘会"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, MeetingListScreen), screen_text(app)
        assert "成员单位联席会议" in screen_text(app)
        assert "已提交" in screen_text(app)

    meeting = await fetch(demo_dsn, "SELECT * FROM meeting")
    assert [(m["kind"], m["org_code"], m["held_on"].isoformat(), m["starts_at"].isoformat(),
             m["place"], m["chair"], m["recorder"], m["status"]) for m in meeting] == [
        ("member_joint", street, "2026-11-20", "09:30:00", "街道办三楼会议室", "李主任", "王记录",
         "submitted"),
    ]  # fmt: skip
    attendance = await fetch(
        demo_dsn,
        "SELECT attendance, department_code, name FROM meeting_attendee ORDER BY seq",
    )
    assert [tuple(a) for a in attendance] == [
        ("present", "ethnic_affairs", "李主任"),
        ("present", "public_security", "张警官"),
        ("apologies", "education", ""),
    ]
    items = await fetch(
        demo_dsn,
        "SELECT seq, text, department_code, due_on::text, status, org_code FROM action_item "
        "ORDER BY seq",
    )
    assert [tuple(i) for i in items] == [
        (1, "组织清真餐饮招聘会", "human_resources", "2026-12-31", "open", street),
        (2, "协调三名儿童转入附近小学", "education", "2027-01-15", "open", street),
        (3, "集中办理居住证", "public_security", "2026-12-20", "open", street),
    ]

    reviewer = await add_app_user(demo_dsn, "supervisor", street[:6])
    app = TongxinApp(demo_dsn, keyring=keyring, login=reviewer.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        assert "就业帮扶和子女入学" in screen_text(app)
        await pilot.press("enter")  # opens the minutes, read-only, with the review keys
        await settle(pilot)
        assert isinstance(app.screen, MeetingFormScreen)
        assert app.screen.query_one("#box-minutes", TextArea).disabled
        await pilot.press("a", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewQueueScreen)
        assert app.screen.items == []
    reviewed = await fetch(demo_dsn, "SELECT status, reviewed_by FROM meeting")
    assert [tuple(r) for r in reviewed] == [("approved", reviewer.pg_role)]


async def _earlier_meeting(dsn: str, street: str, author: AppUser) -> list[uuid.UUID]:
    """An approved joint meeting of the street in May with two open action items."""
    meeting, items = uuid.uuid4(), [uuid.uuid4(), uuid.uuid4()]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, chair, "
            "recorder, minutes, status, created_by) VALUES ($1, $2, $3, 'member_joint', "
            "'2026-05-20', '09:00', '李主任', '王记录', '通报情况', 'approved', $4)",
            street[:4], meeting, street, author.pg_role,
        )  # fmt: skip
        for seq, (item, text) in enumerate(zip(items, ("开展双语培训", "走访清真餐馆"),
                                                strict=True), start=1):  # fmt: skip
            await conn.execute(
                "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
                "department_code, due_on) VALUES ($1, $2, $3, $4, $5, $6, 'ethnic_affairs', "
                "'2026-09-30')",
                street[:4], item, meeting, street, seq, text,
            )  # fmt: skip
    finally:
        await conn.close()
    return items


async def test_the_next_meeting_lists_the_open_items_and_marks_one_done(
    demo_dsn: str, keyring: Keyring
) -> None:
    street = await _street(demo_dsn)
    writer = await add_app_user(demo_dsn, "supervisor", street)
    first, second = await _earlier_meeting(demo_dsn, street, writer)
    app = TongxinApp(demo_dsn, keyring=keyring, login=writer.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _new_meeting(pilot)
        await pilot.press("tab", "tab", "end", "ctrl+u")
        await type_text(pilot, "2026-11-20")
        await pilot.press("tab")
        await type_text(pilot, "14:00")
        await tab_to(pilot, "meeting-carried")
        await settle(pilot)
        assert [i.text for i in form.carried] == ["开展双语培训", "走访清真餐馆"]
        await pilot.press("down", "enter")  # the second one
        await settle(pilot)
        assert isinstance(app.screen, CarriedMarkModal)
        await pilot.press("tab", "end", "ctrl+u")  # 已完成 stays; the day it was done
        await type_text(pilot, "2026-11-10")
        await pilot.press("tab")
        await _write(pilot, "已走访十二家")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        row = form.query_one("#meeting-carried", DataTable).get_row_at(1)
        assert [cell.plain for cell in row][-1] == "已完成 2026-11-10"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one("#problems", Static).render()) == "已保存为草稿。"
    new = await fetch(demo_dsn, "SELECT id FROM meeting WHERE held_on = '2026-11-20'")
    marked = await fetch(
        demo_dsn,
        "SELECT id, status, done_on::text, closing_note, closed_in FROM action_item "
        "WHERE id = ANY($1::uuid[]) ORDER BY seq",
        [first, second],
    )
    assert [tuple(r) for r in marked] == [
        (first, "open", None, "", None),
        (second, "done", "2026-11-10", "已走访十二家", new[0]["id"]),
    ]


async def test_an_item_due_before_the_meeting_is_named_with_its_row(
    demo_dsn: str, keyring: Keyring
) -> None:
    street = await _street(demo_dsn)
    writer = await add_app_user(demo_dsn, "supervisor", street)
    app = TongxinApp(demo_dsn, keyring=keyring, login=writer.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _new_meeting(pilot)
        await pilot.press("tab", "tab", "end", "ctrl+u")
        await type_text(pilot, "2026-11-20")
        await pilot.press("tab")
        await type_text(pilot, "09:30")
        await _action_item(pilot, "组织招聘会", HUMAN_RESOURCES, "2026-12-31")
        await _action_item(pilot, "走访餐馆", EDUCATION, "2026-11-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        problems = str(form.query_one("#problems", Static).render())
        assert problems == "第 2 项交办事项 · 办结期限：早于会议日期（2026-11-20）"
        items = form.query_one("#meeting-items", DataTable)
        assert app.focused is items
        assert items.cursor_row == 1
    assert await fetch(demo_dsn, "SELECT 1 FROM meeting") == []


async def test_a_home_screen_line_opens_the_item_and_marks_it_done(
    demo_dsn: str, keyring: Keyring
) -> None:
    street = await _street(demo_dsn)
    writer = await add_app_user(demo_dsn, "supervisor", street)
    first, _second = await _earlier_meeting(demo_dsn, street, writer)
    conn = await asyncpg.connect(demo_dsn)
    try:
        async with acting_as(conn, writer):
            home = await meetings_home(conn, date(2026, 9, 25))
    finally:
        await conn.close()
    assert [line.text for line in home.items] == ["开展双语培训", "走访清真餐馆"]
    app = TongxinApp(demo_dsn, keyring=keyring, login=writer.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        assert app.session is not None
        app.push_screen(open_home_line(app.session, home.items[0]))
        await settle(pilot)
        assert isinstance(app.screen, ActionItemScreen)
        assert "开展双语培训" in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, CarriedMarkModal)
        await pilot.press("tab", "end", "ctrl+u")
        await type_text(pilot, "2026-09-20")
        await pilot.press("tab")
        await _write(pilot, "已培训四十人")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ActionItemScreen)
        assert "已完成 2026-09-20 已培训四十人" in screen_text(app)
    marked = await fetch(
        demo_dsn, "SELECT status, done_on::text, closed_in FROM action_item WHERE id = $1", first
    )
    assert [tuple(r) for r in marked] == [("done", "2026-09-20", None)]


async def _a_need_in(dsn: str, street: str) -> tuple[uuid.UUID, str]:
    """A need of the first registered person of the street, and that person's name."""
    conn = await asyncpg.connect(dsn)
    try:
        person = await conn.fetchrow(
            "SELECT city_code, id, org_code, name FROM person WHERE org_code LIKE $1 || '%' "
            "AND status = 'registered' ORDER BY name_pinyin, id LIMIT 1",
            street,
        )
        need = uuid.uuid4()
        await conn.execute(
            "INSERT INTO assistance_request (city_code, id, org_code, person_id, category, "
            "description, status, raised_on) VALUES ($1, $2, $3, $4, 'employment', "
            "'想找清真餐馆的工作', 'open', '2026-10-01')",
            person["city_code"], need, person["org_code"], person["id"],
        )  # fmt: skip
    finally:
        await conn.close()
    return need, str(person["name"])


async def test_a_person_attends_and_an_item_concerns_a_person_and_a_need(
    demo_dsn: str, keyring: Keyring
) -> None:
    street = await _street(demo_dsn)
    need, name = await _a_need_in(demo_dsn, street)
    writer = await add_app_user(demo_dsn, "supervisor", street)
    app = TongxinApp(demo_dsn, keyring=keyring, login=writer.name)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _new_meeting(pilot)
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "15:00")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, AttendeeModal)
        await pilot.press("ctrl+o")  # a registered person, from the picker
        await settle(pilot)
        assert isinstance(app.screen, MeetingPersonPicker)
        assert len(app.screen.query_one("#pick-results", DataTable).columns) == 4
        await pilot.press("enter")  # the search box's Enter lists and goes to the results
        await settle(pilot)
        await pilot.press("enter")  # the first: the same person, by pinyin
        await settle(pilot)
        assert isinstance(app.screen, AttendeeModal)
        assert name in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await _write(pilot, "帮助找工作")
        await pilot.press("tab")
        await _choose(pilot, HUMAN_RESOURCES)
        await pilot.press("ctrl+o", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+e")  # a need or dispute
        await settle(pilot)
        await _write(pilot, "清真")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActionItemModal)
        assert "想找清真餐馆的工作" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [a.person_name for a in form.attendees] == [name]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(form.query_one("#problems", Static).render()) == "已保存为草稿。"
    links = await fetch(
        demo_dsn,
        "SELECT p.name, l.need_id FROM action_item_link l "
        "LEFT JOIN person p ON p.id = l.person_id ORDER BY l.need_id NULLS FIRST",
    )
    assert [tuple(r) for r in links] == [(name, None), (None, need)]
    attended = await fetch(demo_dsn, "SELECT p.name FROM meeting_attendee a JOIN person p "
                                     "ON p.id = a.person_id")  # fmt: skip
    assert [r["name"] for r in attended] == [name]
