"""Consent to processing sensitive personal information, per person (PIPL Art. 29).

Each person's legal basis is a separate consent, given on a day and withdrawable,
or a statutory duty (Art. 13). A registration records one with the new person, in
the same transaction; the record screen adds new ones and withdrawals later.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, Self
from uuid import UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.core.problems import N_, located
from db.persons.form import past_date

Basis = Literal["consent", "statutory_duty"]
BASES: tuple[Basis, ...] = ("consent", "statutory_duty")
REGISTRATION_SCOPE = "基础信息登记与服务管理 / registration and services"
NOTE_MAX = 500
# A registration's consent id is made from the person's id, so a retried save stores it once.
_REGISTRATION = UUID("6d1f0c52-3b7e-4d8a-9f57-0c1e2a4b6c80")


class ConsentProblem(UserError):
    """A consent record cannot be written as asked."""


class ConsentRecord(BaseModel):
    """Who agreed (or which duty applies), to what, when; and any withdrawal."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID = Field(default_factory=uuid4)
    person_id: UUID
    org_code: str
    basis: Basis
    scope: str = Field(min_length=1, max_length=200)
    given_on: date
    recorded_by: str = ""
    withdrawn_on: date | None = None
    note: str = ""
    withdrawal_note: str = ""

    @model_validator(mode="after")
    def _withdrawal_after_consent(self) -> ConsentRecord:
        if self.withdrawn_on is not None and self.withdrawn_on < self.given_on:
            raise ValueError("withdrawn_on: a withdrawal cannot precede the consent")
        return self


class LegalBasisForm(BaseModel):
    """The legal-basis boxes of the registration form, as typed."""

    model_config = ConfigDict(frozen=True)

    basis: str = ""
    given_on: str = ""


class LegalBasis(BaseModel):
    """A checked legal basis: a separate consent and the day it was given, or a statutory
    duty (from the day typed, else today)."""

    model_config = ConfigDict(frozen=True)

    basis: Basis
    given_on: date

    @classmethod
    def from_form(cls, form: LegalBasisForm, today: date) -> Self:
        """Check both boxes; a ValidationError names each one that is wrong."""
        found: list[InitErrorDetails] = []
        if form.basis not in BASES:
            found.append(located("basis", form.basis, N_("required")))
        given_on = today
        if form.given_on.strip():
            try:
                given_on = past_date(form.given_on, today)
            except PydanticCustomError as trouble:
                found.append(InitErrorDetails(type=trouble, loc=("given_on",), input=form.given_on))
        elif form.basis == "consent":
            found.append(located("given_on", "", N_("required for a separate consent")))
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        return cls.model_validate({"basis": form.basis, "given_on": given_on})


def registration_consent(
    city_code: str, person_id: UUID, org_code: str, basis: LegalBasis
) -> ConsentRecord:
    """The consent record a registration stores with the new person."""
    return ConsentRecord(
        city_code=city_code,
        id=uuid5(_REGISTRATION, str(person_id)),
        person_id=person_id,
        org_code=org_code,
        basis=basis.basis,
        scope=REGISTRATION_SCOPE,
        given_on=basis.given_on,
    )


def current_basis(records: list[ConsentRecord]) -> ConsentRecord | None:
    """The basis that holds now: the latest one given (and not withdrawn), if any."""
    standing = [(r.given_on, n, r) for n, r in enumerate(records) if r.withdrawn_on is None]
    return max(standing)[2] if standing else None


def open_consents(records: list[ConsentRecord]) -> list[ConsentRecord]:
    """The separate consents that may still be withdrawn."""
    return [r for r in records if r.basis == "consent" and r.withdrawn_on is None]


async def record_consent(conn: Connection, consent: ConsentRecord) -> ConsentRecord:
    """Store a consent; the id is client-made, so a retried save stores it once."""
    await conn.execute(
        """
        INSERT INTO consent_record (city_code, id, person_id, org_code, basis, scope, given_on,
                                    note)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (city_code, id) DO NOTHING
        """,
        consent.city_code,
        consent.id,
        consent.person_id,
        consent.org_code,
        consent.basis,
        consent.scope,
        consent.given_on,
        consent.note,
    )
    row = await conn.fetchrow(
        "SELECT * FROM consent_record WHERE city_code = $1 AND id = $2",
        consent.city_code,
        consent.id,
    )
    if row is None:
        raise ConsentProblem("consent: that record id is taken outside your scope")
    return ConsentRecord.model_validate(record(row))


async def withdraw_consent(
    conn: Connection, city_code: str, consent_id: UUID, on: date, note: str = ""
) -> ConsentRecord:
    """Record that the person withdrew a consent on `on`, with the reason in `note`."""
    row = await conn.fetchrow(
        """
        UPDATE consent_record SET withdrawn_on = $3, withdrawal_note = $4
         WHERE city_code = $1 AND id = $2 AND withdrawn_on IS NULL AND given_on <= $3
        RETURNING *
        """,
        city_code,
        consent_id,
        on,
        note,
    )
    if row is None:
        raise ConsentProblem("withdrawn_on: no open consent with that id on or before that date")
    return ConsentRecord.model_validate(record(row))


async def consents_of(conn: Connection, city_code: str, person_id: UUID) -> list[ConsentRecord]:
    """A person's consent records, oldest first."""
    rows = await conn.fetch(
        "SELECT * FROM consent_record WHERE city_code = $1 AND person_id = $2 "
        "ORDER BY created_at, id",
        city_code,
        person_id,
    )
    return [ConsentRecord.model_validate(record(r)) for r in rows]
