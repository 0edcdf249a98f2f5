"""Overdue and due soon, as the database judges them (sql/V013 `referral_overdue`,
`referral_due_soon`) for the lists and the home screen: across month and year ends and
leap days, and never for a closed need; and the default due date over a leap February."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.referrals.intake import IntakeForm, IntakeInput
from db.referrals.lists import due_referrals, open_referrals
from db.referrals.store import raise_need
from tests.db.kernel_fixtures import Site, add_outcome, add_referred_need, make_site


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _due(conn: asyncpg.Connection, site: Site, due: date) -> uuid.UUID:
    need = uuid.uuid4()
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, category, "
        "description, status, raised_on, due_on) VALUES ($1, $2, $3, $4, 'walk_in', 'relief', "
        "'临时困难', 'open', '2026-01-01', $5)",
        site.city, need, site.grid, site.person, due,
    )  # fmt: skip
    return need


# (due, today, overdue, days overdue, due within the seven days from today)
CASES = [
    (date(2026, 12, 31), date(2026, 12, 31), False, None, True),  # due today: not yet
    (date(2026, 12, 31), date(2027, 1, 1), True, 1, False),  # the year ends
    (date(2027, 1, 31), date(2027, 2, 1), True, 1, False),  # a month of 31 days ends
    (date(2027, 2, 28), date(2027, 3, 1), True, 1, False),  # February of a common year
    (date(2028, 2, 28), date(2028, 3, 1), True, 2, False),  # a leap year: the 29th between
    (date(2028, 2, 29), date(2028, 2, 29), False, None, True),  # the leap day itself
    (date(2028, 2, 29), date(2028, 3, 1), True, 1, False),
    (date(2028, 2, 29), date(2029, 3, 1), True, 366, False),  # a year and a day later
    (date(2029, 1, 3), date(2028, 12, 28), False, None, True),  # six days on, a year on
    (date(2029, 1, 4), date(2028, 12, 28), False, None, False),  # seven days on: not yet
    (date(2028, 3, 5), date(2028, 2, 28), False, None, True),  # six days on, over the leap day
    (date(2028, 3, 6), date(2028, 2, 28), False, None, False),  # seven days on
    (date(2028, 3, 6), date(2028, 2, 29), False, None, True),
    (date(2027, 3, 6), date(2027, 2, 28), False, None, True),  # six days on, no leap day
]


@pytest.mark.parametrize(("due", "today", "overdue", "days", "soon"), CASES)
async def test_overdue_and_due_soon_on_the_day(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    site: Site,
    due: date,
    today: date,
    overdue: bool,
    days: int | None,
    soon: bool,
) -> None:
    need = await _due(conn, site, due)
    async with acting_as(other, site.worker):
        [line] = await open_referrals(other, today)
        pressing = await due_referrals(other, today)
    assert (line.id, line.overdue, line.days_overdue, line.due_soon) == (need, overdue, days, soon)
    assert [p.id for p in pressing] == ([need] if overdue or soon else [])


async def test_a_closed_need_is_never_overdue_and_the_most_overdue_come_first(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    closed = await add_referred_need(conn, site.grid, site.person, site.worker.pg_role)
    await add_outcome(conn, site.grid, closed, site.worker.pg_role, "approved")
    await conn.execute("UPDATE assistance_request SET due_on = '2026-11-05' WHERE id = $1", closed)
    later = await _due(conn, site, date(2026, 11, 30))
    earliest = await _due(conn, site, date(2026, 11, 1))
    coming = await _due(conn, site, date(2026, 12, 3))
    far = await _due(conn, site, date(2027, 3, 1))
    async with acting_as(other, site.worker):
        lines = await open_referrals(other, date(2026, 12, 1))
        pressing = await due_referrals(other, date(2026, 12, 1))
        overdue_now = await other.fetchval(
            "SELECT overdue FROM referral_followup WHERE id = $1", closed
        )
    assert [line.id for line in lines] == [earliest, later, coming, far]
    assert [p.id for p in pressing] == [earliest, later, coming]
    assert overdue_now is False
    assert await conn.fetchval(
        "SELECT referral_overdue(status, due_on, '2026-12-01') FROM assistance_request "
        "WHERE id = $1",
        closed,
    ) is False  # fmt: skip


async def test_a_neighbours_needs_are_not_listed(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    await _due(conn, site, date(2026, 11, 1))
    async with acting_as(other, site.neighbour_worker):
        assert await open_referrals(other, date(2026, 12, 1)) == []
        assert await due_referrals(other, date(2026, 12, 1)) == []


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        ("2028-01-30", date(2028, 2, 29)),  # thirty days over a leap February
        ("2027-01-30", date(2027, 3, 1)),
        ("2027-12-15", date(2028, 1, 14)),  # over the year's end
    ],
)
async def test_the_default_due_date_counts_calendar_days(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, raised: str, due: date
) -> None:
    form = IntakeForm(city_code=site.city, id=uuid.uuid4(), person_id=site.person,
                      channel="walk_in", category="relief", description="临时困难",
                      raised_on=raised)  # fmt: skip
    async with acting_as(other, site.worker):
        await raise_need(other, IntakeInput.from_form(form, date.fromisoformat(raised)))
    assert await conn.fetchval("SELECT due_on FROM assistance_request") == due
