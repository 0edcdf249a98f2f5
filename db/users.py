"""App users: each is a PostgreSQL role in the group role of its kind.

Creating and disabling users needs CREATEROLE, so these functions run as the
operator (the owner connection of `tongxin user ...`), never inside the app.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.core.errors import UserError

RoleKind = Literal["grid_worker", "supervisor", "admin", "auditor"]
ROLE_KINDS: tuple[RoleKind, ...] = ("grid_worker", "supervisor", "admin", "auditor")
ROLE_PREFIX = "tx_"
GATEWAY_ROLE = "tongxin_gateway"

_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,47}$")
# The org level a role kind's scope must be: a grid worker works in one grid.
_SCOPE_LEVELS: dict[RoleKind, set[str]] = {
    "grid_worker": {"grid", "community"},
    "supervisor": {"street", "district", "city"},
    "admin": {"city", "district"},
    "auditor": {"city", "district", "street"},
}


class UserProblem(UserError):
    """A user cannot be added, found or changed as asked."""


class AppUser(BaseModel):
    """A user as the app and the CLI see them."""

    model_config = ConfigDict(frozen=True)

    name: str
    pg_role: str
    display_name: str = ""
    role_kind: RoleKind
    org_code: str
    org_name: str
    disabled: bool = False
    created_at: datetime | None = None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def role_name(name: str) -> str:
    return ROLE_PREFIX + name


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserProblem(
            f"user name {name!r}: use 1-48 lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter or '_'"
        )
    return name


async def _org_level(conn: Connection, org_code: str) -> str:
    level = await conn.fetchval("SELECT level FROM org_unit WHERE code = $1", org_code)
    if level is None:
        raise UserProblem(f"--org {org_code}: no such org unit")
    return str(level)


async def add_user(
    conn: Connection, name: str, role_kind: RoleKind, org_code: str, display_name: str = ""
) -> AppUser:
    """Create the role, grant its kind, let the gateway become it, and record the user."""
    check_name(name)
    level = await _org_level(conn, org_code)
    if level not in _SCOPE_LEVELS[role_kind]:
        allowed = ", ".join(sorted(_SCOPE_LEVELS[role_kind]))
        raise UserProblem(f"--org {org_code} is a {level}; a {role_kind} needs a {allowed}")
    if await conn.fetchval("SELECT 1 FROM app_user WHERE name = $1", name):
        raise UserProblem(f"user {name} already exists")
    role = role_name(name)
    async with conn.transaction():
        if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            await conn.execute(f"CREATE ROLE {_quote(role)} LOGIN")
        await conn.execute(f"GRANT tongxin_{role_kind} TO {_quote(role)}")
        await conn.execute(f"GRANT {_quote(role)} TO {GATEWAY_ROLE}")
        # Timeouts and a connection limit: no one user stalls the city (sql/V010).
        await conn.execute("SELECT tx_limit_role($1)", role)
        await conn.execute(
            "INSERT INTO app_user (name, pg_role, display_name, role_kind, org_code) "
            "VALUES ($1, $2, $3, $4, $5)",
            name,
            role,
            display_name,
            role_kind,
            org_code,
        )
    return await get_user(conn, name)


async def get_user(conn: Connection, name: str) -> AppUser:
    row = await conn.fetchrow(_SELECT + " WHERE u.name = $1", name)
    if row is None:
        raise UserProblem(f"user {name}: no such user")
    return AppUser.model_validate(record(row))


async def list_users(conn: Connection) -> list[AppUser]:
    rows = await conn.fetch(_SELECT + " ORDER BY u.org_code, u.name")
    return [AppUser.model_validate(record(r)) for r in rows]


async def disable_user(conn: Connection, name: str) -> AppUser:
    """Keep the user's history; stop them logging in or acting."""
    user = await get_user(conn, name)
    async with conn.transaction():
        await conn.execute(
            "UPDATE app_user SET disabled_at = coalesce(disabled_at, now()) WHERE name = $1", name
        )
        await conn.execute(f"ALTER ROLE {_quote(user.pg_role)} NOLOGIN")
    return await get_user(conn, name)


_SELECT = """
SELECT u.name, u.pg_role, u.display_name, u.role_kind, u.org_code, o.name AS org_name,
       u.disabled_at IS NOT NULL AS disabled, u.created_at
  FROM app_user u JOIN org_unit o ON o.code = u.org_code
"""
