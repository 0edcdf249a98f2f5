"""Filed, late, missing, due (sql/V012 sweep_month_status): the due day is the city's
deadline day of the following month (the 20th by default, a shorter month's last day),
judged in the office's time zone, across month and year ends and leap years."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import asyncpg
import pytest

from db.core.errors import UserError
from db.core.session import acting_as
from db.disputes.months import SweepSetting, home_sweeps, month_status, save_sweep_setting
from tests.db.access_fixtures import new_user
from tests.db.dispute_fixtures import load_case, load_sweep, set_city
from tests.db.kernel_fixtures import Site, make_site

CST = timezone(timedelta(hours=8))


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _state(conn: asyncpg.Connection, unit: str, month: date, today: date) -> tuple[str, date]:
    rows = await month_status(conn, unit, month, today)
    assert [r.org_code for r in rows] == [unit]
    return rows[0].state, rows[0].due_on


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (date(2026, 11, 1), date(2026, 12, 20)),
        (date(2026, 12, 1), date(2027, 1, 20)),  # into the next year
        (date(2027, 1, 1), date(2027, 2, 20)),
    ],
)
async def test_due_on_the_20th_of_the_next_month(
    conn: asyncpg.Connection, site: Site, month: date, due: date
) -> None:
    community = site.grid[:12]
    assert await _state(conn, community, month, due) == ("due", due)
    assert await _state(conn, community, month, due + timedelta(days=1)) == ("missing", due)


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (date(2028, 1, 1), date(2028, 2, 29)),  # a leap year: February's last day
        (date(2027, 1, 1), date(2027, 2, 28)),
        (date(2027, 2, 1), date(2027, 3, 30)),
        (date(2027, 3, 1), date(2027, 4, 30)),
        (date(2027, 12, 1), date(2028, 1, 30)),
    ],
)
async def test_a_deadline_day_past_a_months_end_is_its_last_day(
    conn: asyncpg.Connection, site: Site, month: date, due: date
) -> None:
    await set_city(conn, site.city, deadline_day=30)
    assert await _state(conn, site.grid[:12], month, month) == ("due", due)


@pytest.mark.parametrize(
    ("filed", "state"),
    [
        (datetime(2027, 1, 20, 23, 59, tzinfo=CST), "filed"),  # 15:59 UTC the same day
        (datetime(2027, 1, 21, 0, 1, tzinfo=CST), "late"),  # still the 20th in UTC
        (datetime(2026, 12, 15, 9, 0, tzinfo=CST), "filed"),  # within the month swept
    ],
)
async def test_filed_or_late_is_judged_on_the_offices_calendar(
    conn: asyncpg.Connection, site: Site, filed: datetime, state: str
) -> None:
    community = site.grid[:12]
    await load_sweep(conn, community, date(2026, 12, 1), status="approved", filed_at=filed)
    # However late it is read, a sweep filed stays filed (or late), never missing.
    assert await _state(conn, community, date(2026, 12, 1), date(2027, 6, 1)) == (
        state, date(2027, 1, 20),
    )  # fmt: skip


async def test_a_leap_day_deadline_is_met_on_the_29th_and_missed_on_1_march(
    conn: asyncpg.Connection, site: Site
) -> None:
    await set_city(conn, site.city, deadline_day=31)
    community, neighbour = site.grid[:12], site.far[:12]
    on_time = datetime(2028, 2, 29, 22, 0, tzinfo=CST)
    late = datetime(2028, 3, 1, 7, 0, tzinfo=CST)  # 29 February in UTC
    await load_sweep(conn, community, date(2028, 1, 1), status="submitted", filed_at=on_time)
    await load_sweep(conn, neighbour, date(2028, 1, 1), status="returned", filed_at=late)
    assert (await _state(conn, community, date(2028, 1, 1), date(2028, 3, 2)))[0] == "filed"
    assert (await _state(conn, neighbour, date(2028, 1, 1), date(2028, 3, 2)))[0] == "late"


async def test_a_draft_is_not_filed(conn: asyncpg.Connection, site: Site) -> None:
    community = site.grid[:12]
    await load_sweep(conn, community, date(2026, 11, 1), status="draft")
    assert (await _state(conn, community, date(2026, 11, 1), date(2026, 12, 20)))[0] == "due"
    assert (await _state(conn, community, date(2026, 11, 1), date(2026, 12, 21)))[0] == "missing"


async def test_every_community_of_a_street_is_listed_and_a_grid_sees_its_own(
    conn: asyncpg.Connection, site: Site
) -> None:
    street = site.grid[:9]
    communities = [r[0] for r in await conn.fetch(
        "SELECT code FROM org_unit WHERE level = 'community' AND parent_code = $1 ORDER BY code",
        street)]  # fmt: skip
    await load_sweep(conn, communities[0], date(2026, 10, 1), status="approved",
                     filed_at=datetime(2026, 11, 3, tzinfo=CST))  # fmt: skip
    rows = await month_status(conn, street, date(2026, 10, 1), date(2026, 11, 25))
    assert [(r.org_code, r.state) for r in rows] == [
        (communities[0], "filed"), *((c, "missing") for c in communities[1:]),
    ]  # fmt: skip
    # A grid's scope lies inside its community: the community is the unit that files.
    rows = await month_status(conn, site.grid, date(2026, 10, 1), date(2026, 11, 25))
    assert [(r.org_code, r.state) for r in rows] == [(site.grid[:12], "filed")]


async def test_a_city_that_files_by_grid_lists_its_grids(
    conn: asyncpg.Connection, site: Site
) -> None:
    await set_city(conn, site.city, filing_unit="grid")
    await load_sweep(conn, site.grid, date(2026, 10, 1), status="approved",
                     filed_at=datetime(2026, 11, 19, tzinfo=CST))  # fmt: skip
    rows = await month_status(conn, site.grid[:12], date(2026, 10, 1), date(2026, 11, 25))
    grids = {r.org_code: r.state for r in rows}
    assert grids[site.grid] == "filed"
    assert grids[site.neighbour] == "missing"
    assert all(len(code) == 14 for code in grids)


async def test_what_a_grid_worker_sees_is_their_communitys_sweep_only(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    far = site.far[:12]
    await load_sweep(conn, far, date(2026, 10, 1), status="approved",
                     filed_at=datetime(2026, 11, 2, tzinfo=CST))  # fmt: skip
    async with acting_as(other, site.worker):
        # Another district's community, asked for by its code: its sweep is not theirs.
        rows = await month_status(other, far, date(2026, 10, 1), date(2026, 11, 25))
    assert [(r.sweep_id, r.state) for r in rows] == [(None, "missing")]


async def test_the_home_screen_lists_this_month_and_last_month_while_it_is_due(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    community = site.grid[:12]
    await load_case(conn, community, date(2026, 10, 8))
    await load_case(conn, site.grid, date(2026, 10, 9), stage="mediating")
    await load_case(conn, site.grid, date(2026, 10, 9), stage="resolved")
    await load_case(conn, site.far[:12], date(2026, 10, 9))
    async with acting_as(other, site.worker):
        lines = await home_sweeps(other, date(2026, 11, 14))
    assert [(d.status.month, d.status.state, d.days_left, d.open_cases) for d in lines] == [
        (date(2026, 10, 1), "due", 6, 2),
        (date(2026, 11, 1), "due", 36, 2),
    ]
    await load_sweep(conn, community, date(2026, 10, 1), status="submitted",
                     filed_at=datetime(2026, 11, 14, tzinfo=CST), nil_return=False)  # fmt: skip
    async with acting_as(other, site.worker):
        lines = await home_sweeps(other, date(2026, 11, 25))
    assert [(d.status.month, d.status.state) for d in lines] == [(date(2026, 11, 1), "due")]
    async with acting_as(other, site.worker):
        lines = await home_sweeps(other, date(2027, 1, 2))  # November's was never filed
    assert [(d.status.month, d.status.state, d.days_left) for d in lines] == [
        (date(2026, 12, 1), "due", 18), (date(2027, 1, 1), "due", 49),
    ]  # fmt: skip


async def test_only_the_citys_admins_set_its_deadline_and_filing_unit(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    city_admin = await new_user(conn, "admin", site.city)
    for user in (site.admin, site.worker, site.supervisor):  # a district's admin, and others
        with pytest.raises((UserError, asyncpg.PostgresError)):
            async with acting_as(other, user):
                await save_sweep_setting(other, SweepSetting(city_code=site.city, deadline_day=25))
    async with acting_as(other, city_admin):
        saved = await save_sweep_setting(other, SweepSetting(city_code=site.city, deadline_day=25))
        assert saved.version == 1
        again = await save_sweep_setting(
            other, saved.model_copy(update={"filing_unit": "grid", "deadline_day": 31})
        )
    assert (again.deadline_day, again.filing_unit, again.version) == (31, "grid", 2)
    assert await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE table_name = 'sweep_setting' AND actor = $1",
        city_admin.pg_role,
    ) == 2  # fmt: skip
