"""Creating and editing persons: one record per ID number, no lost updates.

Before a save, `held_elsewhere` asks whether another record holds the ID number:
the user may open it when it is in their scope, and is told where it is and whom
to contact when it is not. The lookup takes two transactions (the first records it
in the audit trail and commits, only the second gets the answer), so it is given a
way to begin transactions rather than a connection. Edits name the version they
started from; a save over someone else's newer version raises `EditConflict` with
that version, so the user can compare, merge or reload. Record ids are made by the
client, so a retried create stores the person once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.keys.check import recorded_checks
from db.keys.crypto import Field, Keyring
from db.persons.form import PersonForm, PersonInput
from db.persons.idcard import mask_id, mask_phone
from db.persons.identifiers import NotVisible
from db.persons.pinyin import name_pinyin

# Opens one transaction acting as the user: Session.transaction, or acting_as in tests.
Begin = Callable[[], AbstractAsyncContextManager[Connection]]
# The unique key that allows one record per ID number in a city (V001).
ONE_RECORD_PER_ID = "person_city_code_id_number_hmac_key"


class IdHolder(BaseModel):
    """Where an ID number is registered. In the user's scope (`visible`) it carries
    what opening the record needs; outside it only the grid's path and whom to contact."""

    model_config = ConfigDict(frozen=True)

    city_code: str | None = None
    id: UUID | None = None
    org_code: str | None = None
    org_path: str
    contacts: str | None
    visible: bool


class Saved(BaseModel):
    """A save's outcome: the record's new version, or who holds its ID number already.

    A duplicate is an outcome, not an error: nothing is stored, and the lookup that
    found it is in the audit trail already.
    """

    model_config = ConfigDict(frozen=True)

    version: int | None = None
    duplicate: IdHolder | None = None


class IdTaken(UserError):
    """Another record of the city took the ID number after the duplicate check."""


class StoredPerson(BaseModel):
    """A person as the edit form starts from: the boxes, and the version they came from."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    version: int
    updated_by: str
    updated_at: datetime
    form: PersonForm
    id_masked: str | None
    phone_masked: str | None


class EditConflict(UserError):
    """Someone saved the record after this edit began; `current` is what they saved."""

    def __init__(self, current: StoredPerson) -> None:
        super().__init__(
            f"version: saved meanwhile by {current.updated_by} (now version {current.version})"
        )
        self.current = current


async def id_holder(begin: Begin, keys: Keyring, id_number: str) -> IdHolder | None:
    """Who holds this ID number anywhere. The lookup is recorded and committed in one
    transaction (the audit row cannot be rolled back), and answered in the next."""
    async with begin() as conn:
        known = [check.key_id for check in await recorded_checks(conn)]
        hmacs = keys.blind_indexes("id_number", id_number, key_ids=known)
        ticket = await conn.fetchval("SELECT tx_id_lookup($1::bytea[])", hmacs)
    async with begin() as conn:
        row = await conn.fetchrow("SELECT * FROM tx_id_holder($1)", ticket)
    return None if row is None else IdHolder.model_validate(record(row))


async def held_elsewhere(
    begin: Begin, keys: Keyring, person_id: UUID, data: PersonInput
) -> IdHolder | None:
    """Who holds the ID number of `data`, if that is a record other than `person_id`."""
    if not data.id_number:
        return None
    holder = await id_holder(begin, keys, data.id_number)
    return holder if holder is not None and holder.id != person_id else None


def _identifiers(keys: Keyring, data: PersonInput) -> list[Any]:
    """(keep?, sealed, blind index, masked) for the ID number, then the same for the phone."""
    values: list[Any] = []
    fields: tuple[tuple[Field, str | None, Callable[[str], str]], ...] = (
        ("id_number", data.id_number, mask_id),
        ("phone", data.phone, mask_phone),
    )
    for field, plain, mask in fields:
        if plain == "":
            values += [True, None, None, None]
        elif plain is None:
            values += [False, None, None, None]
        else:
            values += [
                False, keys.encrypt(field, plain), keys.blind_index(field, plain), mask(plain),
            ]  # fmt: skip
    return values


def _fields(data: PersonInput) -> list[Any]:
    reading, initials = name_pinyin(data.name)
    return [
        data.name, reading, initials, data.sex, data.ethnic_code, data.birth_date,
        data.origin_division_code, data.origin_address, data.current_address, data.occupation,
        data.employer, data.arrival_date, data.residence_permit, data.languages,
        data.interpreter_needed, data.notes,
    ]  # fmt: skip


_INSERT = """
INSERT INTO person (city_code, id, org_code, name, name_pinyin, name_initials, sex, ethnic_code,
                    birth_date, origin_division_code, origin_address, current_address,
                    occupation, employer, arrival_date, residence_permit, languages,
                    interpreter_needed, notes, id_number_enc, id_number_hmac, id_number_masked,
                    phone_enc, phone_hmac, phone_masked)
