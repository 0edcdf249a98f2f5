"""A person's trail on the record (sql/V016): supervisors, auditors and admins who may see
the person read its whole trail, one person at a time, and their reading is recorded;
grid workers, group roles and readers outside the person's scope get nothing of it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import pytest

from db.audit.entries import TrailEntry
from db.audit.person_trail import person_trail
from db.audit.trail import AccessEvent, record_access
from db.core.session import acting_as
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user
from tests.db.trail_fixtures import as_group

TRAIL_VIEW = "查看留痕 / viewing who saw and changed the record"


async def _two_streets(conn: asyncpg.Connection) -> tuple[str, str]:
    """A grid, and a grid of another street of the same district."""
    grids = await demo_grid_codes(conn)
    other = next(g for g in grids if g[:6] == grids[0][:6] and g[:9] != grids[0][:9])
    return grids[0], other


async def _worked_on(conn: asyncpg.Connection, other: asyncpg.Connection, grid: str) -> uuid.UUID:
    """A grid worker registers a person, corrects two fields, opens the record and shows
    the full ID number: four rows of the person's trail, oldest first."""
    worker = await new_user(conn, "grid_worker", grid)
    await conn.execute("UPDATE app_user SET display_name = '张网格' WHERE name = $1", worker.name)
    async with acting_as(other, worker):
        person = await add_person(other, grid, "买买提·艾力")
    async with acting_as(other, worker):
        await other.execute(
            "UPDATE person SET current_address = '金水路1号', occupation = '拉面馆经营' "
            "WHERE id = $1",
            person,
        )
    for action, table, purpose in (("open", "person", "查看档案 / viewing the record"),
                                   ("reveal", "person.id_number", "核实身份")):  # fmt: skip
        async with acting_as(other, worker):
            await record_access(other, AccessEvent(
                action=action, purpose=purpose, org_code=grid, city_code=grid[:4],
                person_id=person, table_name=table,
            ))  # fmt: skip
    return person


def _said(entries: list[TrailEntry]) -> list[tuple[str, str | None, str, str | None]]:
    return [(e.action, e.table_name, e.actor_name, e.purpose) for e in entries]


@pytest.mark.parametrize(("kind", "scope"), [("supervisor", 9), ("auditor", 6), ("admin", 4)])
async def test_a_reader_who_sees_the_person_reads_the_whole_trail_newest_first(
    conn: asyncpg.Connection, other: asyncpg.Connection, kind: str, scope: int
) -> None:
    grid, _ = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    reader = await new_user(conn, kind, grid[:scope])  # type: ignore[arg-type]
    async with acting_as(other, reader):
        page = await person_trail(other, grid[:4], person)
    assert not page.more
    assert _said(page.entries) == [
        ("open", "audit_log", reader.name, TRAIL_VIEW),  # this reading, recorded first
        ("reveal", "person.id_number", "张网格", "核实身份"),
        ("open", "person", "张网格", "查看档案 / viewing the record"),
        ("update", "person", "张网格", None),
        ("insert", "person", "张网格", None),
    ]
    assert page.entries[0].actor_kind == kind
    assert {e.actor_kind for e in page.entries[1:]} == {"grid_worker"}
    # Which columns changed, never what they hold.
    assert page.entries[3].changes == ["current_address", "occupation"]
    assert "金水路" not in repr(page)


async def test_a_trail_is_paged_by_keys_without_a_row_twice(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid, _ = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    supervisor = await new_user(conn, "supervisor", grid[:9])
    async with acting_as(other, supervisor):
        whole = (await person_trail(other, grid[:4], person)).entries
    seen, key = [], None
    while True:
        async with acting_as(other, supervisor):
            page = await person_trail(other, grid[:4], person, older_than=key, limit=2)
        seen += page.entries
        if not page.more:
            break
        key = page.entries[-1].key
    assert [e.id for e in seen] == [e.id for e in whole]
    assert len(seen) == 5


async def _views(conn: asyncpg.Connection, reader: AppUser, person: uuid.UUID) -> int:
    return int(await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE actor = $1 AND person_id = $2 "
        "AND action = 'open' AND table_name = 'audit_log'", reader.pg_role, person,
    ))  # fmt: skip


