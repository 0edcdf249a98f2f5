"""Creating and editing persons as a grid worker: duplicates, conflicts, hand-overs."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import ValidationError

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.form import FormContext, PersonForm, PersonInput, load_form_reference
from db.persons.idcard import make_id
from db.persons.save import (
    EditConflict,
    IdTaken,
    change_status,
    create_person,
    hand_over,
    held_elsewhere,
    id_holder,
    load_for_edit,
    update_person,
)
from db.users import AppUser
from tests.db.access_fixtures import demo_grid_codes, new_user

TODAY = date(2026, 11, 24)
ID = make_id("653101", date(1985, 3, 12), 11)


def _form(**changes: str) -> PersonForm:
    values = dict(
        name="买买提·艾力", sex="1", ethnic="05", birth_date="1985-03-12", id_number=ID,
        origin="653101", origin_address="喀什市某街", current_address="金水区经三路1号",
        occupation="烤肉摊主", phone="13812345678", arrival_date="2020-05-01",
    )  # fmt: skip
    values.update(changes)
    return PersonForm(**values)


async def _input(conn: asyncpg.Connection, form: PersonForm, **kept: str | None) -> PersonInput:
    reference = await load_form_reference(conn)
    return PersonInput.from_form(form, FormContext(reference, TODAY, **kept))  # type: ignore[arg-type]


@pytest.fixture
async def grids(conn: asyncpg.Connection) -> list[str]:
    codes = [c for c in await demo_grid_codes(conn) if c.startswith("4101")]
    far = next(c for c in codes if c[:12] != codes[0][:12])
    return [codes[0], codes[1], far]


@pytest.fixture
async def worker(conn: asyncpg.Connection, grids: list[str]) -> AppUser:
    return await new_user(conn, "grid_worker", grids[0])


async def test_create_is_idempotent_and_stores_identifiers_sealed(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    data = await _input(conn, _form())
    person_id = uuid.uuid4()
    async with acting_as(other, worker):
        first = await create_person(other, keyring, person_id, grids[0], data)
    async with acting_as(other, worker):
        again = await create_person(other, keyring, person_id, grids[0], data)
    assert first.version == again.version == 1
    row = await conn.fetchrow("SELECT * FROM person WHERE id = $1", person_id)
    assert await conn.fetchval("SELECT count(*) FROM person WHERE id = $1", person_id) == 1
    assert row["id_number_masked"] == "6531" + "*" * 14
    assert ID.encode() not in row["id_number_enc"]
    assert keyring.decrypt("id_number", row["id_number_enc"]) == ID
    assert row["phone_masked"] == "138****5678"
    assert (row["name_pinyin"], row["name_initials"]) == ("maimaitiaili", "mmtal")
    assert row["created_by"] == worker.pg_role


async def test_same_id_in_own_grid_is_found_not_doubled(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    data = await _input(conn, _form())
    first = uuid.uuid4()
    async with acting_as(other, worker):
        await create_person(other, keyring, first, grids[0], data)
    second = uuid.uuid4()
    found = await held_elsewhere(lambda: acting_as(other, worker), keyring, second, data)
    assert found is not None
    assert (found.city_code, found.id, found.org_code) == (grids[0][:4], first, grids[0])
    assert found.visible
    assert await held_elsewhere(lambda: acting_as(other, worker), keyring, first, data) is None
    # Stored meanwhile, after the check: the city's unique key refuses it, in one line.
    with pytest.raises(IdTaken, match="^id_number: registered meanwhile"):
        async with acting_as(other, worker):
            await create_person(other, keyring, second, grids[0], data)
    assert await conn.fetchval("SELECT count(*) FROM person") == 1


async def test_same_id_in_another_grid_names_whom_to_contact_and_is_logged(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    far_worker = await add_named_worker(conn, grids[2], "艾尔肯")
    data = await _input(conn, _form())
    async with acting_as(other, far_worker):
        held = uuid.uuid4()
        await create_person(other, keyring, held, grids[2], data)
    holder = await held_elsewhere(lambda: acting_as(other, worker), keyring, uuid.uuid4(), data)
    assert holder is not None
    # Only what the message needs: where, and whom to contact.
    assert (holder.city_code, holder.id, holder.org_code, holder.visible) == (
        None, None, None, False,
    )  # fmt: skip
    assert holder.contacts == "艾尔肯"
    grid_name = await conn.fetchval("SELECT name FROM org_unit WHERE code = $1", grids[2])
    assert holder.org_path.endswith(grid_name)
    assert grids[2] not in holder.org_path
    logged = await conn.fetch(
        "SELECT actor, action, person_id, org_code FROM audit_log "
        "WHERE table_name = 'person.registered_where' ORDER BY id"
    )
    assert [tuple(r) for r in logged] == [
        (worker.pg_role, "reveal", None, worker.org_code),
        (worker.pg_role, "reveal", held, grids[2]),
    ]
    async with acting_as(other, worker):
        assert await other.fetchval("SELECT count(*) FROM person") == 0


async def add_named_worker(conn: asyncpg.Connection, grid: str, display: str) -> AppUser:
    user = await new_user(conn, "grid_worker", grid)
    await conn.execute("UPDATE app_user SET display_name = $1 WHERE name = $2", display, user.name)
    return user


async def test_second_save_from_an_old_version_is_a_conflict(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    person_id = uuid.uuid4()
    async with acting_as(other, worker):
        await create_person(other, keyring, person_id, grids[0], await _input(conn, _form()))
        stored, plain = await load_for_edit(other, keyring, grids[0][:4], person_id)
    assert plain == ID
    assert stored.form.id_number == stored.id_masked
    kept = {"kept_id_masked": stored.id_masked, "kept_id_number": plain,
            "kept_phone_masked": stored.phone_masked}  # fmt: skip
    mine = await _input(
        conn, stored.form.model_copy(update={"current_address": "新地址 2 号"}), **kept
    )
    theirs = await _input(conn, stored.form.model_copy(update={"occupation": "餐饮"}), **kept)
    async with acting_as(other, worker):
        assert (
            await update_person(other, keyring, grids[0][:4], person_id, 1, theirs)
        ).version == 2
    with pytest.raises(EditConflict) as conflict:
        async with acting_as(other, worker):
            await update_person(other, keyring, grids[0][:4], person_id, 1, mine)
    assert conflict.value.current.version == 2
    assert conflict.value.current.form.occupation == "餐饮"
    row = await conn.fetchrow("SELECT * FROM person WHERE id = $1", person_id)
    assert (row["current_address"], row["occupation"]) == ("金水区经三路1号", "餐饮")
    assert keyring.decrypt("id_number", row["id_number_enc"]) == ID  # kept, not cleared


async def test_an_edit_draft_from_before_the_new_mask_keeps_the_stored_number(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    person_id = uuid.uuid4()
    async with acting_as(other, worker):
        await create_person(other, keyring, person_id, grids[0], await _input(conn, _form()))
        stored, plain = await load_for_edit(other, keyring, grids[0][:4], person_id)
    kept = {"kept_id_masked": stored.id_masked, "kept_id_number": plain,
            "kept_phone_masked": stored.phone_masked}  # fmt: skip
    drafted = stored.form.model_copy(update={"id_number": ID[:4] + "*" * 10 + ID[-4:]})
    assert (await _input(conn, drafted, **kept)).id_number == ""  # kept, not cleared
    other_old_mask = drafted.model_copy(update={"id_number": ID[:4] + "*" * 10 + "9999"})
    with pytest.raises(ValidationError, match="17 digits"):
        await _input(conn, other_old_mask, **kept)


async def test_hand_over_moves_the_person_to_the_other_grid(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    receiving = await new_user(conn, "grid_worker", grids[2])
    person_id = uuid.uuid4()
    city = grids[0][:4]
    async with acting_as(other, worker):
        await create_person(other, keyring, person_id, grids[0], await _input(conn, _form()))
    with pytest.raises(EditConflict):
        async with acting_as(other, worker):
            await hand_over(other, city, person_id, 7, grids[2], TODAY)
    async with acting_as(other, worker):
        assert await hand_over(other, city, person_id, 1, grids[2], TODAY, "搬家") == 2
    async with acting_as(other, worker):
        assert await other.fetchval("SELECT count(*) FROM person") == 0
        moves = await other.fetch("SELECT from_org, to_org, note FROM person_move")
    assert [tuple(m) for m in moves] == [(grids[0], grids[2], "搬家")]
    async with acting_as(other, receiving):
        assert (
            await other.fetchval("SELECT org_code FROM person WHERE id = $1", person_id) == grids[2]
        )
    # The receiving grid cannot push someone into a grid of another city.
    changzhi = next(c for c in await demo_grid_codes(conn) if c.startswith("1404"))
    with pytest.raises(asyncpg.CheckViolationError):
        async with acting_as(other, receiving):
            await hand_over(other, city, person_id, 2, changzhi, TODAY)


async def test_hand_over_refuses_a_person_outside_the_callers_scope(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    stranger = await new_user(conn, "grid_worker", grids[2])
    person_id = uuid.uuid4()
    async with acting_as(other, worker):
        await create_person(other, keyring, person_id, grids[0], await _input(conn, _form()))
    with pytest.raises(asyncpg.NoDataFoundError):
        async with acting_as(other, stranger):
            await hand_over(other, grids[0][:4], person_id, 1, grids[2], TODAY)
    auditor = await new_user(conn, "auditor", grids[0][:6])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, auditor):
            await hand_over(other, grids[0][:4], person_id, 1, grids[1], TODAY)


async def test_left_the_city_then_returned(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    person_id = uuid.uuid4()
    city = grids[0][:4]
    async with acting_as(other, worker):
        await create_person(other, keyring, person_id, grids[0], await _input(conn, _form()))
        assert await change_status(other, city, person_id, 1, "left_city", TODAY) == 2
    assert await conn.fetchval("SELECT status FROM person WHERE id = $1", person_id) == "left_city"
    async with acting_as(other, worker):
        assert await change_status(other, city, person_id, 2, "registered", TODAY) == 3
    row = await conn.fetchrow(
        "SELECT status, status_changed_on FROM person WHERE id = $1", person_id
    )
    assert tuple(row) == ("registered", TODAY)


async def test_id_holder_finds_nothing_for_an_unregistered_number(
    conn: asyncpg.Connection, other: asyncpg.Connection, keyring: Keyring, worker: AppUser
) -> None:
    assert await id_holder(lambda: acting_as(other, worker), keyring, ID) is None
    logged = await conn.fetch(
        "SELECT actor, person_id, org_code FROM audit_log "
        "WHERE table_name = 'person.registered_where'"
    )
    assert [tuple(r) for r in logged] == [(worker.pg_role, None, worker.org_code)]
