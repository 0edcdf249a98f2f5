"""The data-quality ledger: persons saved without a 三必清 field, as each role may see them."""

from __future__ import annotations

import asyncpg

from db.core.session import acting_as
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user


async def test_records_missing_three_must_know_fields_are_listed_in_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    far = next(c for c in grids if c[:9] != grids[0][:9])
    complete = await add_person(conn, grids[0], "马完整")
    lacking = await add_person(conn, grids[0], "马缺失")
    elsewhere = await add_person(conn, far, "马别处")
    await conn.execute(
        "UPDATE person SET origin_address = '某村', current_address = '某路', occupation = '务工' "
        "WHERE id = $1",
        complete,
    )
    await conn.execute(
        "UPDATE person SET origin_address = '某村', current_address = '某路' WHERE id = $1",
        lacking,
    )
    worker = await new_user(conn, "grid_worker", grids[0])
    async with acting_as(other, worker):
        rows = await other.fetch(
            "SELECT person_id, name, missing_origin, missing_current_address, missing_occupation "
            "FROM ledger_quality ORDER BY name"
        )
    assert [tuple(r) for r in rows] == [(lacking, "马缺失", False, False, True)]
    admin = await new_user(conn, "admin", grids[0][:4])
    async with acting_as(other, admin):
        seen = {r["person_id"] for r in await other.fetch("SELECT person_id FROM ledger_quality")}
    assert seen == {lacking, elsewhere}
    assert await conn.fetchval(
        "SELECT 'security_invoker=true' = ANY(reloptions) FROM pg_class WHERE relname = $1",
        "ledger_quality",
    )
