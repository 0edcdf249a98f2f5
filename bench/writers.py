"""Concurrent writers of one city, with the audit chain and without it.

Target (DESIGN.md): 200 concurrent writers, 0 lost or doubled writes, p99 write ≤ 100 ms.
Each writer is a connection of its own acting as its own grid worker of one city (as
the gateway does); each write is one transaction registering one person through
`db.persons.save.create_person` (the row, its audit row and, with the chain, the audit
row's seal at commit), timed at the client from BEGIN to the end of COMMIT. Each
connection first makes one write that is not timed, as an app session's pooled
connection has long made its first (PL/pgSQL and plan caches are per connection);
`cold` times that first write too. Writers pause between writes, uniformly 0 to
2 × `pause` seconds, as people do. Two databases of the same cluster, one migrated
without the chain (V008), take turns round by round; each round opens its connections.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

import asyncpg

from bench.cluster import bench_dsn, database_dsn, machine
from db.audit.chain import verify_chains
from db.core.migrate import discover, migrate
from db.core.session import acting_as
from db.keys.crypto import DataKey, Keyring
from db.persons.form import PersonInput
from db.persons.save import create_person
from db.users import AppUser, add_user
from seeds.reference import load_reference

CHAIN_MIGRATION = "__audit_chain.sql"
PERSON = PersonInput.model_construct(
    name="马小龙", sex=1, ethnic_code="03", birth_date=date(1990, 1, 1), id_number=None,
    origin_division_code=None, origin_address="", current_address="", occupation="",
    employer="", phone=None, arrival_date=None, residence_permit="none", languages=[],
    interpreter_needed=False, notes="",
)  # fmt: skip


@dataclass(frozen=True)
class Load:
    """How many write, how often, and for how long."""

    writers: int
    writes: int
    pause: float
    rounds: int
    cold: bool


@dataclass
class Side:
    """One database: with the chain or without it, its writers and their timings."""

    label: str
    dsn: str
    chained: bool
    writers: list[tuple[AppUser, str]] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    made: int = 0


async def _prepare(side: Side, writers: int) -> str:
    conn = await asyncpg.connect(side.dsn)
    try:
        files = [f for f in discover() if side.chained or not f.name.endswith(CHAIN_MIGRATION)]
        await migrate(conn, files)
        await load_reference(conn)
        rows = await conn.fetch(
            "SELECT code FROM org_unit WHERE level = 'grid' AND city_code = "
            "(SELECT city_code FROM org_unit WHERE level = 'grid' GROUP BY 1 "
            " ORDER BY count(*) DESC LIMIT 1) ORDER BY code"
        )
        grids = [r["code"] for r in rows]
        for i in range(writers):
            grid = grids[i % len(grids)]
            side.writers.append((await add_user(conn, f"bench_w{i:03}", "grid_worker", grid), grid))
        return f"city {grids[0][:4]}, {len(grids)} grids"
    finally:
        await conn.close()


async def _write(conn: asyncpg.Connection, keys: Keyring, user: AppUser, grid: str) -> float:
    started = time.perf_counter()
    async with acting_as(conn, user):
        await create_person(conn, keys, uuid.uuid4(), grid, PERSON)
    return (time.perf_counter() - started) * 1000


async def _writer(
    dsn: str, keys: Keyring, user: AppUser, grid: str, load: Load, seed: int
) -> list[float]:
    pick = random.Random(seed)
    conn = await asyncpg.connect(dsn)
    try:
        first = await _write(conn, keys, user, grid)
        samples = [first] if load.cold else []
        for _ in range(load.writes):
            await asyncio.sleep(pick.uniform(0, 2 * load.pause))
            samples.append(await _write(conn, keys, user, grid))
    finally:
        await conn.close()
    return samples


async def _round(side: Side, keys: Keyring, load: Load, seed: int) -> None:
    started = time.perf_counter()
    results = await asyncio.gather(
        *(
            _writer(side.dsn, keys, user, grid, load, seed * 1000 + i)
            for i, (user, grid) in enumerate(side.writers)
        )
    )
    side.seconds += time.perf_counter() - started
    side.made += len(side.writers) * (load.writes + 1)
    for samples in results:
        side.latencies_ms += samples


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * fraction) - 1)]


async def _stored(side: Side) -> int:
    conn = await asyncpg.connect(side.dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM person"))
    finally:
        await conn.close()


async def _verified(side: Side) -> str:
    conn = await asyncpg.connect(side.dsn)
    try:
        waiting = await conn.fetchval("SELECT count(*) FROM audit_pending")
        started = time.perf_counter()
        reports = await verify_chains(conn)
        took = time.perf_counter() - started
        # A row sealed by another transaction than its own found its chain busy.
        later, seals = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE s.xmin <> a.xmin), count(DISTINCT s.xmin::text) "
            "FROM audit_seal s JOIN audit_log a ON a.id = s.audit_id"
        )
        chains = "; ".join(f"{r.label}: {r.rows} links" for r in reports)
        return (
            f"{chains} in {seals} seals; {later} rows sealed by a later commit, "
            f"{waiting} still waiting at the end (sealed by verify, {took:.2f} s)"
        )
    finally:
        await conn.close()


def _report(sides: list[Side]) -> None:
    print(f"{'':20} {'writes':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'writes/s':>9}")
    for side in sides:
        t = side.latencies_ms
        print(
            f"{side.label:20} {len(t):7} {statistics.median(t):8.2f} "
            f"{_percentile(t, 0.99):8.2f} {max(t):8.2f} {side.made / side.seconds:9.1f}"
        )
    plain, chained = (s.latencies_ms for s in sides)
    print(
        f"ratio with / without: p50 {statistics.median(chained) / statistics.median(plain):.2f}x,"
        f" p99 {_percentile(chained, 0.99) / _percentile(plain, 0.99):.2f}x"
    )


async def _run(load: Load) -> None:
    key = DataKey.generate()
    keys = Keyring([key], key.key_id)
    with bench_dsn({"max_connections": str(load.writers + 20)}) as dsn:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute("CREATE DATABASE bench_plain")
        finally:
            await admin.close()
        sides = [
            Side("without the chain", database_dsn(dsn, "bench_plain"), chained=False),
            Side("with the chain", dsn, chained=True),
        ]
        for side in sides:
            where = await _prepare(side, load.writers)
        print(f"machine: {machine()}")
        print(
            f"{load.writers} writers in {where}, {load.writes} writes each per round "
            f"({'first write timed' if load.cold else 'after one untimed write'}), "
            f"pause 0-{2 * load.pause:g} s; {load.rounds} rounds per side, alternating"
        )
        for n in range(load.rounds):
            for side in sides:
                await _round(side, keys, load, n)
        _report(sides)
        for side in sides:
            print(f"persons stored {side.label}: {await _stored(side)} of {side.made}")
        print(f"chain: {await _verified(sides[1])}")


def main(
    writers: int = 200, writes: int = 20, pause: float = 0.5, rounds: int = 2, cold: bool = False
) -> None:
    asyncio.run(_run(Load(writers, writes, pause, rounds, cold)))
