"""Whole set-up steps the command line runs: reference data, demo data, first start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from db.connect import connection
from db.crypto import load_keyring
from db.migrate import migrate
from seeds.demo import DemoLoaded, seed_demo
from seeds.reference import SourceLoaded, load_reference


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
    keyring = load_keyring()
    async with connection(dsn) as conn:
        return await seed_demo(
            conn, keyring, persons=persons, seed=seed, today=today, progress=progress
        )


async def prepare_demo(
    dsn: str,
    *,
    persons: int,
    seed: int,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Migrate; load reference data if absent; load demo persons if there are none."""
    keyring = load_keyring()
    async with connection(dsn) as conn:
        await migrate(conn)
        if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM org_unit)"):
            await load_reference(conn)
        if persons and not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM person)"):
            await seed_demo(
                conn, keyring, persons=persons, seed=seed, today=today, progress=progress
            )
