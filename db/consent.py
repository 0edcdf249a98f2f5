"""Consent to processing sensitive personal information, per person (PIPL Art. 29)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, model_validator

from db.connect import Connection, record
from db.errors import UserError

Basis = Literal["consent", "statutory_duty"]


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

    @model_validator(mode="after")
    def _withdrawal_after_consent(self) -> ConsentRecord:
        if self.withdrawn_on is not None and self.withdrawn_on < self.given_on:
            raise ValueError("withdrawn_on: a withdrawal cannot precede the consent")
        return self


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
    return (await consents_of(conn, consent.city_code, consent.person_id))[-1]


async def withdraw_consent(
    conn: Connection, city_code: str, consent_id: UUID, on: date
) -> ConsentRecord:
    row = await conn.fetchrow(
        """
        UPDATE consent_record SET withdrawn_on = $3
         WHERE city_code = $1 AND id = $2 AND withdrawn_on IS NULL AND given_on <= $3
        RETURNING *
        """,
        city_code,
        consent_id,
        on,
    )
    if row is None:
        raise ConsentProblem("withdrawn_on: no open consent with that id on or before that date")
    return ConsentRecord.model_validate(record(row))


async def consents_of(conn: Connection, city_code: str, person_id: UUID) -> list[ConsentRecord]:
    rows = await conn.fetch(
        "SELECT * FROM consent_record WHERE city_code = $1 AND person_id = $2 "
        "ORDER BY created_at, id",
        city_code,
        person_id,
    )
    return [ConsentRecord.model_validate(record(r)) for r in rows]
