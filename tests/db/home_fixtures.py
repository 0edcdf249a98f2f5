"""A fixed area around the kernel's site for the first screens: in the worker's grid and
in the neighbouring grid of the same community (the street supervisor sees both), and in
a grid of another district (nobody here sees it): needs referred with due dates around
a month end, representatives never talked with, minutes with action items, visits
drafted and returned, sweeps, open cases of every age and persons who came and left.

Loaded as the operator with fixed dates and names, so the screens' snapshots are the
same in every run and the counts can be made again from the rows by hand."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import asyncpg

from tests.db.access_fixtures import add_person
from tests.db.dispute_fixtures import load_case, load_sweep
from tests.db.kernel_fixtures import Site, add_meeting, add_representative, add_visit

CST = timezone(timedelta(hours=8))
MONTH_END = date(2026, 11, 30)  # the day before the home day: things fall due here
DAY = date(2026, 12, 1)  # the day the screens are shown for


async def add_due_need(
    conn: asyncpg.Connection,
    org_code: str,
    person: uuid.UUID,
    due_on: date,
    department: str | None = "housing",
    author: str = "demo_seed",
) -> uuid.UUID:
    """A need referred to `department` on 2026-10-02 and due on `due_on` (not referred
    yet, when `department` is None)."""
    need = uuid.uuid4()
    referred = date(2026, 10, 2) if department else None
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, channel, category, "
        "description, department_code, status, raised_on, referred_on, due_on, created_by, "
        "updated_by) VALUES ($1, $2, $3, $4, 'walk_in', 'housing', '想申请公租房', $5, $6, "
        "'2026-10-01', $7, $8, $9, $9)",
        org_code[:4], need, org_code, person, department,
        "referred" if department else "open", referred, due_on, author,
    )  # fmt: skip
    return need


async def add_item_due(
    conn: asyncpg.Connection, org_code: str, meeting: uuid.UUID, seq: int, due_on: date, text: str
) -> uuid.UUID:
    item = uuid.uuid4()
    await conn.execute(
        "INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, "
        "department_code, due_on) VALUES ($1, $2, $3, $4, $5, $6, 'human_resources', $7)",
        org_code[:4], item, meeting, org_code, seq, text, due_on,
    )  # fmt: skip
    return item


async def load_home_area(conn: asyncpg.Connection, site: Site) -> None:
    grid, neighbour, far = site.grid, site.neighbour, site.far
    # Everyone arrived on a known day (without one, the day their record was made counts).
    await conn.execute("UPDATE person SET arrival_date = '2025-06-01'")
    await conn.execute(
        "UPDATE person SET arrival_date = '2026-12-01', origin_address = '新疆喀什市',"
        " current_address = '金水路1号', occupation = '餐饮' WHERE id = $1",
        site.person,
    )
    left = await add_person(conn, grid, "阿依夏")
    await conn.execute(
        "UPDATE person SET arrival_date = '2025-06-01', status = 'left_city', "
        "status_changed_on = '2026-12-01' WHERE id = $1",
        left,
    )
    await add_person(conn, grid, "马小花")  # registered with no 三必清 field filled in
    await conn.execute("UPDATE person SET arrival_date = '2025-06-01' WHERE arrival_date IS NULL")
    earlier = await add_person(conn, neighbour, "马建国")
    await conn.execute(
        "UPDATE person SET arrival_date = '2026-10-30' WHERE id = $1", earlier
    )  # another month's arrival

    # Referrals: overdue from the month's end on, due within a week, due later, elsewhere.
    await add_due_need(conn, grid, site.person, MONTH_END)
    await add_due_need(conn, grid, site.person, date(2026, 12, 4), "civil_affairs")
    await add_due_need(conn, grid, site.person, date(2026, 12, 20))
    await add_due_need(conn, grid, site.person, date(2026, 12, 3), None)
    await add_due_need(conn, neighbour, site.neighbour_person, date(2026, 11, 10))
    await add_due_need(conn, far, site.far_person, date(2026, 11, 10))

    # Representatives appointed by name long ago and never talked with: every talk overdue.
    await add_representative(conn, grid, appointed_on=date(2025, 1, 6))
    await add_representative(conn, far, appointed_on=date(2025, 1, 6))

    # Minutes of the grid with an item due at the month's end and one due next year; a
    # joint meeting of the neighbour long ago (overdue by the half-year rule).
    minutes = await add_meeting(conn, grid, site.worker, held_on=date(2026, 10, 20),
                                status="approved", items=0)  # fmt: skip
    await add_item_due(conn, grid, minutes, 1, MONTH_END, "落实就业岗位")
    await add_item_due(conn, grid, minutes, 2, date(2027, 3, 1), "走访清真餐馆")
    await add_meeting(conn, neighbour, site.neighbour_worker, held_on=date(2026, 1, 10),
                      status="approved", items=0)  # fmt: skip

    # Visits: the worker's draft and the one returned to them; the neighbour's returned one.
    await add_visit(conn, grid, site.worker, [site.person], needs=0)
    await add_visit(conn, grid, site.worker, [site.person], status="returned", needs=0,
                    reviewer=site.supervisor)  # fmt: skip
    await add_visit(conn, neighbour, site.neighbour_worker, [site.neighbour_person],
                    status="returned", needs=0, reviewer=site.supervisor)  # fmt: skip
    await add_visit(conn, neighbour, site.neighbour_worker, [site.neighbour_person],
                    status="submitted", needs=0)  # fmt: skip

    # Sweeps: November's filed by the community on time; nothing of December yet.
    await load_sweep(conn, grid[:12], date(2026, 11, 1), status="submitted", nil_return=True,
                     filed_at=datetime(2026, 11, 28, 10, tzinfo=CST))  # fmt: skip
    # Open cases of every age band, one concluded, one in another district.
    for opened in (date(2026, 11, 21), date(2026, 10, 1), date(2026, 7, 1)):
        await load_case(conn, grid[:12], opened)
    await load_case(conn, grid[:12], date(2026, 9, 1), stage="mediating")
    await load_case(conn, grid[:12], date(2026, 9, 1), stage="resolved")
    await load_case(conn, far[:12], date(2026, 9, 1))
