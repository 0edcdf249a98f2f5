"""Whole set-up steps the command line runs: reference data, demo data, first start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from db.core.connect import Connection, connection
from db.core.errors import UserError
from db.core.migrate import migrate
from db.keys.check import ensure_keyring, holdings
from db.keys.crypto import KeyFileError, Keyring, default_key_path, load_keyring
from db.users import RoleKind, add_user
from seeds.reference import SourceLoaded, load_reference

if TYPE_CHECKING:
    from seeds.demo import DemoLoaded
    from seeds.demo_history import HistoryLoaded


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
        loaded = await seed_demo(
            conn, keyring, persons=persons, seed=seed, today=today, progress=progress
        )
        history = await _ensure_history(conn, seed=seed, today=today)
        return replace(loaded, history=history)


async def _ensure_history(conn: Connection, *, seed: int, today: date) -> HistoryLoaded | None:
    """The demo's 36 months of casework over the persons, unless some is stored already."""
    from seeds.demo_history import has_history, seed_history

    if await has_history(conn):
        return None
    return await seed_history(conn, seed=seed, today=today)


# The demo's users, one of each kind, and the length of the org code each is scoped to
# around the first demo grid (grid 14, street 9, district 6, city 4 digits).
DEMO_USERS: tuple[tuple[str, RoleKind, int], ...] = (
    ("demo_grid", "grid_worker", 14),
    ("demo_supervisor", "supervisor", 9),
    ("demo_auditor", "auditor", 6),
    ("demo_admin", "admin", 4),
)
DEMO_USER_NAMES = tuple(name for name, _kind, _scope in DEMO_USERS)


class NotADemoUser(UserError):
    """`tongxin demo --as` named someone who is neither a demo user nor an app user."""


async def ensure_demo_users(conn: Connection) -> list[str]:
    """The fixed demo users around the first demo grid, where absent; their names."""
    grid = await conn.fetchval(
        "SELECT code FROM org_unit WHERE level = 'grid' AND is_demo ORDER BY code LIMIT 1"
    )
    if grid is None:
        return []
    added = []
    for name, kind, scope in DEMO_USERS:
        if not await conn.fetchval("SELECT 1 FROM app_user WHERE name = $1", name):
            await add_user(conn, name, kind, grid[:scope], "演示用户")
            added.append(name)
    return added


async def check_demo_login(conn: Connection, login: str) -> None:
    """Refuse, before anything is made, a login that is neither a demo user nor an
    active app user of this database: the demo makes no user for a name it is given."""
    if login in DEMO_USER_NAMES:
        return
    # A first run has no app_user table yet, and so nobody but the demo users.
    known = await conn.fetchval("SELECT to_regclass('app_user') IS NOT NULL") and (
        await conn.fetchval("SELECT 1 FROM app_user WHERE name = $1 AND disabled_at IS NULL", login)
    )
    if not known:
        raise NotADemoUser(
            f"--as {login}: no such user in the demo; use {', '.join(DEMO_USER_NAMES)}, "
            "or leave --as out to choose"
        )


async def demo_keyring(conn: Connection) -> Keyring:
    """The demo's key file, made only for a database with no persons and no key check:
    a new key for stored persons could neither read nor find them, and an ID already
    registered would register again."""
    path = default_key_path()
    if path.exists():
        return load_keyring(path)
    held = await holdings(conn)
    if held.persons or held.checks:
        sealed = f" sealed with key {held.active_key}" if held.active_key is not None else ""
        raise KeyFileError(
            f"no key file at {path}, but the demo database already holds data{sealed}: "
            "put its key file back there (or point TONGXIN_KEY_FILE at it), "
            "or start afresh with an empty TONGXIN_DATA_DIR"
        )
    return load_keyring(path, create=True)


async def prepare_demo(
    dsn: str,
    *,
    persons: int,
    seed: int,
    today: date,
    login: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Migrate; load reference data, demo users and demo persons where absent. A `login`
    that is no demo user and no app user here is refused first, with nothing done; so is
    a key file that is missing or not this database's, before anything is sealed."""
    async with connection(dsn) as conn:
        if login is not None:
            await check_demo_login(conn, login)
        keyring = await demo_keyring(conn)
        await migrate(conn)
        await ensure_keyring(conn, keyring)
        if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM org_unit)"):
            await load_reference(conn)
        if persons and not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM person)"):
            # Imported only when needed: the generator's name tables are slow to load
            # and a warm start should not pay for them.
            from seeds.demo import seed_demo

            await seed_demo(
                conn, keyring, persons=persons, seed=seed, today=today, progress=progress
            )
        await ensure_demo_users(conn)
        if persons:
            await _ensure_history(conn, seed=seed, today=today)
