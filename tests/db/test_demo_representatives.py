"""The demo's representatives: the same seed and day give the same rows, and the rows
keep the rules: registered ones talk in visits of every state of review, those appointed
by name in contact rows, every talk while they serve, Eid symposiums in their window,
and today's rhythm shows done, due and overdue, read as a grid worker too."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.demo_representatives import RepresentativesLoaded, seed_representatives
from tests.db.access_fixtures import new_user

TODAY = date(2026, 11, 18)
FINGERPRINT = (
    "SELECT (SELECT array_agg((id, person_id, name, appointed_on, retired_on) ORDER BY id)::text "
    "          FROM representative), "
    "       (SELECT array_agg((id, kind, visited_on, status) ORDER BY id)::text FROM visit), "
    "       (SELECT array_agg((id, kind, contacted_on) ORDER BY id)::text "
    "          FROM representative_contact)"
)


@pytest.fixture
async def demo(conn: asyncpg.Connection, keyring: Keyring) -> RepresentativesLoaded:
    await seed_demo(conn, keyring, persons=400, seed=3, today=TODAY)
    return await seed_representatives(conn, seed=3, today=TODAY)


async def _again(conn: asyncpg.Connection, seed: int) -> tuple[object, ...]:
    """The rows a load with `seed` writes, in place of the fixture's (rolled back)."""
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute("DELETE FROM representative_contact")
        await conn.execute("DELETE FROM visit_person")
        await conn.execute("DELETE FROM status_history")
        await conn.execute("DELETE FROM visit")
        await conn.execute("DELETE FROM representative")
        await seed_representatives(conn, seed=seed, today=TODAY)
        return tuple(await conn.fetchrow(FINGERPRINT))
    finally:
        await tx.rollback()


async def test_the_same_seed_gives_the_same_rows_and_another_seed_others(
    conn: asyncpg.Connection, demo: RepresentativesLoaded
) -> None:
    first = tuple(await conn.fetchrow(FINGERPRINT))
    assert await _again(conn, 3) == first
    assert await _again(conn, 4) != first
    assert demo.representatives > 20
    assert 0 < demo.retired < demo.representatives
    assert demo.visits > 1000
    assert demo.contacts > 1000


async def test_the_history_keeps_the_rules(
    conn: asyncpg.Connection, demo: RepresentativesLoaded
) -> None:
    kinds = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE person_id IS NULL) AS named, "
        "       count(*) FILTER (WHERE person_id IS NOT NULL) AS registered FROM representative"
    )
    assert kinds["named"] > 0
    assert kinds["registered"] > 0
    outside = await conn.fetchval(
        """
        SELECT count(*) FROM (
            SELECT v.visited_on AS day, r.appointed_on, r.retired_on
              FROM representative r
              JOIN visit_person vp ON vp.city_code = r.city_code AND vp.person_id = r.person_id
              JOIN visit v ON v.city_code = vp.city_code AND v.id = vp.visit_id
            UNION ALL
            SELECT c.contacted_on, r.appointed_on, r.retired_on
              FROM representative r JOIN representative_contact c
                ON c.city_code = r.city_code AND c.representative_id = r.id
        ) t
        WHERE t.day < t.appointed_on OR t.day > coalesce(t.retired_on, $1)
        """,
        TODAY,
    )
    assert outside == 0
    states = {r[0] for r in await conn.fetch("SELECT DISTINCT status FROM visit")}
    assert states == {"draft", "submitted", "returned", "approved"}
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM visit WHERE status = 'returned' AND btrim(review_comment) = ''"
        )
        == 0
    )
    # A registered representative's talks are visits; only those by name have contact rows.
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM representative_contact c JOIN representative r "
            "ON r.city_code = c.city_code AND r.id = c.representative_id "
            "WHERE r.person_id IS NOT NULL"
        )
        == 0
    )
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM representative r JOIN person p "
            "ON p.city_code = r.city_code AND p.id = r.person_id WHERE p.org_code <> r.org_code"
        )
        == 0
    )
    stray = await conn.fetchval(
        "SELECT count(*) FROM representative_contact c WHERE c.kind = 'festival' AND NOT EXISTS "
        "(SELECT 1 FROM eid_al_adha e WHERE c.contacted_on BETWEEN e.day - 14 AND e.day + 7)"
    )
    assert stray == 0


async def test_todays_rhythm_shows_every_state_and_a_worker_reads_their_grids(
    conn: asyncpg.Connection, other: asyncpg.Connection, demo: RepresentativesLoaded
) -> None:
    rows = await conn.fetch("SELECT * FROM representative_rhythm($1)", TODAY)
    assert {r["state"] for r in rows} == {"done", "due", "overdue"}
    assert {r["phone_state"] for r in rows} >= {"done", "due"}
    grid = await conn.fetchval("SELECT org_code FROM representative ORDER BY id LIMIT 1")
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        seen = [r["id"] for r in await other.fetch("SELECT id FROM representative_rhythm($1)",
                                                   TODAY)]  # fmt: skip
    assert seen
    assert sorted(seen) == sorted(r["id"] for r in rows if r["org_code"] == grid)
