"""Ledgers and statistics as a city supervisor, beside a SELECT 1 and a primary-key fetch.

Targets (DESIGN.md, at 1,000,000 persons): a community's registry, one keyset page,
p95 ≤ 20 ms; city-wide monthly statistics ≤ 300 ms. Times are client-side over the
Unix socket, the role-switching transaction included. The demo load has no visits
and no hand-overs, so before timing the bench adds one visit for every second person
(the last 36 months, in every review state, each with its person) and hands 2 % of the
registered persons over to another grid of their city. Then the export of the city's
registry runs as `tongxin ledger export` in a process of its own, timed, with its
peak memory read from outside.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import asyncpg
import psutil

from bench.cluster import bench_dsn, machine, seeded
from db.core.session import acting_as
from db.keys.crypto import DataKey, Keyring
from db.ledgers.catalogue import LEDGERS
from db.ledgers.reads import count_rows, ledger_page
from db.users import add_user

TODAY = date(2026, 11, 1)
MONTH = date(2026, 10, 1)

_VISITS = """
WITH added AS (
INSERT INTO visit (city_code, id, org_code, kind, visited_on, status, reviewed_by, review_comment,
                   submitted_at, created_by, updated_by)
SELECT p.city_code, gen_random_uuid(), p.org_code,
       (ARRAY['home_visit', 'phone_call', 'face_to_face', 'festival'])[1 + n % 4],
       $1::date - (n % 1095)::int,
       (ARRAY['approved', 'approved', 'approved', 'submitted', 'returned', 'draft'])[1 + n % 6],
       CASE WHEN n % 6 IN (0, 1, 2, 4) THEN 'bench_reviewer' END,
       CASE WHEN n % 6 = 4 THEN '请补充' ELSE '' END,
       CASE WHEN n % 6 <> 5 THEN now() END, 'bench_worker', 'bench_worker'
  FROM (SELECT city_code, id, org_code, row_number() OVER (ORDER BY id) AS n
          FROM person WHERE status = 'registered') p
 WHERE n % 2 = 0
RETURNING 1
)
SELECT count(*) FROM added
"""

_VISIT_PERSONS = """
INSERT INTO visit_person (city_code, visit_id, person_id, org_code)
SELECT v.city_code, v.id, p.id, v.org_code
  FROM visit v
  CROSS JOIN LATERAL (SELECT p.id FROM person p
                       WHERE p.city_code = v.city_code AND p.org_code = v.org_code
                       ORDER BY p.org_code, p.name_pinyin, p.id
                      OFFSET (abs(hashtext(v.id::text)) % 50) LIMIT 1) p
"""

# Every 50th registered person goes to the next demo grid of the city, on a day after
# they arrived.
_MOVES = """
WITH grids AS (
    SELECT code, city_code, row_number() OVER (PARTITION BY city_code ORDER BY code) AS n,
           count(*) OVER (PARTITION BY city_code) AS of
      FROM org_unit WHERE level = 'grid' AND is_demo
), picked AS (
    SELECT p.city_code, p.id, p.org_code, p.arrival_date, g.n, g.of
      FROM (SELECT *, row_number() OVER (ORDER BY id) AS k FROM person
             WHERE status = 'registered' AND arrival_date < $1::date - 30) p
      JOIN grids g ON g.code = p.org_code
     WHERE p.k % 50 = 0
), moved AS (
    INSERT INTO person_move (city_code, person_id, from_org, to_org, moved_on, moved_by)
    SELECT k.city_code, k.id, k.org_code, t.code,
           k.arrival_date + ((($1::date - k.arrival_date) * (abs(hashtext(k.id::text)) % 100))
                             / 100 + 1)::int, 'bench'
      FROM picked k JOIN grids t ON t.city_code = k.city_code AND t.n = k.n % k.of + 1
    RETURNING city_code, person_id, to_org, moved_on
)
UPDATE person p SET org_code = m.to_org, status_changed_on = m.moved_on
  FROM moved m WHERE p.city_code = m.city_code AND p.id = m.person_id
