"""Who changes a city's sweep rule (sql/V012 sweep_setting), in plain SQL as each role:
only an admin whose scope is the city. A grid worker or a supervisor holds no write
grant; a district's admin writes only inside the district, which the city's row is not.
Through db.disputes.months the refusals say why, and a save over a change made meanwhile
says that instead."""

from __future__ import annotations

import asyncpg
import pytest

from db.core.session import acting_as
from db.disputes.months import (
    NotTheCitysAdmin,
    SettingChanged,
    SweepSetting,
    save_sweep_setting,
    sweep_setting,
)
from db.users import AppUser
from tests.db.access_fixtures import new_user
from tests.db.kernel_fixtures import Site, make_site

UPDATE = "UPDATE sweep_setting SET deadline_day = 5, filing_unit = 'grid' WHERE city_code = $1"
INSERT = "INSERT INTO sweep_setting (city_code, org_code, deadline_day) VALUES ($1, $2, 5)"


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


async def _stored(conn: asyncpg.Connection, city: str) -> tuple[object, ...] | None:
    row = await conn.fetchrow(
        "SELECT deadline_day, filing_unit, version FROM sweep_setting WHERE city_code = $1", city
    )
    return None if row is None else tuple(row)


async def _someone_sets(
    conn: asyncpg.Connection, other: asyncpg.Connection, city: str, day: int
) -> None:
    """Another admin of the city sets the deadline day, over what is stored."""
    city_admin = await new_user(conn, "admin", city)
    async with acting_as(other, city_admin):
        stored = await sweep_setting(other, city)
        await save_sweep_setting(other, stored.model_copy(update={"deadline_day": day}))


@pytest.mark.parametrize("kind", ["worker", "supervisor"])
async def test_a_grid_worker_or_supervisor_cannot_write_the_rule_in_sql(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, kind: str
) -> None:
    user: AppUser = getattr(site, kind)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, user):
            await other.execute(INSERT, site.city, site.city)
    await _someone_sets(conn, other, site.city, 25)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, user):
            await other.execute(UPDATE, site.city)
    assert await _stored(conn, site.city) == (25, "community", 1)


async def test_a_district_admin_cannot_write_the_citys_rule_in_sql(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with acting_as(other, site.admin):
            await other.execute(INSERT, site.city, site.city)
    await _someone_sets(conn, other, site.city, 25)
    async with acting_as(other, site.admin):
        assert await other.execute(UPDATE, site.city) == "UPDATE 0"  # the row is not theirs
        assert (await sweep_setting(other, site.city)).deadline_day == 25  # read, though
    assert await _stored(conn, site.city) == (25, "community", 1)


async def test_a_save_by_anyone_but_the_citys_admin_says_only_they_change_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    first = SweepSetting(city_code=site.city, deadline_day=10)
    for user in (site.admin, site.supervisor, site.worker):  # none set yet: an insert
        with pytest.raises(NotTheCitysAdmin, match="only an admin of the city"):
            async with acting_as(other, user):
                await save_sweep_setting(other, first)
    await _someone_sets(conn, other, site.city, 25)
    stored = SweepSetting(city_code=site.city, deadline_day=10, version=1)
    for user in (site.admin, site.supervisor, site.worker):  # as stored: an update
        with pytest.raises(NotTheCitysAdmin, match="only an admin of the city"):
            async with acting_as(other, user):
                await save_sweep_setting(other, stored)
    assert await _stored(conn, site.city) == (25, "community", 1)


async def test_a_save_over_a_change_made_meanwhile_says_so(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    city_admin = await new_user(conn, "admin", site.city)
    async with acting_as(other, city_admin):
        read = await sweep_setting(other, site.city)  # the defaults, never stored
    await _someone_sets(conn, other, site.city, 25)  # meanwhile
    with pytest.raises(SettingChanged, match="changed meanwhile"):
        async with acting_as(other, city_admin):
            await save_sweep_setting(other, read.model_copy(update={"deadline_day": 28}))
    async with acting_as(other, city_admin):
        read = await sweep_setting(other, site.city)
        saved = await save_sweep_setting(other, read.model_copy(update={"deadline_day": 28}))
    await _someone_sets(conn, other, site.city, 15)
    with pytest.raises(SettingChanged, match="changed meanwhile"):
        async with acting_as(other, city_admin):
            await save_sweep_setting(other, saved.model_copy(update={"filing_unit": "grid"}))
    assert await _stored(conn, site.city) == (15, "community", 3)


@pytest.mark.parametrize(("typed", "stored"), [("２８", 28), (" ３１ ", 31)])
def test_a_deadline_day_typed_in_full_width_digits_is_read(typed: str, stored: int) -> None:
    assert SweepSetting(city_code="4101", deadline_day=typed).deadline_day == stored  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["0", "32", "", "20日", "-1", "1.5"])
def test_any_other_deadline_day_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="day of the month"):
        SweepSetting(city_code="4101", deadline_day=typed)  # type: ignore[arg-type]
