"""The duplicate check as the attacker's SQL: one ID per call, audited before it answers.

tx_id_lookup records a lookup (its audit rows) and returns a ticket; tx_id_holder
answers the ticket in a later transaction, once the lookup is committed. Each test
is what a grid worker could type into psql as their own role.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import asyncpg
import pytest

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.idcard import make_id
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, give_identifiers, new_user

HELD = make_id("653101", date(1985, 3, 12), 11)
LOOKED_UP = "SELECT count(*) FROM audit_log WHERE table_name = 'person.registered_where'"


@pytest.fixture
async def grids(conn: asyncpg.Connection) -> list[str]:
    """A grid of the caller, and one in another street of the city holding the person."""
    codes = [c for c in await demo_grid_codes(conn) if c.startswith("4101")]
    far = next(c for c in codes if c[:9] != codes[0][:9])
    return [codes[0], far]


@pytest.fixture
async def prober(conn: asyncpg.Connection, grids: list[str]) -> AppUser:
    return await new_user(conn, "grid_worker", grids[0])


@pytest.fixture
async def held(conn: asyncpg.Connection, keyring: Keyring, grids: list[str]) -> uuid.UUID:
    person = await add_person(conn, grids[1], "买买提·艾力")
    await give_identifiers(conn, keyring, person, HELD, "13812345678")
    return person


def _indexes(keyring: Keyring, number: str = HELD) -> list[bytes]:
    return keyring.blind_indexes("id_number", number)


async def _ticket(other: asyncpg.Connection, user: AppUser, hmacs: list[bytes]) -> uuid.UUID:
    async with acting_as(other, user):
        ticket: uuid.UUID = await other.fetchval("SELECT tx_id_lookup($1::bytea[])", hmacs)
    return ticket


async def test_the_one_call_lookup_is_gone(
    other: asyncpg.Connection, keyring: Keyring, prober: AppUser, held: uuid.UUID
) -> None:
    # V005's form: any number of blind indexes in, uuid and org code out, in one call.
    with pytest.raises(asyncpg.UndefinedFunctionError):
        async with acting_as(other, prober):
            await other.fetch("SELECT * FROM tx_id_holder($1::bytea[])", _indexes(keyring))


async def test_a_lookup_rolled_back_revealed_nothing(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    prober: AppUser,
    held: uuid.UUID,
) -> None:
    # BEGIN; lookup; answer; ROLLBACK — also with the lookup under a savepoint.
    for savepoint in (False, True):
        transaction = other.transaction()
        await transaction.start()
        await other.execute("SELECT set_config('role', $1, true)", prober.pg_role)
        if savepoint:
            await other.execute("SAVEPOINT probe")
        ticket = await other.fetchval("SELECT tx_id_lookup($1::bytea[])", _indexes(keyring))
        if savepoint:
            await other.execute("RELEASE SAVEPOINT probe")
        with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError, match="commit the lookup"):
            await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)
        await transaction.rollback()
        # The ticket went with the rollback: it is never answered.
        with pytest.raises(asyncpg.NoDataFoundError):
            async with acting_as(other, prober):
                await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)
    assert await conn.fetchval(LOOKED_UP) == 0


async def test_an_answered_lookup_stays_in_the_trail_after_a_rollback(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    prober: AppUser,
    held: uuid.UUID,
    grids: list[str],
) -> None:
    ticket = await _ticket(other, prober, _indexes(keyring))
    transaction = other.transaction()
    await transaction.start()
    await other.execute("SELECT set_config('role', $1, true)", prober.pg_role)
    answer = await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)
    await transaction.rollback()
    assert len(answer) == 1
    rows = await conn.fetch(
        "SELECT actor, person_id, org_code, row_id FROM audit_log "
        "WHERE table_name = 'person.registered_where' ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        (prober.pg_role, None, grids[0], ticket),
        (prober.pg_role, held, grids[1], ticket),
    ]


async def test_one_id_number_per_call(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    prober: AppUser,
    held: uuid.UUID,
) -> None:
    thousand = [os.urandom(32) for _ in range(999)] + _indexes(keyring)
    for hmacs in (thousand, [], _indexes(keyring) * 2, [b"short"]):
        with pytest.raises(asyncpg.InvalidParameterValueError, match="one ID number"):
            await _ticket(other, prober, hmacs)
    assert await conn.fetchval(LOOKED_UP) == 0
    # With two keys known (a rotation under way), the number under each of them passes.
    for key_id in ("0000000a", "0000000b"):
        await conn.execute(
            "INSERT INTO data_key_check (key_id, check_value) VALUES ($1, $2)",
            key_id, os.urandom(32),
        )  # fmt: skip
    await _ticket(other, prober, [os.urandom(32), *_indexes(keyring)])
    with pytest.raises(asyncpg.InvalidParameterValueError):
        await _ticket(other, prober, [os.urandom(32), os.urandom(32), *_indexes(keyring)])


async def test_outside_the_scope_only_where_and_whom_to_ask(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    prober: AppUser,
    held: uuid.UUID,
    grids: list[str],
) -> None:
    ticket = await _ticket(other, prober, _indexes(keyring))
    async with acting_as(other, prober):
        answer = await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)
    assert len(answer) == 1
    row = dict(answer[0])
    assert (row["city_code"], row["id"], row["org_code"], row["visible"]) == (
        None, None, None, False,
    )  # fmt: skip
    path = await conn.fetchval(
        "SELECT string_agg(name, ' ' ORDER BY length(code)) FROM org_unit "
        "WHERE code = left($1, length(code)) AND length(code) >= 6",
        grids[1],
    )
    assert row["org_path"] == path
    assert str(held) not in str(row)
    assert grids[1] not in str(row)


async def test_a_ticket_is_answered_once_and_only_to_whom_made_it(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    prober: AppUser,
    held: uuid.UUID,
    grids: list[str],
) -> None:
    ticket = await _ticket(other, prober, _indexes(keyring))
    neighbour = await new_user(conn, "grid_worker", grids[0])
    with pytest.raises(asyncpg.NoDataFoundError):
        async with acting_as(other, neighbour):
            await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)
    async with acting_as(other, prober):
        assert len(await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)) == 1
    with pytest.raises(asyncpg.NoDataFoundError):
        async with acting_as(other, prober):
            await other.fetch("SELECT * FROM tx_id_holder($1)", ticket)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, prober):
            await other.fetch("SELECT * FROM id_lookup")


async def test_the_probers_own_auditor_sees_the_lookup(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    prober: AppUser,
    held: uuid.UUID,
    grids: list[str],
) -> None:
    ticket = await _ticket(other, prober, _indexes(keyring))
    own = await new_user(conn, "auditor", grids[0][:9])  # the prober's street, not the holder's
    async with acting_as(other, own):
        seen = await other.fetch(
            "SELECT actor, action, person_id, org_code, row_id FROM audit_log "
            "WHERE table_name = 'person.registered_where'"
        )
    assert [tuple(r) for r in seen] == [(prober.pg_role, "reveal", None, grids[0], ticket)]
    holders = await new_user(conn, "auditor", grids[1][:9])
    async with acting_as(other, holders):
        seen = await other.fetch(
            "SELECT actor, person_id FROM audit_log WHERE table_name = 'person.registered_where'"
        )
    assert [tuple(r) for r in seen] == [(prober.pg_role, held)]