"""


async def _casework(owner: asyncpg.Connection) -> tuple[int, int]:
    async with owner.transaction():
        await owner.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        visits = int(await owner.fetchval(_VISITS, TODAY))
        await owner.execute(_VISIT_PERSONS)
    moved = await owner.execute(_MOVES, TODAY)
    await owner.execute("VACUUM ANALYZE")
    return visits, int(moved.split()[-1])


async def _timed(run: Callable[[], Awaitable[object]], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def _export(dsn: str, city: str, kind: str) -> tuple[float, float, int]:
    """`tongxin ledger export registry` of the city: seconds, peak RSS in MB, file size."""
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-export-") as tmp:
        target = Path(tmp) / f"registry.{kind}"
        command = [sys.executable, "-m", "tui.cli", "ledger", "export", "registry", "--org", city,
                   "--format", kind, "-o", str(target), "--purpose", "bench"]  # fmt: skip
        started = time.perf_counter()
        child = psutil.Popen(command, env={**os.environ, "TONGXIN_DSN": dsn},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        peak = 0
        while child.poll() is None:
            try:
                peak = max(peak, child.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        if child.returncode != 0:
            raise RuntimeError(f"export failed with exit {child.returncode}")
        return seconds, peak / 2**20, target.stat().st_size


async def _run(persons: int) -> None:
    key = DataKey.generate()
    keys = Keyring([key], key.key_id)
    with bench_dsn() as dsn:
        owner = await asyncpg.connect(dsn)
        conn = await asyncpg.connect(dsn)
        try:
            await seeded(owner, keys, persons, TODAY)
            visits, moved = await _casework(owner)
            city = await owner.fetchval(
                "SELECT city_code FROM person GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
            in_city = await owner.fetchval("SELECT count(*) FROM person WHERE city_code = $1", city)
            community = await owner.fetchval(
                "SELECT left(org_code, 12) FROM person WHERE status = 'registered' "
                "AND city_code = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
                city,
            )
            supervisor = await add_user(owner, "bench_city", "supervisor", city)
            person = await owner.fetchrow("SELECT city_code, id FROM person LIMIT 1")
            print(f"machine: {machine()}")
            print(f"persons: {persons:,}; city {city}: {in_city:,}; visits {visits:,}; "
                  f"handed over {moved:,}; community {community}")  # fmt: skip

            def as_city(work: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
                async def run() -> object:
                    async with acting_as(conn, supervisor):
                        return await work()

                return run

            async def deep_key() -> list[object]:
                after = None
                for _ in range(20):
                    page = await ledger_page(conn, "registry", community, None, after)
                    after = page.after
                assert after is not None
                return after

            async with acting_as(conn, supervisor):
                after = await deep_key()
            cases: list[tuple[str, Callable[[], Awaitable[object]], int]] = [
                ("SELECT 1", lambda: conn.fetchval("SELECT 1"), 200),
                ("person by primary key", lambda: conn.fetchrow(
                    "SELECT * FROM person WHERE city_code = $1 AND id = $2", *person), 200),
                ("registry, community, first page",
                 lambda: ledger_page(conn, "registry", community, None), 200),
                ("registry, community, 21st page",
                 lambda: ledger_page(conn, "registry", community, None, after), 200),
            ]  # fmt: skip
            for name, ledger in LEDGERS.items():
                if ledger.numbered:
                    cases.append(
                        (
                            f"{name}, city, all rows counted",
                            lambda ledger=ledger: count_rows(conn, ledger, city, None),
                            5,
                        )
                    )  # type: ignore[misc]
                else:
                    cases.append(
                        (
                            f"{name}, city",
                            lambda name=name: ledger_page(conn, name, city, None, limit=10_000),
                            5,
                        )
                    )  # type: ignore[misc]
                if ledger.by_month:
                    cases.append(
                        (
                            f"{name}, city, {MONTH:%Y-%m}",
                            lambda name=name: ledger_page(conn, name, city, MONTH, limit=10_000),
                            5,
                        )
                    )  # type: ignore[misc]
            # fmt: skip
            print(f"{'query (city supervisor, RLS)':42} {'p50 ms':>10} {'p95 ms':>10} runs")
            for label, work, runs in cases:
                p50, p95 = await _timed(as_city(work), runs)
                print(f"{label:42} {p50:10.2f} {p95:10.2f} {runs:4}")
        finally:
            await owner.close()
            await conn.close()
        for kind in ("xlsx", "csv"):
            seconds, peak, size = _export(dsn, str(city), kind)
            print(f"export registry of {city} ({in_city:,} persons) as {kind}: {seconds:.1f} s, "
                  f"peak RSS {peak:.0f} MB, {size / 2**20:.0f} MB file")  # fmt: skip


def main(persons: int = 100_000) -> None:
    asyncio.run(_run(persons))
