"""Helpers for the tests of the trail: acting as a group role rather than an app user."""

from __future__ import annotations

import asyncpg


async def as_group(conn: asyncpg.Connection, group: str, sql: str, *args: object) -> None:
    """Run `sql` as a group role (SET ROLE tongxin_supervisor), not as an app user."""
    async with conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {group}")
        await conn.fetch(sql, *args)
