"""A city's sweep rule holds month by month (sql/V024): an admin's change of the
deadline day or the filing unit holds from the next month's sweep; the months up to this
one keep the rule they had, so their sweeps stay filed, late or missing as they were.
An operator's setting holds from the start. Nobody writes the rules but the trigger."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import asyncpg
import pytest

from db.core.clock import today
from db.core.session import acting_as
from db.disputes.months import SweepSetting, month_status, save_sweep_setting, sweep_setting
from db.users import AppUser
from tests.db.access_fixtures import new_user
from tests.db.dispute_fixtures import load_sweep, set_city
from tests.db.kernel_fixtures import Site, make_site

CST = timezone(timedelta(hours=8))
THIS_MONTH = today().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
NEXT_MONTH = (THIS_MONTH + timedelta(days=32)).replace(day=1)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


@pytest.fixture
async def city_admin(conn: asyncpg.Connection, site: Site) -> AppUser:
    return await new_user(conn, "admin", site.city)


async def _admin_sets(
    conn: asyncpg.Connection, admin: AppUser, city: str, day: int, unit: str
) -> None:
    async with acting_as(conn, admin):
        stored = await sweep_setting(conn, city)
        changed = stored.model_copy(update={"deadline_day": day, "filing_unit": unit})
        await save_sweep_setting(conn, SweepSetting.model_validate(changed.model_dump()))


async def _states(conn: asyncpg.Connection, scope: str, month: date) -> dict[str, tuple]:
    on = NEXT_MONTH + timedelta(days=40)  # every month asked about is past its due day
    return {r.org_code: (r.state, r.due_on) for r in await month_status(conn, scope, month, on)}


async def test_an_admins_change_holds_from_next_month_and_the_months_before_keep_theirs(
    conn: asyncpg.Connection, site: Site, city_admin: AppUser
) -> None:
    community = site.grid[:12]
    filed = datetime.combine(THIS_MONTH + timedelta(days=2), datetime.min.time(), CST)
    await load_sweep(conn, community, LAST_MONTH, status="submitted", filed_at=filed)
    before = {m: await _states(conn, community, m) for m in (LAST_MONTH, THIS_MONTH)}
    assert before[LAST_MONTH][community][0] == "filed"

    await _admin_sets(conn, city_admin, site.city, 5, "grid")

    for month in (LAST_MONTH, THIS_MONTH):
        assert await _states(conn, community, month) == before[month], month
    following = await _states(conn, community, NEXT_MONTH)
    assert set(following) == {
        r[0] for r in await conn.fetch(
            "SELECT code FROM org_unit WHERE level = 'grid' AND parent_code = $1", community)
    }  # fmt: skip
    assert {due for _state, due in following.values()} == {
        (NEXT_MONTH + timedelta(days=32)).replace(day=5)
    }


async def test_a_late_sweep_of_a_month_before_the_change_is_filed_by_that_months_unit(
    conn: asyncpg.Connection, site: Site, city_admin: AppUser
) -> None:
    await _admin_sets(conn, city_admin, site.city, 20, "grid")
    insert = (
        "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return) "
        "VALUES ($1, gen_random_uuid(), $2, $3, true)"
    )
    async with acting_as(conn, site.worker):
        await conn.execute(insert, site.city, site.grid[:12], LAST_MONTH)
    with pytest.raises(asyncpg.CheckViolationError, match="files its sweeps by community"):
        async with acting_as(conn, site.worker):
            await conn.execute(insert, site.city, site.grid, THIS_MONTH)


async def test_an_operators_setting_holds_from_the_start(
    conn: asyncpg.Connection, site: Site, city_admin: AppUser
) -> None:
    await _admin_sets(conn, city_admin, site.city, 5, "community")
    await set_city(conn, site.city, deadline_day=10, filing_unit="community")  # the operator
    rules = await conn.fetch(
        "SELECT from_month, deadline_day FROM sweep_rule WHERE city_code = $1", site.city
    )
    assert [(r["from_month"], r["deadline_day"]) for r in rules] == [(date(1900, 1, 1), 10)]
    states = await _states(conn, site.grid[:12], LAST_MONTH)
    assert states[site.grid[:12]][1] == THIS_MONTH.replace(day=10)


async def test_every_role_reads_the_rules_and_none_writes_them(
    conn: asyncpg.Connection, site: Site, city_admin: AppUser
) -> None:
    await _admin_sets(conn, city_admin, site.city, 5, "grid")
    for user in (site.worker, site.supervisor, city_admin):
        async with acting_as(conn, user):
            assert await conn.fetchval(
                "SELECT count(*) FROM sweep_rule WHERE city_code = $1", site.city) == 2  # fmt: skip
        for sql in (
            "UPDATE sweep_rule SET deadline_day = 1",
            "DELETE FROM sweep_rule",
            "INSERT INTO sweep_rule VALUES ($1, $2, 1, 'grid', 'x')",
        ):
            args = (site.city, THIS_MONTH) if sql.startswith("INSERT") else ()
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with acting_as(conn, user):
                    await conn.execute(sql, *args)
