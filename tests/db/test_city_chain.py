"""The audit chain of the auditor's city, verified by the database (sql/V016): the same
verdict as `tongxin audit verify` on the same chain, clean or broken, told as counts,
the head and the first broken link only; for auditors and admins of the city."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from db.audit.chain import ChainBroken, verify_chains
from db.audit.city_chain import CityChainReport, verify_city_chain
from db.audit.trail import AccessEvent, record_access
from db.core.session import acting_as
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user
from tests.db.trail_fixtures import as_group


async def _written(conn: asyncpg.Connection, other: asyncpg.Connection) -> str:
    """Two grid workers of two districts register, correct and open persons: a city
    chain of six links. Returns the first grid."""
    grids = await demo_grid_codes(conn)
    here = grids[0]
    there = next(g for g in grids if g[:4] == here[:4] and g[:6] != here[:6])
    for grid in (here, there):
        worker = await new_user(conn, "grid_worker", grid)
        async with acting_as(other, worker):
            person = await add_person(other, grid)
        async with acting_as(other, worker):
            await other.execute("UPDATE person SET notes = '需要翻译' WHERE id = $1", person)
        async with acting_as(other, worker):
            await record_access(other, AccessEvent(
                action="open", purpose="走访前查看", org_code=grid, city_code=grid[:4],
                person_id=person,
            ))  # fmt: skip
    return here


def _as(other: asyncpg.Connection, user: AppUser):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def transaction() -> AsyncIterator[asyncpg.Connection]:
        async with acting_as(other, user) as conn:
            yield conn

    return transaction


async def _city_rows(conn: asyncpg.Connection, city: str) -> list[int]:
    rows = await conn.fetch("SELECT id FROM audit_log WHERE city_code = $1 ORDER BY id", city)
    return [r["id"] for r in rows]


async def _with_guards_off(conn: asyncpg.Connection, *statements: str) -> None:
    """What a superuser can still do: switch the guards off and rewrite the trail."""
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for table in ("audit_log", "audit_seal", "audit_chain"):
            await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for statement in statements:
            await conn.execute(statement)


@pytest.mark.parametrize(("kind", "scope"), [("auditor", 6), ("auditor", 9), ("admin", 4)])
async def test_a_clean_chain_verifies_as_the_operators_check_finds_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, kind: str, scope: int
) -> None:
    grid = await _written(conn, other)
    reader = await new_user(conn, kind, grid[:scope])  # type: ignore[arg-type]
    told: list[tuple[int, int]] = []
    report = await verify_city_chain(
        _as(other, reader), progress=lambda done, links: told.append((done, links)), batch=4
    )
    operators = next(r for r in await verify_chains(conn) if r.chain == grid[:4])
    assert report == CityChainReport(
        chain=grid[:4], links=6, checked=6, head_hash=operators.head_hash, waiting=0
    )
    assert report.anchor == str(operators.anchor)
    assert told == [(4, 6), (6, 6)]  # the links verified after each batch


ATTACKS = [
    ("UPDATE audit_log SET purpose = '核实身份' WHERE id = {row}", "row changed"),
    ("DELETE FROM audit_log WHERE id = {row}", "row deleted"),
    ("DELETE FROM audit_log WHERE id = {row}; DELETE FROM audit_seal WHERE audit_id = {row}",
     "link deleted"),
    ("DELETE FROM audit_log WHERE id = {first}; DELETE FROM audit_seal WHERE audit_id = {first}",
     "first link deleted"),
    ("DELETE FROM audit_log WHERE id = {last}; DELETE FROM audit_seal WHERE audit_id = {last}; "
     "DELETE FROM audit_log WHERE id = {before_last}; "
     "DELETE FROM audit_seal WHERE audit_id = {before_last}", "end cut off (not seen)"),
    ("DELETE FROM audit_log WHERE id = {before_last}; "
     "DELETE FROM audit_seal WHERE audit_id = {before_last}", "link before the last deleted"),
    ("UPDATE audit_seal SET hash = sha256(hash) WHERE audit_id = {row}", "hash rewritten"),
    ("UPDATE audit_log SET city_code = NULL WHERE id = {row}", "moved to no city"),
    ("INSERT INTO audit_log (action, table_name, city_code, org_code) "
     "VALUES ('delete', 'person', '{city}', '{grid}')", "row slipped in"),
    ("INSERT INTO audit_pending VALUES ('{city}', {row} + 1000000)", "deleted before sealed"),
]  # fmt: skip


@pytest.mark.parametrize(("attack", "name"), ATTACKS, ids=[name for _, name in ATTACKS])
async def test_a_broken_chain_is_named_as_the_operators_check_names_it(
    conn: asyncpg.Connection, other: asyncpg.Connection, attack: str, name: str
) -> None:
    grid = await _written(conn, other)
    city = grid[:4]
    rows = await _city_rows(conn, city)
    values = {"first": rows[0], "row": rows[1], "before_last": rows[-2], "last": rows[-1],
              "city": city, "grid": grid}  # fmt: skip
    await _with_guards_off(conn, *attack.format(**values).split("; "))
    auditor = await new_user(conn, "auditor", grid[:6])
    report = await verify_city_chain(_as(other, auditor), batch=2)
    assert (report.problem is None) == name.endswith("(not seen)")
    operators: str | None = None
    try:
        await verify_chains(conn, city)
    except ChainBroken as broken:
        operators = str(broken)
    assert (report.problem.english(city) if report.problem else None) == operators
    if operators is None:
        assert report.checked == 4  # what is left verifies; the head tells it is short


async def test_rows_waiting_to_be_sealed_are_counted_and_left_to_the_next_commit(
    conn: asyncpg.Connection, other: asyncpg.Connection, db_dsn: str
) -> None:
    grid = await _written(conn, other)
    city = grid[:4]
    worker = await new_user(conn, "grid_worker", grid)
    auditor = await new_user(conn, "auditor", grid[:6])
    hold = conn.transaction()
    await hold.start()
    await conn.fetchval("SELECT audit_chain_seal($1)", city)  # the owner holds the chain
    writer = await asyncpg.connect(db_dsn)
    try:
        async with acting_as(writer, worker):
            await add_person(writer, grid)  # its commit skips the busy chain: it waits
        report = await verify_city_chain(_as(other, auditor))
    finally:
        await hold.commit()
        await writer.close()
    assert (report.links, report.checked, report.waiting, report.problem) == (6, 6, 1, None)
    assert await conn.fetchval("SELECT count(*) FROM audit_pending") == 1  # nothing sealed


@pytest.mark.parametrize("kind", ["grid_worker", "supervisor"])
async def test_grid_workers_and_supervisors_may_not_verify(
    conn: asyncpg.Connection, other: asyncpg.Connection, kind: str
) -> None:
    grid = await _written(conn, other)
    user = await new_user(conn, kind, grid if kind == "grid_worker" else grid[:9])  # type: ignore[arg-type]
    for statement in ("SELECT * FROM tx_audit_city_chain()",
                      "SELECT * FROM tx_audit_verify_links(0, 1)",
                      "SELECT * FROM tx_audit_loose_rows()", "SELECT tx_audit_city()"):  # fmt: skip
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            async with acting_as(other, user):
                await other.fetch(statement)


async def test_a_group_role_may_not_verify_and_batches_are_bounded(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid = await _written(conn, other)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="acting as themselves"):
        await as_group(other, "tongxin_auditor", "SELECT * FROM tx_audit_city_chain()")
    auditor = await new_user(conn, "auditor", grid[:6])
    for after, upto in ((-1, 3), (5, 4), (0, 100001)):
        with pytest.raises(asyncpg.InvalidParameterValueError, match="at most 100000"):
            async with acting_as(other, auditor):
                await other.fetch("SELECT * FROM tx_audit_verify_links($1, $2)", after, upto)
