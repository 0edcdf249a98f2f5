"""A signed-off month's statistics stay as they were signed (sql/V022): a late
registration, a departure recorded late, a removed record count in the first open month
after it, at every level from the grid to the city; reopening lets them count in the
month again; a sign-off and a registration in flight do not pass each other. The
counts are read as the plain SQL of the roles that read them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import asyncpg
import pytest

from db import signoff
from db.core.clock import today
from db.core.session import acting_as
from db.persons.save import change_status
from db.signoff import Reopen, SignOff
from db.users import AppUser
from tests.db.kernel_fixtures import Site, make_site
from tests.db.signoff_fixtures import (
    add_approved_sweep,
    add_signer,
    last_ended_month,
    waits_for_a_lock,
)

MONTH = last_ended_month()
IN_MONTH = MONTH + timedelta(days=9)
NEXT = today().replace(day=1)
FIGURES = ("arrived", "returned", "moved_in", "moved_out", "left_city", "registered")


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


@pytest.fixture
async def signer(conn: asyncpg.Connection, site: Site) -> AppUser:
    return await add_signer(conn, site)


def _units(site: Site) -> list[str]:
    return [site.grid, site.grid[:12], site.grid[:9], site.grid[:6], site.grid[:4]]


async def _figures(conn: asyncpg.Connection, units: list[str]) -> dict[tuple[str, date], tuple]:
    rows = await conn.fetch(
        f"SELECT org_code, month, {', '.join(FIGURES)} FROM stats_monthly "
        "WHERE org_code = ANY($1::text[])",
        units,
    )
    return {(r["org_code"], r["month"]): tuple(r[f] for f in FIGURES) for r in rows}


def _at(figures: dict[tuple[str, date], tuple], unit: str, month: date) -> tuple:
    """A unit's figures of a month; none before its first event."""
    return figures.get((unit, month), (0,) * len(FIGURES))


def _until(figures: dict[tuple[str, date], tuple], last: date) -> dict[tuple[str, date], tuple]:
    return {key: value for key, value in figures.items() if key[1] <= last}


async def _register(conn: asyncpg.Connection, grid: str, arrived: date) -> uuid.UUID:
    person = uuid.uuid4()
    await conn.execute(
        "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
        "arrival_date) VALUES ($1, $2, $3, '马晚登', 1, '03', '1990-01-01', $4)",
        grid[:4], person, grid, arrived,
    )  # fmt: skip
    return person


async def _sign(conn: asyncpg.Connection, signer: AppUser, site: Site) -> signoff.MonthState:
    async with acting_as(conn, signer):
        return await signoff.sign_off(conn, SignOff(org_code=site.grid[:12], month=MONTH))


async def _registered_now(conn: asyncpg.Connection, unit: str) -> int:
    return int(await conn.fetchval(
        "SELECT count(*) FROM person WHERE status = 'registered' "
        "AND org_code >= $1 AND org_code < $1 || ':'", unit))  # fmt: skip


