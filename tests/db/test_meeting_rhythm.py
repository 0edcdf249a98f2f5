"""The rhythm the plans set (sql/V014 meetings_overdue): a member departments' joint
meeting at least every six months in each district and the city, the origin-destination
meeting every year in the city; counted in calendar months across year and month ends;
and what the home screen lists of meetings (db/meetings/rhythm.py)."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.meetings.rhythm import items_due, meetings_home, overdue_meetings
from db.users import AppUser
from tests.db.access_fixtures import demo_grid_codes, new_user
from tests.db.kernel_fixtures import add_meeting


@pytest.fixture
async def grid(conn: asyncpg.Connection) -> str:
    return (await demo_grid_codes(conn))[0]


async def _overdue(
    conn: asyncpg.Connection, user: AppUser, today: date, unit: str
) -> list[tuple[str, date | None, date | None]]:
    async with acting_as(conn, user):
        found = await overdue_meetings(conn, today)
    return [(o.kind, o.last_held, o.due_on) for o in found if o.org_code == unit]


@pytest.mark.parametrize(
    ("held_on", "on_time", "late", "due_on"),
    [
        # Across the year end.
        (date(2025, 8, 15), date(2026, 2, 15), date(2026, 2, 16), date(2026, 2, 15)),
        # From a month's last day to February's, in a common and a leap year.
        (date(2025, 8, 31), date(2026, 2, 28), date(2026, 3, 1), date(2026, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29), date(2028, 3, 1), date(2028, 2, 29)),
        # From New Year's Eve into the summer.
        (date(2025, 12, 31), date(2026, 6, 30), date(2026, 7, 1), date(2026, 6, 30)),
    ],
)
async def test_a_joint_meeting_is_due_six_calendar_months_after_the_last(
    conn: asyncpg.Connection, grid: str, held_on: date, on_time: date, late: date, due_on: date
) -> None:
    district = grid[:6]
    supervisor = await new_user(conn, "supervisor", district)
    await add_meeting(conn, district, supervisor, held_on=held_on, status="approved")
    assert await _overdue(conn, supervisor, on_time, district) == []
    assert await _overdue(conn, supervisor, late, district) == [("member_joint", held_on, due_on)]


async def test_the_origin_destination_meeting_is_yearly_in_the_city(
    conn: asyncpg.Connection, grid: str
) -> None:
    city = grid[:4]
    supervisor = await new_user(conn, "supervisor", city)
    await add_meeting(conn, city, supervisor, kind="origin_destination",
                      held_on=date(2025, 12, 20), status="approved")  # fmt: skip
    await add_meeting(conn, city, supervisor, held_on=date(2026, 11, 2), status="approved")
    assert await _overdue(conn, supervisor, date(2026, 12, 20), city) == []
    assert await _overdue(conn, supervisor, date(2026, 12, 21), city) == [
        ("origin_destination", date(2025, 12, 20), date(2026, 12, 20))
    ]


async def test_what_counts_as_held(conn: asyncpg.Connection, grid: str) -> None:
    district = grid[:6]
    supervisor = await new_user(conn, "supervisor", district)
    today = date(2026, 11, 24)
    never = [("member_joint", None, None)]
    assert await _overdue(conn, supervisor, today, district) == never
    # Minutes still a draft, a meeting after today, another kind: not held yet.
    await add_meeting(conn, district, supervisor, held_on=date(2026, 11, 1))
    await add_meeting(conn, district, supervisor, held_on=date(2026, 12, 1), status="approved")
    await add_meeting(conn, district, supervisor, kind="working", held_on=date(2026, 11, 2),
                      status="approved")  # fmt: skip
    assert await _overdue(conn, supervisor, today, district) == never
    # Submitted minutes count (the meeting was held), returned ones too.
    await add_meeting(conn, district, supervisor, held_on=date(2026, 6, 1), status="returned")
    assert await _overdue(conn, supervisor, today, district) == []


async def test_a_unit_that_holds_joint_meetings_is_held_to_the_rhythm_in_its_scope(
    conn: asyncpg.Connection, grid: str
) -> None:
    community, street = grid[:12], grid[:9]
    worker = await new_user(conn, "grid_worker", community)
    supervisor = await new_user(conn, "supervisor", street)
    elsewhere = await conn.fetchval(
        "SELECT min(code) FROM org_unit WHERE level = 'street' AND parent_code = $1 "
        "AND code <> $2",
        grid[:6], street,
    )  # fmt: skip
    other_street = await new_user(conn, "supervisor", elsewhere)
    assert await _overdue(conn, supervisor, date(2026, 11, 24), community) == []
    await add_meeting(conn, community, worker, held_on=date(2026, 3, 1), status="submitted")
    expected = [("member_joint", date(2026, 3, 1), date(2026, 9, 1))]
    assert await _overdue(conn, worker, date(2026, 11, 24), community) == expected
    assert await _overdue(conn, supervisor, date(2026, 11, 24), community) == expected
    assert await _overdue(conn, other_street, date(2026, 11, 24), community) == []
    # The district above the street is not the street supervisor's to watch.
    assert await _overdue(conn, supervisor, date(2026, 11, 24), grid[:6]) == []


async def test_the_home_screen_lists_items_due_soon_and_overdue_meetings(
    conn: asyncpg.Connection, grid: str
) -> None:
    community = grid[:12]
    worker = await new_user(conn, "grid_worker", community)
    meeting = await add_meeting(conn, community, worker, held_on=date(2026, 5, 1),
                                status="approved", items=3)  # fmt: skip
    items = [r["id"] for r in await conn.fetch(
        "SELECT id FROM action_item WHERE meeting_id = $1 ORDER BY seq", meeting)]  # fmt: skip
    await conn.execute("UPDATE action_item SET due_on = '2026-11-20' WHERE id = $1", items[0])
    await conn.execute("UPDATE action_item SET due_on = '2026-12-08' WHERE id = $1", items[1])
    await conn.execute("UPDATE action_item SET due_on = '2026-12-09' WHERE id = $1", items[2])
    today = date(2026, 11, 24)
    async with acting_as(conn, worker):
        due = await items_due(conn, today)
        home = await meetings_home(conn, today)
    assert [(d.id, d.overdue) for d in due] == [(items[0], True), (items[1], False)]
    assert home.items == due
    assert [(o.org_code, o.last_held) for o in home.overdue] == [(community, date(2026, 5, 1))]
    await conn.execute(
        "UPDATE action_item SET status = 'done', done_on = '2026-11-21' WHERE id = $1", items[0]
    )
    async with acting_as(conn, worker):
        assert [d.id for d in await items_due(conn, today)] == [items[1]]