VALUES (left($2, 4), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
        $18, $19, $20, $21, $22, $23, $24)
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""


async def create_person(
    conn: Connection, keys: Keyring, person_id: UUID, org_code: str, data: PersonInput
) -> Saved:
    """Register a person in grid `org_code` under the client-made `person_id`, once
    `held_elsewhere` found no other record of the ID number.

    A retry with the same id finds the row already there and changes nothing.
    """
    sealed = _identifiers(keys, data)
    args = [person_id, org_code, *_fields(data), *sealed[1:4], *sealed[5:8]]
    with _one_record_per_id():
        version = await conn.fetchval(_INSERT, *args)
    if version is None:
        version = await conn.fetchval(
            "SELECT version FROM person WHERE city_code = left($2, 4) AND id = $1",
            person_id,
            org_code,
        )
        if version is None:
            raise NotVisible("person: that record id is taken outside your scope")
    return Saved(version=version)


@contextmanager
def _one_record_per_id() -> Iterator[None]:
    """An ID number stored meanwhile by someone else is said in one line."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name != ONE_RECORD_PER_ID:
            raise
        raise IdTaken(
            "id_number: registered meanwhile by someone else; save again to see where"
        ) from exc


_STORED = """
SELECT p.city_code, p.id, p.org_code, p.version, p.updated_by, p.updated_at, p.name, p.sex,
       p.ethnic_code, e.name_zh AS ethnic_name, p.birth_date, p.id_number_masked,
       p.id_number_enc, p.origin_division_code, d.name AS origin_name, p.origin_address,
       p.current_address, p.occupation, p.employer, p.phone_masked, p.arrival_date,
       p.residence_permit, p.languages, p.interpreter_needed, p.notes
  FROM person p
  JOIN ethnic_group e ON e.code = p.ethnic_code
  LEFT JOIN division d ON d.code = p.origin_division_code
 WHERE p.city_code = $1 AND p.id = $2
