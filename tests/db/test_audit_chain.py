"""The audit trail's hash chains: tampering by the owner is named, and writers never wait."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from db.audit.chain import Anchor, ChainBroken, NoSuchChain, verify_chains
from db.audit.trail import AccessEvent, record_access
from db.core.migrate import discover, migrate
from db.core.session import acting_as
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user


async def _city_rows(conn: asyncpg.Connection, city: str) -> list[int]:
    rows = await conn.fetch("SELECT id FROM audit_log WHERE city_code = $1 ORDER BY id", city)
    return [r["id"] for r in rows]


async def _trail(conn: asyncpg.Connection, other: asyncpg.Connection) -> str:
    """A grid worker registers two persons, corrects one and opens it; the owner logs a
    bulk load (no city). Returns the grid."""
    grid = (await demo_grid_codes(conn))[0]
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        first = await add_person(other, grid)
        await add_person(other, grid, "阿依古丽·吐尔逊")
    async with acting_as(other, worker):
        await other.execute("UPDATE person SET notes = '需要翻译' WHERE id = $1", first)
    async with acting_as(other, worker):
        await record_access(
            other,
            AccessEvent(
                action="open", purpose="走访前查看", org_code=grid, city_code=grid[:4],
                person_id=first,
            ),
        )  # fmt: skip
    await conn.execute(
        "INSERT INTO audit_log (action, table_name, row_count, purpose) "
        "VALUES ('bulk_insert', 'person', 20000, 'demo')"
    )
    return grid


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET purpose = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_a_replica_session_role_skips_no_guard_of_the_trail(
    conn: asyncpg.Connection, statement: str
) -> None:
    await add_person(conn, (await demo_grid_codes(conn))[0])
    before = await conn.fetchval("SELECT count(*) FROM audit_log")
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == before


async def test_normal_writes_verify_clean_one_chain_per_city(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid = await _trail(conn, other)
    reports = {r.chain: r for r in await verify_chains(conn)}
    assert set(reports) == {grid[:4], "-"}
    assert reports[grid[:4]].rows == len(await _city_rows(conn, grid[:4])) == 4
    # Rows of no city: the reference data loaded into the template (national standards).
    no_city = await conn.fetchval("SELECT count(*) FROM audit_log WHERE city_code IS NULL")
    assert reports["-"].rows == no_city > 0
    last = await conn.fetchrow(
        "SELECT seq, hash FROM audit_seal WHERE chain = $1 ORDER BY seq DESC LIMIT 1", grid[:4]
    )
    assert (reports[grid[:4]].head_seq, reports[grid[:4]].head_hash) == (4, last["hash"].hex())
    assert [r.chain for r in await verify_chains(conn, grid[:4])] == [grid[:4]]
    assert await verify_chains(conn, batch=3) == list(reports.values())  # fetched 3 at a time
    with pytest.raises(NoSuchChain, match="--city 9999"):
        await verify_chains(conn, "9999")


async def _as_owner_with_guards_off(conn: asyncpg.Connection, *statements: str) -> None:
    """What a superuser can still do: switch the guards off and rewrite the trail."""
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
        await conn.execute("ALTER TABLE audit_seal DISABLE TRIGGER USER")
        await conn.execute("ALTER TABLE audit_chain DISABLE TRIGGER USER")
        for statement in statements:
            await conn.execute(statement)


async def test_a_rewritten_row_is_named(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid = await _trail(conn, other)
    second = (await _city_rows(conn, grid[:4]))[1]
    await _as_owner_with_guards_off(
        conn, f"UPDATE audit_log SET purpose = '核实身份' WHERE id = {second}"
    )
    with pytest.raises(ChainBroken) as broken:
        await verify_chains(conn)
    assert str(broken.value) == (
        f"audit chain {grid[:4]}, link 2: audit row {second} does not match its hash "
        "(changed after it was sealed)"
    )


async def test_a_deleted_row_is_named_missing(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid = await _trail(conn, other)
    third = (await _city_rows(conn, grid[:4]))[2]
    await _as_owner_with_guards_off(conn, f"DELETE FROM audit_log WHERE id = {third}")
    with pytest.raises(ChainBroken) as broken:
        await verify_chains(conn)
    assert str(broken.value) == (
        f"audit chain {grid[:4]}, link 3: audit row {third} is missing (deleted)"
    )


@pytest.mark.parametrize(
    ("attack", "named"),
    [
        (
            "DELETE FROM audit_log WHERE id = {row}; DELETE FROM audit_seal WHERE audit_id = {row}",
            "audit chain {city}: link 2 is missing (link 1 is followed by link 3)",
        ),
        (
            "DELETE FROM audit_log WHERE id = {first}; "
            "DELETE FROM audit_seal WHERE audit_id = {first}",
            "audit chain {city}: link 1 is missing (the chain starts at link 2)",
        ),
        (
            "UPDATE audit_seal SET hash = sha256(hash) WHERE audit_id = {row}",
            "audit chain {city}, link 2: audit row {row} does not match its hash "
            "(changed after it was sealed)",
        ),
        (
            "UPDATE audit_log SET city_code = NULL WHERE id = {row}",
            "audit chain {city}, link 2: audit row {row} does not match its hash "
            "(changed after it was sealed)",
        ),
        (
            "INSERT INTO audit_log (action, table_name, city_code, org_code) "
            "VALUES ('delete', 'person', '{city}', '{grid}')",
            "audit chain {city}: audit row {new} is in no chain "
            "(written with the chain's triggers off)",
        ),
    ],
    ids=[
        "link deleted",
        "first link deleted",
        "hash rewritten",
        "moved to no city",
        "row slipped in",
    ],
)
async def test_the_owner_cannot_cover_a_change_by_editing_the_chain(
    conn: asyncpg.Connection, other: asyncpg.Connection, attack: str, named: str
) -> None:
    grid = await _trail(conn, other)
    rows = await _city_rows(conn, grid[:4])
    new = await conn.fetchval("SELECT max(id) + 1 FROM audit_log")
    values = {"first": rows[0], "row": rows[1], "city": grid[:4], "grid": grid, "new": new}
    await _as_owner_with_guards_off(conn, *attack.format(**values).split("; "))
    with pytest.raises(ChainBroken) as broken:
        await verify_chains(conn)
    assert str(broken.value) == named.format(**values)


REWRITTEN_WHOLE = (
    "UPDATE audit_log SET purpose = '核实身份' WHERE id = {row}",
    "DELETE FROM audit_seal WHERE chain = '{city}'",
    "INSERT INTO audit_pending SELECT '{city}', id FROM audit_log WHERE city_code = '{city}'",
    "SELECT audit_chain_seal('{city}')",
)
END_CUT_OFF = (
    "DELETE FROM audit_log WHERE id = {last}",
    "DELETE FROM audit_seal WHERE audit_id = {last}",
)


@pytest.mark.parametrize(
    ("attack", "named"),
    [
        (REWRITTEN_WHOLE, "audit chain {city}, link 4: not the hash written down ({short}…): "
                          "the chain was rewritten since"),
        (END_CUT_OFF, "audit chain {city}: link 4 was written down, but the chain ends at "
                      "link 3 (its end was cut off)"),
    ],
    ids=["chain recomputed after a change", "end cut off"],
)  # fmt: skip
async def test_a_head_written_down_proves_what_the_chain_alone_cannot(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    attack: tuple[str, ...],
    named: str,
) -> None:
    grid = await _trail(conn, other)
    city = grid[:4]
    written = next(r for r in await verify_chains(conn) if r.chain == city).anchor
    assert (written.seq, Anchor.parse(str(written))) == (4, written)
    rows = await _city_rows(conn, city)
    values = {"row": rows[1], "last": rows[-1], "city": city}
    await _as_owner_with_guards_off(conn, *(sql.format(**values) for sql in attack))
    assert [r.chain for r in await verify_chains(conn)] == ["-", city]  # consistent again
    with pytest.raises(ChainBroken) as broken:
        await verify_chains(conn, anchors=[written])
    assert str(broken.value) == named.format(city=city, short=written.hash[:12])


async def _write_persons(dsn: str, user: AppUser, grid: str, count: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(count):
            async with acting_as(conn, user):
                await add_person(conn, grid)
    finally:
        await conn.close()


async def test_concurrent_writers_of_one_city_make_one_unbroken_chain(
    conn: asyncpg.Connection, db_dsn: str
) -> None:
    grids = await demo_grid_codes(conn)
    city = grids[0][:4]
    in_city = [g for g in grids if g.startswith(city)][:6]
    writers = [(await new_user(conn, "grid_worker", g), g) for g in in_city]
    await asyncio.gather(*(_write_persons(db_dsn, u, g, 15) for u, g in writers))
    report = next(r for r in await verify_chains(conn) if r.chain == city)
    rows = await _city_rows(conn, city)
    assert report.rows == len(rows) == 15 * len(writers)
    assert report.waiting == 0
    sealed = await conn.fetch("SELECT seq, audit_id FROM audit_seal WHERE chain = $1", city)
    assert sorted(r["seq"] for r in sealed) == list(range(1, len(rows) + 1))
    assert sorted(r["audit_id"] for r in sealed) == rows


async def _city_report(conn: asyncpg.Connection, city: str) -> tuple[int, int]:
    report = next(r for r in await verify_chains(conn) if r.chain == city)
    return report.rows, report.waiting


async def test_a_transaction_holding_the_chain_stalls_no_writer(
    conn: asyncpg.Connection, other: asyncpg.Connection, db_dsn: str
) -> None:
    grids = await demo_grid_codes(conn)
    city = grids[0][:4]
    await add_person(conn, grids[0])
    worker = await new_user(conn, "grid_worker", grids[1])
    hold = other.transaction()
    await hold.start()
    await other.fetchval("SELECT audit_chain_seal($1)", city)  # the owner now holds the chain
    writer = await asyncpg.connect(db_dsn)
    try:
        await writer.execute("SET lock_timeout = '1s'")
        async with acting_as(writer, worker):
            await add_person(writer, grids[1])  # its commit skips the busy chain
        assert await _city_report(conn, city) == (1, 1)
    finally:
        await hold.commit()
        await writer.close()
    assert await _city_report(conn, city) == (2, 0)


async def test_a_user_sealing_immediately_holds_no_chain(
    conn: asyncpg.Connection, other: asyncpg.Connection, db_dsn: str
) -> None:
    grids = await demo_grid_codes(conn)
    city = grids[0][:4]
    await add_person(conn, grids[0])
    attacker = await new_user(conn, "grid_worker", grids[0])
    worker = await new_user(conn, "grid_worker", grids[1])
    hold = other.transaction()
    await hold.start()
    await other.execute("SELECT set_config('role', $1, true)", attacker.pg_role)
    await other.execute("SET CONSTRAINTS ALL IMMEDIATE")
    await add_person(other, grids[0])
    await add_person(other, grids[0])
    writer = await asyncpg.connect(db_dsn)
    try:
        await writer.execute("SET lock_timeout = '1s'")
        async with acting_as(writer, worker):
            await add_person(writer, grids[1])  # sealed at its commit: the chain was free
        assert await conn.fetchval("SELECT max(seq) FROM audit_seal WHERE chain = $1", city) == 2
    finally:
        await hold.commit()
        await writer.close()
    assert await _city_report(conn, city) == (4, 0)


async def test_a_repeatable_read_writer_is_not_failed_by_the_chain(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    city = grids[0][:4]
    await add_person(conn, grids[0])
    worker = await new_user(conn, "grid_worker", grids[1])
    async with other.transaction(isolation="repeatable_read"):
        await other.execute("SELECT set_config('role', $1, true)", worker.pg_role)
        await other.fetchval("SELECT count(*) FROM person")  # its snapshot is taken here
        await add_person(conn, grids[0])  # seals a link after that snapshot
        await add_person(other, grids[1])
    assert await conn.fetchval("SELECT count(*) FROM audit_pending") == 1  # waits for a seal
    assert await _city_report(conn, city) == (3, 0)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM audit_chain FOR UPDATE",
        "SELECT * FROM audit_seal",
        "SELECT audit_chain_seal('4101')",
        "DELETE FROM audit_pending",
    ],
)
async def test_no_app_role_can_lock_or_touch_the_chain(
    conn: asyncpg.Connection, other: asyncpg.Connection, statement: str
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    await add_person(conn, grid)
    for kind, org in (("grid_worker", grid), ("auditor", grid[:4]), ("admin", grid[:4])):
        user = await new_user(conn, kind, org)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with acting_as(other, user):
                await other.execute(statement)


async def test_rows_written_before_the_chain_are_sealed_by_its_migration(
    empty_dsn: str,
) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        before = [f for f in discover() if f.kind == "V" and (f.version or 0) < 8]
        await migrate(conn, before)
        await conn.execute(
            "INSERT INTO audit_log (action, table_name, city_code, org_code) "
            "VALUES ('insert', 'person', '4101', '41010200100101'), "
            "('bulk_insert', 'person', NULL, NULL), ('update', 'person', '4101', '410102001001'), "
            "('insert', 'person', '1404', '140402001001')"
        )
        await migrate(conn)
        reports = {r.chain: r.rows for r in await verify_chains(conn)}
        assert reports == {"-": 1, "1404": 1, "4101": 2}
    finally:
        await conn.close()
