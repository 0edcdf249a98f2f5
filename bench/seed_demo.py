"""`seed demo --persons N` against a raw COPY of the same rows measured in the same run.

Target (DESIGN.md): 1,000,000 persons in ≤ 60 s.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

import asyncpg

from bench.cluster import bench_dsn, machine
from db.core.migrate import migrate
from db.keys.crypto import DataKey, Keyring
from seeds.demo import PERSON_COLUMNS, fetch_divisions, fetch_grids, person_row, seed_demo
from seeds.population import generate
from seeds.reference import load_reference

TODAY = date(2026, 11, 1)


async def _run(persons: int, seed: int) -> None:
    key = DataKey.generate()
    keys = Keyring([key], key.key_id)
    with bench_dsn() as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
            await load_reference(conn)
            started = time.perf_counter()
            loaded = await seed_demo(conn, keys, persons=persons, seed=seed, today=TODAY)
            seeding = time.perf_counter() - started

            grids, divisions = await fetch_grids(conn), await fetch_divisions(conn)
            started = time.perf_counter()
            rows = [
                person_row(p, keys) for p, _ in generate(persons, seed, grids, divisions, TODAY)
            ]
            generating = time.perf_counter() - started

            await conn.execute("CREATE TABLE person_raw (LIKE person INCLUDING DEFAULTS)")
            started = time.perf_counter()
            await conn.copy_records_to_table("person_raw", records=rows, columns=PERSON_COLUMNS)
            raw_copy = time.perf_counter() - started
        finally:
            await conn.close()
    print(f"machine: {machine()}")
    print(f"persons: {loaded.persons:,}  household members: {loaded.household_members:,}")
    print(f"seed demo (generate + encrypt + COPY 3 tables + indexes): {seeding:.1f} s")
    print(f"  generate + encrypt persons only:                      {generating:.1f} s")
    print(f"  baseline: raw COPY of the same person rows, no index: {raw_copy:.1f} s")
    print(f"  ratio seed / raw COPY: {seeding / raw_copy:.1f}x")
    print(
        f"  target at 1,000,000 persons: <= 60 s; scaled from this run: "
        f"{seeding * 1_000_000 / persons:.0f} s"
    )


def main(persons: int = 100_000, seed: int = 1) -> None:
    asyncio.run(_run(persons, seed))