async def test_late_changes_to_a_signed_month_count_in_the_next_open_month(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    leaving = await _register(conn, site.grid, MONTH - timedelta(days=3))
    removed = await _register(conn, site.grid, IN_MONTH)
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    await _sign(conn, signer, site)
    signed = await _figures(conn, _units(site))
    before_next = {u: _at(signed, u, NEXT) for u in _units(site)}

    async with acting_as(conn, site.worker):  # a resident of the month registered late
        await _register(conn, site.grid, IN_MONTH)
    async with acting_as(conn, site.supervisor):  # a departure in the month recorded late
        await change_status(conn, site.city, leaving, 1, "left_city", IN_MONTH)
    await conn.execute("DELETE FROM person WHERE id = $1", removed)  # the operator's too

    after = await _figures(conn, _units(site))
    assert _until(after, MONTH) == _until(signed, MONTH)
    for unit in _units(site):
        was = before_next[unit]
        now = after[(unit, NEXT)]
        assert now[FIGURES.index("arrived")] == was[FIGURES.index("arrived")] + 1 - 1, unit
        assert now[FIGURES.index("left_city")] == was[FIGURES.index("left_city")] + 1, unit
        assert now[FIGURES.index("registered")] == await _registered_now(conn, unit), unit


async def test_a_reopened_month_counts_the_changes_that_follow(
    conn: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    state = await _sign(conn, signer, site)
    async with acting_as(conn, site.worker):
        await _register(conn, site.grid, IN_MONTH)
    signed = await _figures(conn, [site.grid[:12]])
    async with acting_as(conn, signer):
        reopen = Reopen(city_code=site.city, id=state.id, version=state.version,
                        reason="补登一名到达人员")  # fmt: skip
        await signoff.reopen(conn, reopen)
    async with acting_as(conn, site.worker):
        await _register(conn, site.grid, IN_MONTH)
    reopened = await _figures(conn, [site.grid[:12]])
    arrived = FIGURES.index("arrived")
    community = site.grid[:12]
    assert _at(reopened, community, MONTH)[arrived] == _at(signed, community, MONTH)[arrived] + 1
    assert _at(reopened, community, NEXT)[arrived] == _at(signed, community, NEXT)[arrived]
    assert _at(reopened, community, NEXT)[-1] == await _registered_now(conn, community)


async def test_a_sign_off_waits_for_a_registration_in_flight_which_counts_in_the_month(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    before = await _figures(conn, [site.grid[:12]])
    async with acting_as(other, site.worker):
        await _register(other, site.grid, IN_MONTH)
        signing = asyncio.ensure_future(_sign(conn, signer, site))
        assert await waits_for_a_lock(other, signing)
    await signing
    after = await _figures(conn, [site.grid[:12]])
    arrived = FIGURES.index("arrived")
    community = site.grid[:12]
    assert _at(after, community, MONTH)[arrived] == _at(before, community, MONTH)[arrived] + 1


async def test_a_registration_after_a_sign_off_in_flight_waits_and_counts_after_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site, signer: AppUser
) -> None:
    await add_approved_sweep(conn, site.grid[:12], MONTH)
    before = await _figures(conn, [site.grid[:12]])
    async with acting_as(other, signer):
        await signoff.sign_off(other, SignOff(org_code=site.grid[:12], month=MONTH))

        async def register() -> uuid.UUID:
            async with acting_as(conn, site.worker):
                return await _register(conn, site.grid, IN_MONTH)

        registering = asyncio.ensure_future(register())
        assert await waits_for_a_lock(other, registering)
    await registering
    after = await _figures(conn, [site.grid[:12]])
    arrived = FIGURES.index("arrived")
    community = site.grid[:12]
    assert _at(after, community, MONTH) == _at(before, community, MONTH)
    assert _at(after, community, NEXT)[arrived] == _at(before, community, NEXT)[arrived] + 1


async def test_each_role_reads_the_counts_of_its_scope_and_nobody_writes_them(
    conn: asyncpg.Connection, site: Site
) -> None:
    await _register(conn, site.grid, IN_MONTH)
    await _register(conn, site.far, IN_MONTH)
    async with acting_as(conn, site.worker):
        seen = {r[0] for r in await conn.fetch("SELECT DISTINCT org_code FROM stats_monthly")}
    assert seen == {site.grid}
    async with acting_as(conn, site.supervisor):
        seen = {r[0] for r in await conn.fetch("SELECT DISTINCT org_code FROM person_month_count")}
    assert site.grid[:9] in seen
    assert all(code.startswith(site.grid[:9]) for code in seen)
    for user in (site.worker, site.supervisor, site.admin):
        for sql in (
            "UPDATE person_month_count SET events = events + 1",
            "DELETE FROM person_month_count",
            "INSERT INTO person_month_count VALUES ($1, $2, $3, 'arrived', 'x', 1)",
        ):
            args = (site.city, site.grid, NEXT) if sql.startswith("INSERT") else ()
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                async with acting_as(conn, user):
                    await conn.execute(sql, *args)


async def test_an_app_role_that_sets_the_bulk_loads_flag_is_counted_as_ever(
    conn: asyncpg.Connection, site: Site
) -> None:
    before = await _figures(conn, [site.grid])
    async with acting_as(conn, site.worker):
        await conn.execute("SELECT set_config('tongxin.counts_deferred', 'on', true)")
        await _register(conn, site.grid, IN_MONTH)
    after = await _figures(conn, [site.grid])
    arrived = FIGURES.index("arrived")
    assert _at(after, site.grid, MONTH)[arrived] == _at(before, site.grid, MONTH)[arrived] + 1
