"""Minutes through db/meetings as the roles that write and review them (never as the
owner): stored and read back whole, submitted and reviewed, and the open action items
of one meeting carried over to the next of its kind and unit, marked done there."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import ValidationError

from db.core.problems import problems_of
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.meetings.carryover import ItemChanged, carried_items
from db.meetings.form import (
    ActionItemForm,
    AttendeeForm,
    CarriedMark,
    LinkForm,
    MeetingForm,
    MeetingInput,
)
from db.meetings.links import linkable
from db.meetings.store import load_meeting, meeting_units, meetings, review_meeting, save_meeting
from db.privacy.subject import subject_document
from db.users import AppUser
from db.workflow import NotEditable
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user
from tests.db.kernel_fixtures import add_need

TODAY = date(2026, 11, 24)


@pytest.fixture
async def grid(conn: asyncpg.Connection) -> str:
    return (await demo_grid_codes(conn))[0]


@pytest.fixture
async def writer(conn: asyncpg.Connection, grid: str) -> AppUser:
    return await new_user(conn, "supervisor", grid[:9])


@pytest.fixture
async def reviewer(conn: asyncpg.Connection, grid: str) -> AppUser:
    return await new_user(conn, "supervisor", grid[:6])


def _meeting(street: str, held_on: str, *, kind: str = "member_joint", items: int = 3,
             **changes: object) -> MeetingForm:  # fmt: skip
    form = MeetingForm(
        id=uuid.uuid4(), org_code=street, kind=kind, held_on=held_on, starts_at="9:30",
        place="街道办三楼会议室", chair="李主任", recorder="王记录", agenda="就业帮扶\n子女入学",
        minutes="通报了本季度少数民族流动人口服务情况。", decisions="一、……",
        attendees=[
            AttendeeForm(id=uuid.uuid4(), attendance="present", department="human_resources",
                         name="张科长"),
            AttendeeForm(id=uuid.uuid4(), attendance="apologies", department="education"),
            AttendeeForm(id=uuid.uuid4(), attendance="observer", name="社区代表"),
        ],
        items=[
            ActionItemForm(id=uuid.uuid4(), text=f"第{n}项", department="human_resources",
                           due_on="2026-12-31")
            for n in range(1, items + 1)
        ],
    )  # fmt: skip
    return form.model_copy(update=changes)


async def _save(
    conn: asyncpg.Connection, user: AppUser, form: MeetingForm, *, submit: bool = False,
    base_version: int | None = None,
) -> int:  # fmt: skip
    async with acting_as(conn, user):
        state = await save_meeting(conn, MeetingInput.from_form(form, TODAY),
                                   base_version=base_version, submit=submit)  # fmt: skip
    return state.version


async def _carried(
    conn: asyncpg.Connection, user: AppUser, form: MeetingForm
) -> list[tuple[str, str]]:
    checked = MeetingInput.from_form(form, TODAY)
    async with acting_as(conn, user):
        items = await carried_items(
            conn, checked.city_code, form.id, checked.kind, checked.org_code, checked.held_on,
            checked.starts_at,
        )  # fmt: skip
    return [(i.text, i.status) for i in items]


async def test_minutes_are_stored_and_read_back_whole(
    other: asyncpg.Connection, conn: asyncpg.Connection, grid: str, writer: AppUser
) -> None:
    person = await add_person(conn, grid, "马小龙")
    need = await add_need(conn, grid, person, None, writer)
    form = _meeting(grid[:9], "2026-10-20")
    linked = form.items[0].model_copy(update={"links": [
        LinkForm(id=uuid.uuid4(), kind="person", target=person, text="马小龙"),
        LinkForm(id=uuid.uuid4(), kind="need", target=need, text="马小龙 · 想找餐饮工作"),
    ]})  # fmt: skip
    present = AttendeeForm(id=uuid.uuid4(), attendance="present", person_id=person,
                           person_name="马小龙")  # fmt: skip
    form = form.model_copy(update={"items": [linked, *form.items[1:]],
                                   "attendees": [*form.attendees, present]})  # fmt: skip
    await _save(other, writer, form)
    async with acting_as(other, writer):
        stored, state = await load_meeting(other, grid[:4], form.id)
    assert state.status == "draft"
    assert stored == form.model_copy(update={"starts_at": "09:30"})
    assert (
        await conn.fetchval("SELECT count(*) FROM action_item_link WHERE meeting_id = $1", form.id)
        == 2
    )


async def test_edits_remove_what_was_taken_out_and_keep_the_rest(
    other: asyncpg.Connection, conn: asyncpg.Connection, grid: str, writer: AppUser
) -> None:
    form = _meeting(grid[:9], "2026-10-20")
    version = await _save(other, writer, form)
    kept = form.model_copy(update={"items": form.items[1:], "attendees": form.attendees[:1]})
    await _save(other, writer, kept, base_version=version)
    async with acting_as(other, writer):
        stored, _state = await load_meeting(other, grid[:4], form.id)
    assert [i.text for i in stored.items] == ["第2项", "第3项"]
    assert [a.name for a in stored.attendees] == ["张科长"]


async def test_minutes_are_submitted_reviewed_and_then_no_longer_edited(
    other: asyncpg.Connection, grid: str, writer: AppUser, reviewer: AppUser
) -> None:
    form = _meeting(grid[:9], "2026-10-20")
    version = await _save(other, writer, form, submit=True)
    async with acting_as(other, writer):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):  # not their own
            await review_meeting(other, grid[:4], form.id, version, "approved")
    async with acting_as(other, reviewer):
        state = await review_meeting(other, grid[:4], form.id, version, "approved")
    assert state.status == "approved"
    with pytest.raises(NotEditable):
        await _save(other, writer, form.model_copy(update={"place": "别处"}),
                    base_version=state.version)  # fmt: skip


def test_incomplete_minutes_are_kept_as_a_draft_but_not_submitted() -> None:
    form = _meeting("410102001", "2026-10-20", minutes="", attendees=[])
    checked = MeetingInput.from_form(form, TODAY)
    assert checked.submit_problem() == (
        "minutes", "minutes: write what was said before submitting"
    )  # fmt: skip
    bad = form.model_copy(update={
        "held_on": "2026-12-01", "starts_at": "25:00",
        "items": [ActionItemForm(id=uuid.uuid4(), text="", department="")],
    })  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        MeetingInput.from_form(bad, TODAY)
    assert [(p.field, p.row, p.msgid) for p in problems_of(caught.value)] == [
        ("held_on", None, "{value} is in the future"),
        ("starts_at", None, "{value} is not a time of day"),
        ("text", 1, "required"),
        ("department_code", 1, "choose the department that owns it"),
    ]


async def test_open_items_are_carried_to_the_next_meeting_of_the_kind_and_unit(
    other: asyncpg.Connection, conn: asyncpg.Connection, grid: str, writer: AppUser,
    reviewer: AppUser,
) -> None:  # fmt: skip
    street = grid[:9]
    first = _meeting(street, "2026-04-20")
    version = await _save(other, writer, first, submit=True)
    async with acting_as(other, reviewer):
        await review_meeting(other, grid[:4], first.id, version, "approved")
    # Neither another kind nor another unit carries them, nor a meeting held before.
    await _save(other, writer, _meeting(street, "2026-05-10", kind="working", items=1))
    await _save(other, writer, _meeting(grid[:12], "2026-05-11", items=1))
    earlier = _meeting(street, "2026-03-01", items=0)
    assert await _carried(other, writer, earlier) == []

    second = _meeting(street, "2026-10-20", items=1)
    assert await _carried(other, writer, second) == [
        ("第1项", "open"), ("第2项", "open"), ("第3项", "open"),
    ]  # fmt: skip
    async with acting_as(other, writer):
        listed = await carried_items(other, grid[:4], second.id, "member_joint", street,
                                     date(2026, 10, 20), MeetingInput.from_form(
                                         second, TODAY).starts_at)  # fmt: skip
    done = CarriedMark(id=listed[0].id, version=listed[0].version, status="done",
                       done_on="2026-10-15", note="已组织招聘会")  # fmt: skip
    await _save(other, writer, second.model_copy(update={"marks": [done]}), submit=True)
    # The first meeting's minutes are approved; the item is followed up all the same, and
    # the second meeting lists what was closed at it.
    assert await _carried(other, writer, second) == [
        ("第1项", "done"), ("第2项", "open"), ("第3项", "open"),
    ]  # fmt: skip
    row = await conn.fetchrow("SELECT status, closed_in, closing_note FROM action_item "
                              "WHERE id = $1", listed[0].id)  # fmt: skip
    assert tuple(row) == ("done", second.id, "已组织招聘会")
    third = _meeting(street, "2026-11-20", items=0)
    assert await _carried(other, writer, third) == [
        ("第2项", "open"), ("第3项", "open"), ("第1项", "open"),
    ]  # fmt: skip


async def test_a_mark_made_on_a_stale_item_is_refused_and_a_retried_one_is_kept(
    other: asyncpg.Connection, conn: asyncpg.Connection, grid: str, writer: AppUser
) -> None:
    street = grid[:9]
    await _save(other, writer, _meeting(street, "2026-04-20", items=1))
    item = await conn.fetchrow("SELECT id, version FROM action_item WHERE text = '第1项'")
    mark = CarriedMark(id=item["id"], version=item["version"], status="dropped",
                       done_on="2026-10-20", note="已并入其他事项")  # fmt: skip
    second = _meeting(street, "2026-10-20", items=0, marks=[mark])
    version = await _save(other, writer, second)
    await _save(other, writer, second, base_version=version)  # the same mark again: kept
    assert await conn.fetchval("SELECT status FROM action_item WHERE id = $1", item["id"]) == (
        "dropped"
    )
    third = _meeting(street, "2026-11-01", items=0, marks=[
        mark.model_copy(update={"status": "done", "note": "已完成"}),
    ])  # fmt: skip
    with pytest.raises(ItemChanged, match="action item 1: marked meanwhile"):
        await _save(other, writer, third)
    assert await conn.fetchval("SELECT count(*) FROM meeting WHERE id = $1", third.id) == 0


async def test_the_units_and_links_offered_are_the_users(
    other: asyncpg.Connection, conn: asyncpg.Connection, grid: str, writer: AppUser
) -> None:
    person = await add_person(conn, grid, "阿依古丽")
    await add_need(conn, grid, person, None, writer)
    codes = await demo_grid_codes(conn)
    far = next(c for c in codes if c[:6] != grid[:6])
    far_person = await add_person(conn, far, "古丽娜")
    await add_need(conn, far, far_person, None, writer)
    async with acting_as(other, writer):
        units = await meeting_units(other)
        found = await linkable(other, "餐饮")
        by_name = await linkable(other, "阿依")
        nothing = await linkable(other, "%")
    assert units[0].code == grid[:9]
    assert {u.level for u in units} == {"street", "community"}
    assert [f.text for f in found] == ["阿依古丽 · 想找餐饮工作"]
    assert by_name == found
    assert nothing == []
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        assert [u.code for u in await meeting_units(other)] == [grid]


async def test_the_list_shows_the_users_meetings_with_their_open_items(
    other: asyncpg.Connection, grid: str, writer: AppUser
) -> None:
    await _save(other, writer, _meeting(grid[:9], "2026-04-20", items=2))
    await _save(other, writer, _meeting(grid[:9], "2026-10-20", items=1, agenda="  年度总结\n"))
    worker = await new_user(other, "grid_worker", grid)
    async with acting_as(other, writer):
        listed = await meetings(other)
    async with acting_as(other, worker):
        seen_by_worker = await meetings(other)
    assert [(m.held_on.isoformat(), m.agenda, m.open_items) for m in listed] == [
        ("2026-10-20", "年度总结", 1), ("2026-04-20", "就业帮扶", 2),
    ]  # fmt: skip
    assert seen_by_worker == []  # the street's meetings are the street's


async def test_a_persons_subject_export_holds_their_meetings_and_items(
    other: asyncpg.Connection, conn: asyncpg.Connection, grid: str, writer: AppUser,
    keyring: Keyring,
) -> None:  # fmt: skip
    person = await add_person(conn, grid, "马小龙")
    form = _meeting(grid[:9], "2026-10-20", kind="representatives", items=2)
    present = AttendeeForm(id=uuid.uuid4(), attendance="present", person_id=person)
    linked = form.items[1].model_copy(update={"links": [
        LinkForm(id=uuid.uuid4(), kind="person", target=person, text="马小龙"),
    ]})  # fmt: skip
    await _save(other, writer, form.model_copy(update={
        "attendees": [present], "items": [form.items[0], linked],
    }))  # fmt: skip
    document = await subject_document(conn, keyring, grid[:4], person)
    assert [(a["kind"], a["held_on"], a["attendance"]) for a in document["meeting_attendee"]] == [
        ("representatives", "2026-10-20", "present")
    ]
    assert [i["text"] for i in document["action_item"]] == ["第2项"]
