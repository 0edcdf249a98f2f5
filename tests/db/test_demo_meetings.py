"""The demo meetings (seeds/demo_meetings.py): the same seed writes the same history, and
what it writes keeps the meetings' rules: minutes in every state that read back as valid
forms, items closed only at a later meeting of their kind and unit, some still carried,
and districts both on time and overdue by the half-year rule."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import pytest

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.meetings.form import MeetingInput
from db.meetings.rhythm import overdue_meetings
from db.meetings.store import load_meeting
from seeds.demo import seed_demo
from seeds.demo_meetings import seed_meetings
from tests.db.access_fixtures import new_user

TODAY = date(2026, 11, 24)
CONTENT = {
    "meeting": "SELECT id, org_code, kind, held_on, starts_at, place, chair, recorder, agenda, "
    "minutes, decisions, status, review_comment FROM meeting ORDER BY id",
    "meeting_attendee": "SELECT id, meeting_id, seq, attendance, department_code, person_id, "
    "name FROM meeting_attendee ORDER BY id",
    "action_item": "SELECT id, meeting_id, seq, text, department_code, due_on, status, done_on, "
    "closing_note, closed_in FROM action_item ORDER BY id",
    "action_item_link": "SELECT id, item_id, person_id FROM action_item_link ORDER BY id",
}


async def _content(conn: asyncpg.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {table: [tuple(r) for r in await conn.fetch(sql)] for table, sql in CONTENT.items()}


async def _seeded_then_undone(conn: asyncpg.Connection, seed: int) -> dict[str, list[object]]:
    tx = conn.transaction()
    await tx.start()
    try:
        await seed_meetings(conn, seed=seed, today=TODAY)
        return await _content(conn)  # type: ignore[return-value]
    finally:
        await tx.rollback()


@pytest.fixture
async def persons(conn: asyncpg.Connection, keyring: Keyring) -> None:
    await seed_demo(conn, keyring, persons=300, seed=5, today=TODAY)


@pytest.mark.usefixtures("persons")
async def test_the_same_seed_writes_the_same_meetings(conn: asyncpg.Connection) -> None:
    first = await _seeded_then_undone(conn, 7)
    assert await conn.fetchval("SELECT count(*) FROM meeting") == 0
    again = await _seeded_then_undone(conn, 7)
    other = await _seeded_then_undone(conn, 8)
    assert first == again
    assert first["meeting"] != other["meeting"]
    assert all(first[table] for table in CONTENT)


@pytest.mark.usefixtures("persons")
async def test_the_demo_meetings_keep_the_rules(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    seeded = await seed_meetings(conn, seed=7, today=TODAY)
    assert seeded.meetings == await conn.fetchval("SELECT count(*) FROM meeting")
    earliest, latest = await conn.fetchrow("SELECT min(held_on), max(held_on) FROM meeting")
    assert TODAY - timedelta(days=3 * 366) <= earliest
    assert latest <= TODAY
    states = {r[0] for r in await conn.fetch("SELECT DISTINCT status FROM meeting")}
    assert states == {"draft", "submitted", "returned", "approved"}
    kinds = {r[0] for r in await conn.fetch("SELECT DISTINCT kind FROM meeting")}
    assert kinds == {"member_joint", "origin_destination", "representatives", "eid_symposium",
                     "working"}  # fmt: skip
    # Closed only at a later meeting of the same kind and unit, on a day not after it.
    wrong = await conn.fetchval(
        "SELECT count(*) FROM action_item a JOIN meeting m ON m.id = a.meeting_id "
        "JOIN meeting c ON c.id = a.closed_in WHERE c.kind <> m.kind OR c.org_code <> m.org_code "
        "OR c.held_on <= m.held_on OR a.done_on < m.held_on OR a.done_on > c.held_on"
    )
    assert wrong == 0
    carried = await conn.fetchval(
        "SELECT count(*) FROM action_item a JOIN meeting m ON m.id = a.meeting_id "
        "WHERE a.status = 'open' AND EXISTS (SELECT 1 FROM meeting n WHERE n.kind = m.kind "
        "AND n.org_code = m.org_code AND n.held_on > m.held_on)"
    )
    assert carried > 0
    assert await conn.fetchval("SELECT count(*) FROM action_item WHERE status = 'dropped'") > 0
    # Every meeting reads back, as a city's supervisor, as a valid form; the minutes that
    # went up for review were complete.
    for city in [r[0] for r in await conn.fetch("SELECT DISTINCT city_code FROM meeting")]:
        supervisor = await new_user(conn, "supervisor", city)
        ids = [r[0] for r in await conn.fetch(
            "SELECT id FROM meeting WHERE city_code = $1 ORDER BY id", city)]  # fmt: skip
        async with acting_as(other, supervisor):
            for meeting in ids:
                form, state = await load_meeting(other, city, meeting)
                checked = MeetingInput.from_form(form, TODAY)
                if state.status != "draft":
                    assert checked.submit_problem() is None, form
            overdue = {o.org_code for o in await overdue_meetings(other, TODAY)
                       if o.kind == "member_joint" and o.level == "district"}  # fmt: skip
        districts = {r[0] for r in await conn.fetch(
            "SELECT DISTINCT org_code FROM meeting WHERE city_code = $1 AND length(org_code) = 6 "
            "AND kind = 'member_joint'", city)}  # fmt: skip
        assert districts & overdue, f"{city}: no demo district overdue"
        assert districts - overdue, f"{city}: every demo district overdue"
