"""Set-up for the tests of month sign-off: the last month that has ended, a community's
approved sweep of it, and visits dated in it, all as the operator loads them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import asyncpg

from db import signoff
from db.core.clock import today
from db.users import AppUser, add_user
from tests.db.kernel_fixtures import Site


def last_ended_month() -> date:
    """The first day of the month before this one (in the office's zone)."""
    return signoff.last_ended_month(today())


async def add_approved_sweep(conn: asyncpg.Connection, community: str, month: date) -> uuid.UUID:
    """The community's nil-return sweep of `month`, filed and approved."""
    sweep = uuid.uuid4()
    await conn.execute(
        "INSERT INTO dispute_sweep (city_code, id, org_code, month, nil_return, status) "
        "VALUES ($1, $2, $3, $4, true, 'approved')",
        community[:4], sweep, community, month,
    )  # fmt: skip
    return sweep


async def add_dated_visit(
    conn: asyncpg.Connection,
    grid: str,
    person: uuid.UUID,
    author: str,
    on: date,
    status: str = "approved",
    visit: uuid.UUID | None = None,
) -> uuid.UUID:
    """A home visit of `person` on `on`, written by `author` (a role), in `status`."""
    visit = visit or uuid.uuid4()
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, notes, status, "
        "review_comment, created_by, updated_by) "
        "VALUES ($1, $2, $3, 'home_visit', $4, '了解就业情况', $5, $6, $7, $7)",
        grid[:4], visit, grid, on, status, "请补充地点" if status == "returned" else "", author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "VALUES ($1, $2, $3, $4)",
        grid[:4], visit, person, grid,
    )  # fmt: skip
    return visit


async def add_signer(conn: asyncpg.Connection, site: Site) -> AppUser:
    """A supervisor of the site's street, with a name."""
    return await add_user(conn, f"s_{uuid.uuid4().hex[:8]}", "supervisor", site.grid[:9], "王审核")


async def waits_for_a_lock(conn: asyncpg.Connection, task: asyncio.Future[object]) -> bool:
    """Whether `task` comes to wait for an advisory lock, polled from `conn` (another
    connection's wait shows only in pg_locks), for at most about 5 s."""
    for _ in range(500):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        if waiting:
            return True
        if task.done():
            return False
        await asyncio.sleep(0.01)
    return False
