"""Whole set-up steps the command line runs: reference data, demo data, first start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from db.connect import Connection, connection
from db.crypto import load_keyring
from db.migrate import migrate
from db.users import RoleKind, UserProblem, add_user, check_name
from seeds.reference import SourceLoaded, load_reference

if TYPE_CHECKING:
    from seeds.demo import DemoLoaded


async def load_reference_data(dsn: str | None = None) -> list[SourceLoaded]:
    async with connection(dsn) as conn:
        return await load_reference(conn)


async def load_demo_data(
    *,
    persons: int,
    seed: int,
    today: date,
    dsn: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoLoaded:
    from seeds.demo import seed_demo

    keyring = load_keyring()
    async with connection(dsn) as conn:
        return await seed_demo(
            conn, keyring, persons=persons, seed=seed, today=today, progress=progress
        )


async def ensure_demo_users(conn: Connection, login: str) -> list[str]:
    """One demo user of each kind around the first demo grid, and the OS login user as
    a supervisor of its district, so `tongxin demo` opens on a realistic scope."""
    grid = await conn.fetchval(
        "SELECT code FROM org_unit WHERE level = 'grid' AND is_demo ORDER BY code LIMIT 1"
    )
    if grid is None:
        return []
    wanted: list[tuple[str, RoleKind, str]] = [
        ("demo_grid", "grid_worker", grid),
        ("demo_supervisor", "supervisor", grid[:9]),
        ("demo_auditor", "auditor", grid[:6]),
        ("demo_admin", "admin", grid[:4]),
        (login, "supervisor", grid[:6]),
    ]
    added = []
    for name, kind, org in wanted:
        try:
            check_name(name)
        except UserProblem:
            continue  # an OS login the naming rule does not allow: use --as instead
        if not await conn.fetchval("SELECT 1 FROM app_user WHERE name = $1", name):
            await add_user(conn, name, kind, org, "演示用户")
            added.append(name)
    return added


async def prepare_demo(
    dsn: str,
    *,
    persons: int,
    seed: int,
    today: date,
    login: str,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Migrate; load reference data, demo users and demo persons where absent."""
    keyring = load_keyring()
    async with connection(dsn) as conn:
        await migrate(conn)
        if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM org_unit)"):
            await load_reference(conn)
        if persons and not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM person)"):
            # Imported only when needed: the generator's name tables are slow to load
            # and a warm start should not pay for them.
            from seeds.demo import seed_demo

            await seed_demo(
                conn, keyring, persons=persons, seed=seed, today=today, progress=progress
            )
        await ensure_demo_users(conn, login)
