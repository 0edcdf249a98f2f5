"""Person lookups and registry pages as a district supervisor, against the owner without RLS.

Targets (DESIGN.md, at 1,000,000 persons): lookup by ID / name / pinyin initials
in a district p95 ≤ 10 ms; one keyset page of a community's registry p95 ≤ 20 ms.
Times are measured at the client over the Unix socket (they include the round trip).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date

import asyncpg

from bench.cluster import bench_dsn, machine, seeded
from db.core.session import acting_as
from db.keys.crypto import DataKey, Keyring
from db.persons.models import PersonSearch
from db.persons.search import list_page
from db.users import add_user

TODAY = date(2026, 11, 1)
RUNS = 200


async def _timed(run: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def _cases(conn: asyncpg.Connection, keys: Keyring, district: str) -> dict[str, PersonSearch]:
    rows = await conn.fetch(
        "SELECT id_number_enc, name, name_pinyin, name_initials FROM person "
        "WHERE org_code >= $1 AND org_code < $1 || ':' ORDER BY id LIMIT 500",
        district,
    )
    pick = random.Random(1).choice
    row = pick(rows)
    community = await conn.fetchval(
        "SELECT left(org_code, 12) FROM person WHERE org_code >= $1 AND org_code < $1 || ':' "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        district,
    )
    return {
        "ID number (blind index)": PersonSearch(
            text=keys.decrypt("id_number", row["id_number_enc"]), scope=district
        ),
        "part of a name": PersonSearch(text=row["name"][1:3] or row["name"], scope=district),
        # 马, the demo's commonest surname: alone it fills a page at once; followed
        # by a character no name has, the search walks all its occurrences for nothing.
        "common character (马)": PersonSearch(text="马", scope=district),
        "name part, no match (马鬼)": PersonSearch(text="马鬼", scope=district),
        "pinyin initials": PersonSearch(text=row["name_initials"][:3], scope=district),
        "reading prefix": PersonSearch(text=row["name_pinyin"][:5], scope=district),
        "single letter (m)": PersonSearch(text="m", scope=district),
        "initials, no match (mqz)": PersonSearch(text="mqz", scope=district),
        "community registry, first page": PersonSearch(scope=community),
    }


async def _run(persons: int) -> None:
    key = DataKey.generate()
    keys = Keyring([key], key.key_id)
    with bench_dsn() as dsn:
        owner = await asyncpg.connect(dsn)
        as_user = await asyncpg.connect(dsn)
        try:
            await seeded(owner, keys, persons, TODAY)
            district = await owner.fetchval(
                "SELECT left(org_code, 6) FROM person GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
            in_district = await owner.fetchval(
                "SELECT count(*) FROM person WHERE org_code >= $1 AND org_code < $1 || ':'",
                district,
            )
            user = await add_user(owner, "bench_supervisor", "supervisor", district)
            print(f"machine: {machine()}")
            print(f"persons: {persons:,}; district {district}: {in_district:,}")
            cases = await _cases(owner, keys, district)
            texts = [f"{k}: {s.text}" for k, s in cases.items() if s.kind in ("name", "initials")]
            print("searched for: " + "; ".join(texts))
            print(f"{'query':34} {'supervisor p50/p95 ms':>22} {'owner, no RLS p50/p95':>22}")
            for label, search in cases.items():

                async def as_supervisor(search: PersonSearch = search) -> object:
                    async with acting_as(as_user, user):
                        return await list_page(as_user, search, keyring=keys, limit=50)

                async def as_owner(search: PersonSearch = search) -> object:
                    return await list_page(owner, search, keyring=keys, limit=50)

                p50, p95 = await _timed(as_supervisor)
                b50, b95 = await _timed(as_owner)
                print(f"{label:34} {p50:10.2f} / {p95:8.2f}   {b50:10.2f} / {b95:8.2f}")
        finally:
            await owner.close()
            await as_user.close()


def main(persons: int = 100_000) -> None:
    asyncio.run(_run(persons))
