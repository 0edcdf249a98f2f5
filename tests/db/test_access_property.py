"""Property: over random org trees, each role kind sees exactly its subtree's rows.

Each example builds a random tree under a city code no real unit uses, places
persons (with a household member and a consent record each) in random grids,
adds users of every kind at random units, checks what each sees in every
table with personal data, and rolls everything back (roles included).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.users import add_user

CITY = "9901"
KIND_LEVELS = {
    "grid_worker": ("grid", "community"),
    "supervisor": ("street", "district", "city"),
    "admin": ("city", "district"),
    "auditor": ("city", "district", "street"),
}
TABLES = ("person", "household_member", "consent_record")


@dataclass
class Tree:
    units: list[tuple[str, str, str | None]] = field(default_factory=list)  # code, level, parent
    persons: list[str] = field(default_factory=list)  # grid of each person
    users: list[tuple[str, str]] = field(default_factory=list)  # kind, unit code


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    tree = Tree(units=[(CITY, "city", None)])
    for d in range(1, draw(st.integers(1, 3)) + 1):
        district = f"{CITY}{d:02d}"
        tree.units.append((district, "district", CITY))
        for s in range(1, draw(st.integers(1, 2)) + 1):
            street = f"{district}{s:03d}"
            tree.units.append((street, "street", district))
            for c in range(1, draw(st.integers(1, 2)) + 1):
                community = f"{street}{c:03d}"
                tree.units.append((community, "community", street))
                for g in range(1, draw(st.integers(1, 2)) + 1):
                    tree.units.append((f"{community}{g:02d}", "grid", community))
    grids = [code for code, level, _ in tree.units if level == "grid"]
    tree.persons = draw(st.lists(st.sampled_from(grids), min_size=1, max_size=25))
    for kind, levels in KIND_LEVELS.items():
        fitting = [code for code, level, _ in tree.units if level in levels]
        tree.users.append((kind, draw(st.sampled_from(fitting))))
    return tree


async def _check(dsn: str, tree: Tree) -> None:
    conn = await asyncpg.connect(dsn)
    tx = conn.transaction()
    await tx.start()
    try:
        await _build(conn, tree)
        for kind, scope in tree.users:
            user = await add_user(conn, f"p_{kind}_{uuid.uuid4().hex[:8]}", kind, scope)  # type: ignore[arg-type]
            await conn.execute(f'SET ROLE "{user.pg_role}"')
            for table in TABLES:
                seen = {r["org_code"] for r in await conn.fetch(f"SELECT org_code FROM {table}")}
                count = await conn.fetchval(f"SELECT count(*) FROM {table}")
                expected = [g for g in tree.persons if g.startswith(scope)]
                assert seen == set(expected), (kind, scope, table)
                assert count == len(expected), (kind, scope, table)
            await conn.execute("RESET ROLE")
    finally:
        await tx.rollback()
        await conn.close()


async def _build(conn: asyncpg.Connection, tree: Tree) -> None:
    await conn.executemany(
        "INSERT INTO org_unit (code, name, level, parent_code, is_demo) "
        "VALUES ($1, $1, $2, $3, true)",
        tree.units,
    )
    for grid in tree.persons:
        person = uuid.uuid4()
        await conn.execute(
            "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date) "
            "VALUES ($1, $2, $3, '测试', 2, '05', '1988-05-05')",
            CITY, person, grid,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, "
            "sex, birth_date) VALUES ($1, $2, $3, $4, '孩子', 'child', 1, '2016-01-01')",
            CITY, uuid.uuid4(), person, grid,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO consent_record (city_code, id, person_id, org_code, basis, scope, "
            "given_on) VALUES ($1, $2, $3, $4, 'consent', '登记', '2026-01-01')",
            CITY, uuid.uuid4(), person, grid,
        )  # fmt: skip


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=trees())
def test_every_kind_sees_exactly_its_subtree(db_dsn: str, tree: Tree) -> None:
    asyncio.run(_check(db_dsn, tree))
