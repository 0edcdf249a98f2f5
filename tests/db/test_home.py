"""What the first screens read, as the user's own role: the grid worker's due work only
of their scope, the supervisor's counts of theirs, each counted again here by hand from
the rows the operator loaded; and what falls due at a month's end is overdue the next
day."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.drafts import save_draft
from db.home.dashboard import dashboard
from db.home.grid_home import grid_home
from db.home.returned import returned_to_me
from db.keys.crypto import Keyring
from db.users import AppUser
from tests.db.home_fixtures import DAY, MONTH_END, load_home_area
from tests.db.kernel_fixtures import Site, make_site


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    site = await make_site(conn)
    await load_home_area(conn, site)
    return site


def _within(org_code: str, scope: str) -> bool:
    return org_code.startswith(scope)


async def _rows(conn: asyncpg.Connection, sql: str, *args: object) -> list[asyncpg.Record]:
    return await conn.fetch(sql, *args)


async def test_the_grid_worker_sees_only_the_due_work_of_their_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, keyring: Keyring
) -> None:
    async with acting_as(other, site.worker):
        home = await grid_home(other, keyring, DAY)
    scope = site.worker.org_code
    needs = await _rows(conn, "SELECT id, org_code, due_on FROM assistance_request "
                        "WHERE status IN ('open', 'referred')")  # fmt: skip
    due = {n["id"] for n in needs if _within(n["org_code"], scope)
           and n["due_on"] < date(2026, 12, 8)}  # fmt: skip
    assert {r.id for r in home.referrals} == due
    assert len(due) == 3
    assert [(r.overdue, r.days_overdue) for r in home.referrals][0] == (True, 1)

    reps = await _rows(conn, "SELECT id, org_code FROM representative")
    assert {r.id for r in home.representatives} == {
        r["id"] for r in reps if _within(r["org_code"], scope)
    }
    assert [r.phone_state for r in home.representatives] == ["overdue"]

    items = await _rows(conn, "SELECT id, org_code, due_on FROM action_item WHERE status = 'open'")
    assert {i.id for i in home.meetings.items} == {
        i["id"]
        for i in items
        if _within(i["org_code"], scope) and i["due_on"] <= date(2026, 12, 15)
    }
    assert home.meetings.overdue == []  # the neighbour's overdue meeting is not theirs

    visits = await _rows(conn, "SELECT id, status, created_by FROM visit")
    mine = [v for v in visits if v["created_by"] == site.worker.pg_role]
    assert {v.id for v in home.draft_visits} == {v["id"] for v in mine if v["status"] == "draft"}
    assert {(r.kind, r.id) for r in home.returned} == {
        ("visit", v["id"]) for v in mine if v["status"] == "returned"
    }
    assert [r.review_comment for r in home.returned] == ["请补充地点"]
    assert [(s.status.month, s.status.state) for s in home.sweeps] == [(date(2026, 12, 1), "due")]
    persons = await _rows(conn, "SELECT name, org_code, status, origin_address, current_address, "
                          "occupation FROM person")  # fmt: skip
    gaps = [p["name"] for p in persons if _within(p["org_code"], scope)
            and p["status"] == "registered"
            and "" in (p["origin_address"], p["current_address"], p["occupation"])]  # fmt: skip
    assert home.to_complete.count == len(gaps) == 1
    assert [r.name for r in home.to_complete.first] == gaps


async def test_what_falls_due_at_the_month_end_is_overdue_the_next_day(
    other: asyncpg.Connection, site: Site, keyring: Keyring
) -> None:
    async with acting_as(other, site.worker):
        before = await grid_home(other, keyring, MONTH_END)
    async with acting_as(other, site.worker):
        after = await grid_home(other, keyring, DAY)
    due_at_end = [r for r in before.referrals if r.due_on == MONTH_END]
    assert [(r.overdue, r.due_soon) for r in due_at_end] == [(False, True)]
    assert [(r.overdue, r.days_overdue) for r in after.referrals if r.due_on == MONTH_END] == [
        (True, 1)
    ]
    assert [(i.due_on, i.overdue) for i in before.meetings.items] == [(MONTH_END, False)]
    assert [(i.due_on, i.overdue) for i in after.meetings.items] == [(MONTH_END, True)]
    # October's was never filed (missing since its day in November); November's was,
    # and leaves the list once December is the month (test_the_grid_worker_sees_...).
    assert [(s.status.month, s.status.state, s.days_left) for s in before.sweeps] == [
        (date(2026, 10, 1), "missing", -10), (date(2026, 11, 1), "filed", 20),
    ]  # fmt: skip


async def test_others_returned_records_are_not_mine(other: asyncpg.Connection, site: Site) -> None:
    async with acting_as(other, site.neighbour_worker):
        mine = await returned_to_me(other)
    async with acting_as(other, site.supervisor):
        theirs = await returned_to_me(other)  # sees both grids, wrote none of them
    assert [r.kind for r in mine] == ["visit"]
    assert theirs == []


async def _dashboard(other: asyncpg.Connection, user: AppUser, day: date = DAY) -> object:
    async with acting_as(other, user):
        return await dashboard(other, day)


async def test_the_supervisors_counts_are_those_of_their_street(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    scope = site.supervisor.org_code
    async with acting_as(other, site.supervisor):
        d = await dashboard(other, DAY)
    persons = await _rows(conn, "SELECT org_code, status, arrival_date, status_changed_on, "
                          "origin_address, current_address, occupation FROM person")  # fmt: skip
    here = [p for p in persons if _within(p["org_code"], scope)]
    assert d.persons.registered == sum(p["status"] == "registered" for p in here)
    month = (date(2026, 12, 1), date(2026, 12, 31))
    assert d.persons.arrived == sum(
        p["arrival_date"] is not None and month[0] <= p["arrival_date"] <= month[1] for p in here
    )
    assert d.persons.left == sum(
        p["status"] in ("left_city", "moved_out") and month[0] <= p["status_changed_on"]
        for p in here
    )
    assert (d.persons.registered, d.persons.arrived, d.persons.left) == (4, 1, 1)
    assert d.persons.missing_fields == sum(
        p["status"] == "registered"
        and "" in (p["origin_address"], p["current_address"], p["occupation"])
        for p in here
    )

    needs = await _rows(conn, "SELECT a.org_code, a.due_on, d.name_zh FROM assistance_request a "
                        "LEFT JOIN department d ON d.code = a.department_code "
                        "WHERE a.status IN ('open', 'referred')")  # fmt: skip
    counted: dict[str | None, tuple[int, int]] = {}
    for n in needs:
        if _within(n["org_code"], scope):
            open_, late = counted.get(n["name_zh"], (0, 0))
            counted[n["name_zh"]] = (open_ + 1, late + (n["due_on"] < DAY))
    assert {r.department_name: (r.open, r.overdue) for r in d.referrals} == counted
    assert d.referrals[-1].department_name is None  # not referred yet: last

    cases = await _rows(conn, "SELECT org_code, opened_on FROM dispute_case "
                        "WHERE stage IN ('open', 'mediating')")  # fmt: skip
    ages = [(DAY - c["opened_on"]).days for c in cases if _within(c["org_code"], scope)]
    assert (d.cases.under_30, d.cases.to_90, d.cases.over_90) == (
        sum(a < 30 for a in ages), sum(30 <= a <= 90 for a in ages), sum(a > 90 for a in ages),
    )  # fmt: skip
    assert (d.cases.under_30, d.cases.to_90, d.cases.over_90) == (1, 1, 2)

    items = await _rows(conn, "SELECT org_code, due_on FROM action_item WHERE status = 'open'")
    mine = [i for i in items if _within(i["org_code"], scope)]
    assert (d.open_items, d.overdue_items) == (len(mine), sum(i["due_on"] < DAY for i in mine))
    assert [(m.org_code, m.kind) for m in d.overdue_meetings] == [(site.neighbour, "member_joint")]
    assert d.representatives_overdue == 1  # the far district's is not theirs
    waiting = await _rows(conn, "SELECT org_code FROM visit WHERE status = 'submitted' "
                          "UNION ALL SELECT org_code FROM dispute_sweep "
                          "WHERE status = 'submitted'")  # fmt: skip
    assert d.waiting_review == sum(_within(w["org_code"], scope) for w in waiting) == 2
    # Every community of the street is still to file December's sweep, and November's
    # (due on 20 December) but the grid's community, which filed it.
    communities = [r["code"] for r in await _rows(
        conn, "SELECT code FROM org_unit WHERE level = 'community' ORDER BY code")
        if _within(r["code"], scope)]  # fmt: skip
    expected = {(c, date(2026, 11, 1), "due") for c in communities if c != site.grid[:12]}
    expected |= {(c, date(2026, 12, 1), "due") for c in communities}
    assert {(s.org_code, s.month, s.state) for s in d.unfiled} == expected
    assert d.to_sign_off == len(communities)  # no month of theirs signed off yet


async def test_a_sweep_not_filed_by_its_day_is_overdue_on_the_dashboard(
    other: asyncpg.Connection, site: Site
) -> None:
    async with acting_as(other, site.supervisor):
        d = await dashboard(other, date(2027, 1, 21))
    ours = [(s.month, s.state) for s in d.unfiled if s.org_code == site.grid[:12]]
    assert ours == [(date(2026, 12, 1), "missing"), (date(2027, 1, 1), "due")]


async def test_a_grid_worker_reading_the_dashboard_sees_only_their_grid(
    other: asyncpg.Connection, site: Site
) -> None:
    async with acting_as(other, site.worker):
        d = await dashboard(other, DAY)
    assert d.scope == site.grid
    assert (d.persons.registered, d.persons.left) == (2, 1)
    # Not the neighbour's submitted visit; the community's sweep is shared with its grids.
    assert d.waiting_review == 1
    assert {r.department_name: (r.open, r.overdue) for r in d.referrals} == {
        "住房保障和房管部门": (2, 1),
        "民政部门": (1, 0),
        None: (1, 0),
    }


async def test_a_visit_kept_as_typed_is_listed_once(
    other: asyncpg.Connection, site: Site, keyring: Keyring
) -> None:
    async with acting_as(other, site.worker):
        stored = (await grid_home(other, keyring, DAY)).draft_visits[0]
    new = uuid.uuid4()
    values = {"id": str(new), "persons": [{"city_code": site.city, "id": str(site.person),
                                            "name": "马小龙"}]}  # fmt: skip
    async with acting_as(other, site.worker):
        await save_draft(other, keyring, "visit", new, site.grid, None, values)
        await save_draft(other, keyring, "visit", stored.id, site.grid, stored.version, values)
    async with acting_as(other, site.worker):
        home = await grid_home(other, keyring, DAY)
    async with acting_as(other, site.neighbour_worker):
        theirs = await grid_home(other, keyring, DAY)
    assert [d.subject for d in home.typed_visits] == [new]  # the stored one is listed as stored
    assert [v.id for v in home.draft_visits] == [stored.id]
    assert theirs.typed_visits == []