async def test_reading_a_trail_is_recorded_once_in_ten_minutes_under_the_persons_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid, _ = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    supervisor = await new_user(conn, "supervisor", grid[:9])
    for _ in range(3):  # paging through it, in plain SQL too
        async with acting_as(other, supervisor):
            await other.fetch("SELECT * FROM tx_person_trail($1, $2)", grid[:4], person)
    assert await _views(conn, supervisor, person) == 1
    view = await conn.fetchrow(
        "SELECT org_code, city_code, purpose FROM audit_log WHERE actor = $1 AND person_id = $2",
        supervisor.pg_role, person,
    )  # fmt: skip
    assert dict(view) == {"org_code": grid, "city_code": grid[:4], "purpose": TRAIL_VIEW}
    # Ten minutes on, the next reading is recorded again.
    await conn.execute(
        "INSERT INTO audit_log (at, actor, action, table_name, city_code, person_id, org_code, "
        "purpose) VALUES (clock_timestamp() - $4::interval, $1, 'open', 'audit_log', $2, $3, "
        "$5, $6)", supervisor.pg_role, grid[:4], person, timedelta(minutes=11), grid, TRAIL_VIEW,
    )  # fmt: skip
    other_supervisor = await new_user(conn, "supervisor", grid[:9])
    async with acting_as(other, other_supervisor):
        await person_trail(other, grid[:4], person)
    assert await _views(conn, other_supervisor, person) == 1  # each reader's own look
    assert await _views(conn, supervisor, person) == 2


async def test_after_a_hand_over_the_new_supervisor_reads_what_the_old_grid_wrote(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid, elsewhere = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    await conn.execute("UPDATE person SET org_code = $1 WHERE id = $2", elsewhere, person)
    new_supervisor = await new_user(conn, "supervisor", elsewhere[:9])
    async with acting_as(other, new_supervisor):
        page = await person_trail(other, grid[:4], person)
    assert [e.action for e in page.entries] == ["open", "update", "reveal", "open", "update",
                                                "insert"]  # fmt: skip
    old_supervisor = await new_user(conn, "supervisor", grid[:9])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="not found in your scope"):
        async with acting_as(other, old_supervisor):
            await person_trail(other, grid[:4], person)


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM tx_person_trail($1, $2)",
        "SELECT count(*) FROM audit_log WHERE city_code = $1 AND person_id = $2",
    ],
    ids=["the function", "audit_log"],
)
async def test_a_grid_worker_gets_nothing_of_the_trail_in_plain_sql(
    conn: asyncpg.Connection, other: asyncpg.Connection, statement: str
) -> None:
    grid, _ = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    worker = await new_user(conn, "grid_worker", grid)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, worker):
            await other.fetch(statement, grid[:4], person)


async def test_a_supervisor_reads_no_audit_log_but_the_one_persons_trail(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid, _ = await _two_streets(conn)
    await _worked_on(conn, other, grid)
    supervisor = await new_user(conn, "supervisor", grid[:9])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, supervisor):
            await other.fetch("SELECT * FROM audit_log")


async def test_readers_outside_the_persons_scope_and_group_roles_are_refused(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid, elsewhere = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    for kind, org in (("supervisor", elsewhere[:9]), ("auditor", elsewhere[:9])):
        reader = await new_user(conn, kind, org)  # type: ignore[arg-type]
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="not found in your scope"):
            async with acting_as(other, reader):
                await person_trail(other, grid[:4], person)
    for group in ("tongxin_supervisor", "tongxin_auditor"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="acting as themselves"):
            await as_group(other, group, "SELECT * FROM tx_person_trail($1, $2)", grid[:4], person)
    assert (
        await conn.fetchval("SELECT count(*) FROM audit_log WHERE table_name = 'audit_log'") == 0
    )  # nobody refused left a reading behind


async def test_a_page_asks_for_1_to_200_rows(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid, _ = await _two_streets(conn)
    person = await _worked_on(conn, other, grid)
    supervisor = await new_user(conn, "supervisor", grid[:9])
    for limit in (0, 201):
        with pytest.raises(asyncpg.InvalidParameterValueError, match="1 to 200 rows"):
            async with acting_as(other, supervisor):
                await other.fetch(
                    "SELECT * FROM tx_person_trail($1, $2, NULL, NULL, $3)", grid[:4], person, limit
                )
