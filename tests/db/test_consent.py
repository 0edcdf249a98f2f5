"""The legal basis of a person: stored with the registration, recorded and withdrawn
later, and only by grid workers for persons of their own grid (tested as their role)."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import ValidationError

from db.core.problems import problems_of
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.consent import (
    REGISTRATION_SCOPE,
    ConsentProblem,
    ConsentRecord,
    LegalBasis,
    LegalBasisForm,
    consents_of,
    current_basis,
    record_consent,
    registration_consent,
    withdraw_consent,
)
from db.persons.form import FormContext, PersonForm, PersonInput, load_form_reference
from db.persons.idcard import make_id
from db.persons.save import create_person
from db.users import AppUser
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user

TODAY = date(2026, 11, 24)


@pytest.fixture
async def grids(conn: asyncpg.Connection) -> list[str]:
    """The worker's grid and a neighbouring one of the same community."""
    codes = [c for c in await demo_grid_codes(conn) if c.startswith("4101")]
    return codes[:2]


@pytest.fixture
async def worker(conn: asyncpg.Connection, grids: list[str]) -> AppUser:
    return await new_user(conn, "grid_worker", grids[0])


def _consent(person: uuid.UUID, org_code: str, given_on: date = date(2026, 3, 1)) -> ConsentRecord:
    return ConsentRecord(
        city_code=org_code[:4], person_id=person, org_code=org_code, basis="consent",
        scope=REGISTRATION_SCOPE, given_on=given_on,
    )  # fmt: skip


async def test_a_registration_stores_the_person_with_its_legal_basis_once(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    worker: AppUser,
    grids: list[str],
) -> None:
    reference = await load_form_reference(conn)
    number = make_id("653101", date(1985, 3, 12), 11)
    form = PersonForm(name="买买提·艾力", sex="1", ethnic="05", birth_date="1985-03-12",
                      id_number=number)  # fmt: skip
    data = PersonInput.from_form(form, FormContext(reference, TODAY))
    basis = LegalBasis.from_form(LegalBasisForm(basis="consent", given_on="2026-11-20"), TODAY)
    person = uuid.uuid4()
    for _attempt in range(2):  # the second is a retry after a lost reply
        async with acting_as(other, worker):
            saved = await create_person(other, keyring, person, grids[0], data)
            consent = registration_consent(grids[0][:4], person, grids[0], basis)
            await record_consent(other, consent)
    assert saved.version == 1
    rows = await conn.fetch("SELECT * FROM consent_record WHERE person_id = $1", person)
    assert [(r["basis"], r["given_on"], r["org_code"], r["recorded_by"]) for r in rows] == [
        ("consent", date(2026, 11, 20), grids[0], worker.pg_role)
    ]


def test_the_legal_basis_boxes_are_checked_together() -> None:
    with pytest.raises(ValidationError) as raised:
        LegalBasis.from_form(LegalBasisForm(), TODAY)
    assert [(p.field, p.msgid) for p in problems_of(raised.value)] == [("basis", "required")]
    with pytest.raises(ValidationError) as raised:
        LegalBasis.from_form(LegalBasisForm(basis="consent"), TODAY)
    assert [p.field for p in problems_of(raised.value)] == ["given_on"]
    with pytest.raises(ValidationError) as raised:
        LegalBasis.from_form(LegalBasisForm(basis="", given_on="2027-01-01"), TODAY)
    assert [p.field for p in problems_of(raised.value)] == ["basis", "given_on"]
    duty = LegalBasis.from_form(LegalBasisForm(basis="statutory_duty"), TODAY)
    assert (duty.basis, duty.given_on) == ("statutory_duty", TODAY)


async def test_recording_returns_the_record_it_stored(
    conn: asyncpg.Connection, grids: list[str]
) -> None:
    # Two records of one transaction share created_at; the one asked for comes back.
    person = await add_person(conn, grids[0])
    later = _consent(person, grids[0]).model_copy(update={"id": uuid.UUID(int=2)})
    first = _consent(person, grids[0]).model_copy(
        update={"id": uuid.UUID(int=1), "basis": "statutory_duty"}
    )
    async with conn.transaction():
        await record_consent(conn, later)
        stored = await record_consent(conn, first)
    assert (stored.id, stored.basis) == (first.id, "statutory_duty")


async def test_a_withdrawal_keeps_its_date_and_note_and_ends_the_basis(
    conn: asyncpg.Connection, other: asyncpg.Connection, worker: AppUser, grids: list[str]
) -> None:
    person = await add_person(conn, grids[0])
    async with acting_as(other, worker):
        consent = await record_consent(other, _consent(person, grids[0]))
        assert current_basis(await consents_of(other, grids[0][:4], person)) == consent
        withdrawn = await withdraw_consent(
            other, grids[0][:4], consent.id, date(2026, 6, 1), "本人电话撤回"
        )
        assert current_basis(await consents_of(other, grids[0][:4], person)) is None
    assert (withdrawn.withdrawn_on, withdrawn.withdrawal_note) == (date(2026, 6, 1), "本人电话撤回")
    assert withdrawn.note == ""


async def test_a_grid_worker_records_consent_only_for_persons_of_their_grid(
    conn: asyncpg.Connection, other: asyncpg.Connection, worker: AppUser, grids: list[str]
) -> None:
    neighbour = await add_person(conn, grids[1])
    theirs = _consent(neighbour, grids[1])
    await record_consent(conn, theirs)  # recorded by the neighbouring grid (here the owner)
    # In the neighbour's grid, as the database's row-level security sees it.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await record_consent(other, _consent(neighbour, grids[1]))
    # Labelled with the worker's own grid, about someone they cannot see.
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await other.execute(
                "INSERT INTO consent_record (city_code, id, person_id, org_code, basis, scope, "
                "given_on) VALUES ($1, gen_random_uuid(), $2, $3, 'consent', '登记', "
                "'2026-01-01')",
                grids[0][:4], neighbour, grids[0],
            )  # fmt: skip
    async with acting_as(other, worker):
        assert await consents_of(other, grids[1][:4], neighbour) == []
        with pytest.raises(ConsentProblem):
            await withdraw_consent(other, grids[1][:4], theirs.id, date(2026, 6, 1))
    # A record's grid is its person's; no app role may set it.
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        async with acting_as(other, worker):
            await other.execute(
                "UPDATE consent_record SET org_code = $1 WHERE id = $2", grids[0], theirs.id
            )
    stored = await conn.fetch("SELECT org_code, withdrawn_on FROM consent_record")
    assert [tuple(r) for r in stored] == [(grids[1], None)]
