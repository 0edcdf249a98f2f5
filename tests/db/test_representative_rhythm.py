"""The 三必谈 rhythm (sql/V015 representative_rhythm): a phone talk each ISO week, a
face-to-face talk each calendar month, the symposium at Eid al-Adha each year (from 14
days before the Eid to 7 after), across week, month and year ends, leap days and Eid
dates; the period of the appointment is a grace period."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from tests.db.kernel_fixtures import (
    Site,
    add_representative,
    add_representative_contact,
    add_visit,
    make_site,
)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _rhythm(conn: asyncpg.Connection, rep: uuid.UUID, today: date) -> asyncpg.Record:
    row = await conn.fetchrow("SELECT * FROM representative_rhythm($1) WHERE id = $2", today, rep)
    assert row is not None, "not active on that day"
    return row


async def _named(
    conn: asyncpg.Connection, site: Site, appointed: date, contacts: list[tuple[str, date]]
) -> uuid.UUID:
    rep = await add_representative(conn, site.grid, appointed_on=appointed)
    for kind, day in contacts:
        await add_representative_contact(conn, site.grid, rep, kind, day)
    return rep


# Weekly: ISO weeks; 2026-12-28 (Mon) to 2027-01-03 (Sun) spans the year's end.
WEEKLY = [
    # appointed, last phone talk, today, state, due by
    (date(2026, 11, 4), date(2026, 12, 29), date(2027, 1, 3), "done", date(2027, 1, 10)),
    (date(2026, 11, 4), date(2026, 12, 29), date(2027, 1, 4), "due", date(2027, 1, 10)),
    (date(2026, 11, 4), date(2026, 12, 29), date(2027, 1, 10), "due", date(2027, 1, 10)),
    (date(2026, 11, 4), date(2026, 12, 29), date(2027, 1, 11), "overdue", date(2027, 1, 10)),
    (date(2026, 11, 4), date(2026, 12, 13), date(2027, 1, 1), "overdue", date(2026, 12, 20)),
    # Appointed mid-week: that week is grace, the next one is owed.
    (date(2026, 12, 30), None, date(2027, 1, 3), "due", date(2027, 1, 10)),
    (date(2026, 12, 30), None, date(2027, 1, 11), "overdue", date(2027, 1, 10)),
    (date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 2), "done", date(2027, 1, 10)),
    # A leap day: Monday 2028-02-28 to Sunday 2028-03-05.
    (date(2028, 1, 5), date(2028, 2, 29), date(2028, 3, 5), "done", date(2028, 3, 12)),
    (date(2028, 1, 5), date(2028, 2, 27), date(2028, 2, 29), "due", date(2028, 3, 5)),
]


@pytest.mark.parametrize(("appointed", "last", "today", "state", "due"), WEEKLY)
async def test_a_phone_talk_each_week(
    conn: asyncpg.Connection,
    site: Site,
    appointed: date,
    last: date | None,
    today: date,
    state: str,
    due: date,
) -> None:
    rep = await _named(conn, site, appointed, [("phone_call", last)] if last else [])
    row = await _rhythm(conn, rep, today)
    assert (row["last_phone"], row["phone_state"], row["phone_due"]) == (last, state, due)


MONTHLY = [
    (date(2026, 10, 20), date(2026, 12, 31), date(2026, 12, 31), "done", date(2027, 1, 31)),
    (date(2026, 10, 20), date(2026, 12, 31), date(2027, 1, 1), "due", date(2027, 1, 31)),
    (date(2026, 10, 20), date(2026, 12, 31), date(2027, 2, 1), "overdue", date(2027, 1, 31)),
    # February of a leap year ends on the 29th.
    (date(2027, 12, 15), date(2028, 1, 31), date(2028, 2, 29), "due", date(2028, 2, 29)),
    (date(2027, 12, 15), date(2028, 1, 31), date(2028, 3, 1), "overdue", date(2028, 2, 29)),
    (date(2027, 12, 15), date(2028, 2, 29), date(2028, 2, 29), "done", date(2028, 3, 31)),
    (date(2026, 12, 15), date(2027, 1, 31), date(2027, 2, 28), "due", date(2027, 2, 28)),
    (date(2026, 12, 15), date(2027, 1, 31), date(2027, 3, 1), "overdue", date(2027, 2, 28)),
    # Appointed in a month: the next is the first owed.
    (date(2027, 1, 31), None, date(2027, 2, 28), "due", date(2027, 2, 28)),
    (date(2027, 1, 31), None, date(2027, 3, 1), "overdue", date(2027, 2, 28)),
]


@pytest.mark.parametrize(("appointed", "last", "today", "state", "due"), MONTHLY)
async def test_a_face_to_face_talk_each_month(
    conn: asyncpg.Connection,
    site: Site,
    appointed: date,
    last: date | None,
    today: date,
    state: str,
    due: date,
) -> None:
    rep = await _named(conn, site, appointed, [("face_to_face", last)] if last else [])
    row = await _rhythm(conn, rep, today)
    assert (row["last_face"], row["face_state"], row["face_due"]) == (last, state, due)


# Eid al-Adha 2025-06-06 (window 05-23 … 06-13), 2026-05-27 (05-13 … 06-03),
# 2027-05-16 (05-02 … 05-23).
EID = [
    # appointed, festival gatherings, today, state, due by, the Eid owed
    (date(2025, 1, 6), [date(2025, 6, 6)], date(2026, 5, 12), "done", date(2026, 6, 3),
     date(2026, 5, 27)),
    (date(2025, 1, 6), [date(2025, 6, 6)], date(2026, 5, 13), "due", date(2026, 6, 3),
     date(2026, 5, 27)),
    (date(2025, 1, 6), [date(2025, 6, 6)], date(2026, 6, 3), "due", date(2026, 6, 3),
     date(2026, 5, 27)),
    (date(2025, 1, 6), [date(2025, 6, 6)], date(2026, 6, 4), "overdue", date(2026, 6, 3),
     date(2026, 5, 27)),
    # Missed in 2026, it stays overdue into the next year's window until attended.
    (date(2025, 1, 6), [date(2025, 6, 6)], date(2027, 5, 10), "overdue", date(2026, 6, 3),
     date(2026, 5, 27)),
    (date(2025, 1, 6), [date(2025, 6, 6), date(2027, 5, 10)], date(2027, 5, 10), "done",
     date(2028, 5, 12), date(2028, 5, 5)),
    (date(2025, 1, 6), [date(2026, 5, 13)], date(2026, 6, 4), "done", date(2027, 5, 23),
     date(2027, 5, 16)),
    # A gathering outside the window (at the end of Ramadan) is no Eid symposium.
    (date(2025, 1, 6), [date(2026, 3, 20)], date(2026, 6, 4), "overdue", date(2025, 6, 13),
     date(2025, 6, 6)),
    # Appointed once the window had opened: the next year's is the first owed.
    (date(2026, 5, 20), [], date(2026, 5, 25), "upcoming", date(2027, 5, 23), date(2027, 5, 16)),
    (date(2026, 5, 20), [date(2026, 5, 25)], date(2026, 5, 25), "done", date(2027, 5, 23),
     date(2027, 5, 16)),
    (date(2026, 5, 20), [], date(2027, 5, 2), "due", date(2027, 5, 23), date(2027, 5, 16)),
    # Past the last year of the table nothing is known.
    (date(2035, 3, 1), [], date(2035, 12, 31), None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("appointed", "gatherings", "today", "state", "due", "eid"), EID)
async def test_the_eid_symposium_each_year(
    conn: asyncpg.Connection,
    site: Site,
    appointed: date,
    gatherings: list[date],
    today: date,
    state: str | None,
    due: date | None,
    eid: date | None,
) -> None:
    rep = await _named(conn, site, appointed, [("festival", day) for day in gatherings])
    row = await _rhythm(conn, rep, today)
    assert (row["eid_state"], row["eid_due"], row["eid_day"]) == (state, due, eid)


async def test_each_talk_counts_for_its_own_obligation_and_the_worst_one_shows(
    conn: asyncpg.Connection, site: Site
) -> None:
    today = date(2026, 11, 18)
    rep = await _named(conn, site, date(2026, 1, 5), [
        ("phone_call", date(2026, 11, 16)), ("face_to_face", date(2026, 9, 30)),
        ("festival", date(2026, 5, 26)),
    ])  # fmt: skip
    row = await _rhythm(conn, rep, today)
    assert [row[c] for c in ("phone_state", "face_state", "eid_state", "state")] == [
        "done", "overdue", "done", "overdue",
    ]  # fmt: skip
    await add_representative_contact(conn, site.grid, rep, "face_to_face", date(2026, 10, 30))
    row = await _rhythm(conn, rep, today)
    assert [row[c] for c in ("face_state", "state")] == ["due", "due"]


async def test_a_registered_representatives_talks_are_their_visits_once_submitted(
    conn: asyncpg.Connection, site: Site
) -> None:
    rep = await add_representative(conn, site.grid, site.person, appointed_on=date(2026, 3, 2))
    today = date(2026, 11, 18)

    async def visit(kind: str, day: date, status: str) -> None:
        visit_id = await add_visit(conn, site.grid, site.worker, [site.person], status=status,
                                   needs=0)  # fmt: skip
        await conn.execute("UPDATE visit SET kind = $2, visited_on = $3 WHERE id = $1",
                           visit_id, kind, day)  # fmt: skip

    await visit("phone_call", date(2026, 11, 17), "draft")
    await visit("phone_call", date(2026, 11, 16), "returned")
    await visit("phone_call", date(2026, 2, 27), "approved")  # before the appointment
    await visit("home_visit", date(2026, 11, 2), "submitted")  # a home visit is face to face
    await visit("festival", date(2026, 5, 28), "approved")
    row = await _rhythm(conn, rep, today)
    assert (row["last_phone"], row["phone_state"]) == (None, "overdue")
    assert (row["last_face"], row["face_state"]) == (date(2026, 11, 2), "done")
    assert (row["last_eid"], row["eid_state"]) == (date(2026, 5, 28), "done")
    assert row["name"] == "马小龙"
    await visit("phone_call", date(2026, 11, 17), "submitted")
    assert (await _rhythm(conn, rep, today))["phone_state"] == "done"


async def test_only_those_serving_on_the_day_are_listed(
    conn: asyncpg.Connection, site: Site
) -> None:
    serving = await add_representative(conn, site.grid, appointed_on=date(2026, 1, 5))
    retired = await add_representative(conn, site.grid, appointed_on=date(2025, 1, 6),
                                       retired_on=date(2026, 6, 30))  # fmt: skip
    later = await add_representative(conn, site.grid, appointed_on=date(2026, 12, 1))
    ids = {r["id"] for r in await conn.fetch("SELECT id FROM representative_rhythm('2026-11-18')")}
    assert ids == {serving}
    ids = {r["id"] for r in await conn.fetch("SELECT id FROM representative_rhythm('2026-06-29')")}
    assert ids == {serving, retired}
    assert later not in ids


async def test_each_user_reads_the_rhythm_of_their_scope_only(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    mine = await add_representative(conn, site.grid)
    neighbours = await add_representative(conn, site.neighbour)
    far = await add_representative(conn, site.far)
    seen = {}
    for user in (site.worker, site.neighbour_worker, site.supervisor, site.admin, site.auditor):
        async with acting_as(other, user):
            rows = await other.fetch("SELECT id FROM representative_rhythm('2026-11-18')")
        seen[user.role_kind + user.org_code] = {r["id"] for r in rows}
    assert seen == {
        "grid_worker" + site.grid: {mine},
        "grid_worker" + site.neighbour: {neighbours},
        "supervisor" + site.grid[:9]: {mine, neighbours},
        "admin" + site.grid[:6]: {mine, neighbours},
        "auditor" + site.grid[:6]: {mine, neighbours},
    }
    assert far not in set().union(*seen.values())