"""


async def load_for_edit(
    conn: Connection, keys: Keyring, city_code: str, person_id: UUID
) -> tuple[StoredPerson, str | None]:
    """The record as form boxes (identifiers masked), and the stored ID number in plain
    for checking birth date and sex against it; that number is never shown."""
    row = await conn.fetchrow(_STORED, city_code, person_id)
    if row is None:
        raise NotVisible("person: not found in your scope")
    plain_id = keys.decrypt("id_number", row["id_number_enc"]) if row["id_number_enc"] else None
    return _stored(row), plain_id


def _stored(row: Any) -> StoredPerson:
    origin = row["origin_division_code"]
    form = PersonForm(
        name=row["name"],
        sex=str(row["sex"]),
        ethnic=f"{row['ethnic_code']} {row['ethnic_name']}",
        birth_date=row["birth_date"].isoformat(),
        id_number=row["id_number_masked"] or "",
        origin=f"{origin} {row['origin_name']}" if origin else "",
        origin_address=row["origin_address"],
        current_address=row["current_address"],
        occupation=row["occupation"],
        employer=row["employer"],
        phone=row["phone_masked"] or "",
        arrival_date=row["arrival_date"].isoformat() if row["arrival_date"] else "",
        residence_permit=row["residence_permit"],
        languages=" ".join(row["languages"]),
        interpreter_needed=row["interpreter_needed"],
        notes=row["notes"],
    )
    return StoredPerson(
        city_code=row["city_code"], id=row["id"], org_code=row["org_code"],
        version=row["version"], updated_by=row["updated_by"], updated_at=row["updated_at"],
        form=form, id_masked=row["id_number_masked"], phone_masked=row["phone_masked"],
    )  # fmt: skip


_UPDATE = """
UPDATE person
   SET name = $3, name_pinyin = $4, name_initials = $5, sex = $6, ethnic_code = $7,
       birth_date = $8, origin_division_code = $9, origin_address = $10,
       current_address = $11, occupation = $12, employer = $13, arrival_date = $14,
       residence_permit = $15, languages = $16, interpreter_needed = $17, notes = $18,
       id_number_enc = CASE WHEN $19 THEN id_number_enc ELSE $20 END,
       id_number_hmac = CASE WHEN $19 THEN id_number_hmac ELSE $21 END,
       id_number_masked = CASE WHEN $19 THEN id_number_masked ELSE $22 END,
       phone_enc = CASE WHEN $23 THEN phone_enc ELSE $24 END,
       phone_hmac = CASE WHEN $23 THEN phone_hmac ELSE $25 END,
       phone_masked = CASE WHEN $23 THEN phone_masked ELSE $26 END,
       version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $27
RETURNING version
"""


async def update_person(
    conn: Connection,
    keys: Keyring,
    city_code: str,
    person_id: UUID,
    base_version: int,
    data: PersonInput,
) -> Saved:
    """Save an edit made from `base_version` (once `held_elsewhere` found no other
    record of a changed ID number); EditConflict if someone saved since."""
    args = [city_code, person_id, *_fields(data), *_identifiers(keys, data), base_version]
    with _one_record_per_id():
        version = await conn.fetchval(_UPDATE, *args)
    if version is None:
        raise EditConflict(await _current(conn, city_code, person_id))
    return Saved(version=version)


async def _current(conn: Connection, city_code: str, person_id: UUID) -> StoredPerson:
    row = await conn.fetchrow(_STORED, city_code, person_id)
    if row is None:
        raise NotVisible("person: no longer in your scope (handed over or removed)")
    return _stored(row)


async def change_status(
    conn: Connection,
    city_code: str,
    person_id: UUID,
    base_version: int,
    status: str,
    on: date,
) -> int:
    """Record that the person left the city, or returned (registered again)."""
    version = await conn.fetchval(
        "UPDATE person SET status = $4, status_changed_on = $5, version = version + 1 "
        "WHERE city_code = $1 AND id = $2 AND version = $3 RETURNING version",
        city_code, person_id, base_version, status, on,
    )  # fmt: skip
    if version is None:
        raise EditConflict(await _current(conn, city_code, person_id))
    return int(version)


async def hand_over(
    conn: Connection,
    city_code: str,
    person_id: UUID,
    base_version: int,
    grid: str,
    on: date,
    note: str = "",
) -> int:
    """Move the person to another grid of the city; from then on that grid sees them."""
    version = await conn.fetchval(
        "SELECT tx_hand_over($1, $2, $3, $4, $5, $6)",
        city_code, person_id, base_version, grid, on, note,
    )  # fmt: skip
    if version is None:
        raise EditConflict(await _current(conn, city_code, person_id))
    return int(version)


async def grids_under(conn: Connection, prefix: str) -> list[tuple[str, str]]:
    """(code, "street community grid") of the grids under an org code: a user's scope
    when registering, the whole city when handing over."""
    rows = await conn.fetch(
        """
        SELECT g.code, concat_ws(' ', s.name, c.name, g.name) AS label
          FROM org_unit g
          LEFT JOIN org_unit c ON c.code = g.parent_code
          LEFT JOIN org_unit s ON s.code = c.parent_code
         WHERE g.level = 'grid' AND g.code >= $1 AND g.code < $1 || ':'
         ORDER BY g.code
        """,
        prefix,
    )
    return [(r["code"], r["label"]) for r in rows]
