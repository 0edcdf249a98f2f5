"""The audit trail: rows for writes, opens, reveals and exports; append-only for all."""

from __future__ import annotations

import asyncpg
import pytest

from db.audit.trail import AccessEvent, list_entries, record_access
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.identifiers import NotVisible, reveal
from db.persons.records import open_person
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user


@pytest.fixture
async def grid(conn: asyncpg.Connection) -> str:
    return (await demo_grid_codes(conn))[0]


async def test_writes_are_logged_with_who_and_which_columns(
    conn: asyncpg.Connection, other: asyncpg.Connection, grid: str
) -> None:
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        person = await add_person(other, grid)
        await other.execute(
            "UPDATE person SET current_address = '金水路1号', occupation = '拉面馆经营', "
            "version = version + 1 WHERE id = $1",
            person,
        )
    entries = await list_entries(conn, person_id=person)
    assert [e.action for e in entries] == ["update", "insert"]
    assert {e.actor for e in entries} == {worker.pg_role}
    assert entries[0].changes == ["current_address", "occupation"]
    assert entries[0].org_code == grid


async def test_trail_holds_no_personal_values(
    conn: asyncpg.Connection, other: asyncpg.Connection, grid: str
) -> None:
    worker = await new_user(conn, "grid_worker", grid)
    async with acting_as(other, worker):
        person = await add_person(other, grid, "买买提·艾力")
        await other.execute("UPDATE person SET notes = '需要翻译' WHERE id = $1", person)
    dump = await conn.fetchval("SELECT string_agg(audit_log::text, ' ') FROM audit_log")
    assert "买买提" not in dump
    assert "需要翻译" not in dump


async def test_reveal_is_logged_with_purpose_and_refused_out_of_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, keyring: Keyring
) -> None:
    grids = await demo_grid_codes(conn)
    person = await add_person(conn, grids[0])
    await conn.execute(
        "UPDATE person SET id_number_enc = $1, id_number_hmac = $2 WHERE id = $3",
        keyring.encrypt("id_number", "410102199001011234"),
        keyring.blind_index("id_number", "410102199001011234"),
        person,
    )
    worker = await new_user(conn, "grid_worker", grids[0])
    async with acting_as(other, worker):
        shown = await reveal(other, keyring, grids[0][:4], person, "id_number", "核实身份")
    assert shown == "410102199001011234"
    entry = (await list_entries(conn, person_id=person, actor=worker.pg_role))[0]
    assert (entry.action, entry.purpose, entry.table_name) == (
        "reveal",
        "核实身份",
        "person.id_number",
    )
    stranger = await new_user(conn, "grid_worker", grids[1])
    with pytest.raises(NotVisible):
        async with acting_as(other, stranger):
            await reveal(other, keyring, grids[0][:4], person, "id_number", "好奇")
    assert await list_entries(conn, actor=stranger.pg_role) == []


async def test_access_events_need_a_purpose_and_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    person = await add_person(conn, grids[0])
    worker = await new_user(conn, "grid_worker", grids[0])
    async with acting_as(other, worker):
        await record_access(
            other,
            AccessEvent(
                action="open",
                purpose="走访前查看",
                org_code=grids[0],
                city_code=grids[0][:4],
                person_id=person,
            ),
        )
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        async with acting_as(other, worker):
            await record_access(
                other, AccessEvent(action="export", purpose="导出", org_code=grids[1])
            )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await other.execute(
                "INSERT INTO audit_log (action, purpose, org_code) VALUES ('delete', 'x', $1)",
                grids[0],
            )
    actions = [e.action for e in await list_entries(conn, actor=worker.pg_role)]
    assert actions == ["open"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET purpose = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_audit_log_cannot_be_changed_by_any_role(
    conn: asyncpg.Connection, other: asyncpg.Connection, statement: str
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    await add_person(conn, grid)
    users = [
        await new_user(conn, kind, org)
        for kind, org in (
            ("grid_worker", grid),
            ("supervisor", grid[:9]),
            ("auditor", grid[:4]),
            ("admin", grid[:4]),
        )
    ]
    before = await conn.fetchval("SELECT count(*) FROM audit_log")
    assert before > 0
    for user in users:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with acting_as(other, user):
                await other.execute(statement)
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await conn.execute(statement)
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == before


async def test_auditor_reads_the_trail_of_their_subtree_only(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    near, far = grids[0], next(g for g in grids if not g.startswith(grids[0][:6]))
    await add_person(conn, near)
    await add_person(conn, far)
    auditor = await new_user(conn, "auditor", near[:6])
    async with acting_as(other, auditor):
        orgs = {r["org_code"] for r in await other.fetch("SELECT org_code FROM audit_log")}
    # The person's row, and the auditor's own user row (users are audited too).
    assert orgs == {near, near[:6]}
    worker = await new_user(conn, "grid_worker", near)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await other.fetch("SELECT * FROM audit_log")


async def test_opening_a_record_is_logged_and_refused_out_of_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grids = await demo_grid_codes(conn)
    person = await add_person(conn, grids[0], "阿依古丽·吐尔逊")
    worker = await new_user(conn, "grid_worker", grids[0])
    async with acting_as(other, worker):
        detail, household = await open_person(other, grids[0][:4], person)
    assert detail.name == "阿依古丽·吐尔逊"
    assert household == []
    assert [e.action for e in await list_entries(conn, actor=worker.pg_role)] == ["open"]
    stranger = await new_user(conn, "grid_worker", grids[1])
    with pytest.raises(NotVisible):
        async with acting_as(other, stranger):
            await open_person(other, grids[0][:4], person)
    assert await list_entries(conn, actor=stranger.pg_role) == []
