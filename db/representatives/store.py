"""Representatives (民族代表人士): appoint, retire, their contacts and the 三必谈 rhythm.

The rules are the database's (sql/V015): grid workers and admins appoint in their scope,
a registered person only when they see them; a retirement is written once; a
registered representative's contacts are visits, one appointed by name has contact
rows. `rhythm` reads `representative_rhythm(today)`, which says for each active
representative in the user's scope whether the weekly phone talk, the monthly
face-to-face talk and the yearly Eid symposium are done, due or overdue.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.persons.identifiers import NotVisible
from db.representatives.form import AppointInput, ContactInput, RetireInput
from db.workflow import Conflict

State = Literal["done", "due", "overdue"]
EidState = Literal["done", "upcoming", "due", "overdue"]


class AlreadyRepresentative(UserError):
    """The person holds an appointment already (one at a time)."""


class RepresentativeRhythm(BaseModel):
    """One active representative and where their 三必谈 stands on a day."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    unit_name: str
    person_id: UUID | None
    name: str | None  # None: a registered person the user no longer sees
    standing: str
    appointed_on: date
    last_phone: date | None
    phone_state: State
    phone_due: date
    last_face: date | None
    face_state: State
    face_due: date
    last_eid: date | None
    eid_state: EidState | None  # None: past the last year of the Eid table
    eid_due: date | None
    eid_day: date | None  # the Eid whose symposium is owed next (or was missed)
    state: State


class Representative(BaseModel):
    """One representative's record, who they are shown from their person when registered."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    unit_name: str
    person_id: UUID | None
    name: str | None
    sex: int | None
    ethnic_name: str | None
    birth_date: date | None
    standing: str
    employer: str
    post: str
    social_posts: str
    appointed_on: date
    retired_on: date | None
    retirement_note: str
    version: int


class ContactLine(BaseModel):
    """One contact with a representative: a visit with their person, or a contact row."""

    model_config = ConfigDict(frozen=True)

    source: Literal["visit", "contact"]
    city_code: str
    id: UUID
    kind: str
    day: date
    status: str | None  # a visit's place in its review; None for a contact row
    notes: str
    counts: bool  # whether the rhythm counts it (a visit once submitted)


_APPOINT_PERSON = """
INSERT INTO representative (city_code, id, org_code, person_id, standing, employer, post,
                            social_posts, appointed_on)
SELECT p.city_code, $3, p.org_code, p.id, $4, $5, $6, $7, $8
  FROM person p
 WHERE p.city_code = $1 AND p.id = $2
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""

_APPOINT_NAMED = """
INSERT INTO representative (city_code, id, org_code, name, sex, ethnic_code, birth_date,
                            standing, employer, post, social_posts, appointed_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""


async def appoint(conn: Connection, a: AppointInput) -> None:
    """Store the appointment; a retry of one stored already (same id) changes nothing."""
    rest = (a.standing, a.employer, a.post, a.social_posts, a.appointed_on)
    try:
        async with conn.transaction():
            if a.person_id is not None:
                if not await conn.fetchval("SELECT 1 FROM person WHERE city_code = $1 AND id = $2",
                                           a.city_code, a.person_id):  # fmt: skip
                    raise NotVisible("person: not found in your scope")
                await conn.fetchval(_APPOINT_PERSON, a.city_code, a.person_id, a.id, *rest)
            else:
                await conn.fetchval(_APPOINT_NAMED, a.city_code, a.id, a.org_code, a.name, a.sex,
                                    a.ethnic_code, a.birth_date, *rest)  # fmt: skip
    except asyncpg.UniqueViolationError as exc:
        raise AlreadyRepresentative("person: a representative already; retire them first") from exc
    except asyncpg.ForeignKeyViolationError as exc:
        raise UserError("ethnic_code: not one of the listed groups") from exc
    except asyncpg.InsufficientPrivilegeError as exc:
        raise NotVisible("org_code: the unit is not in your scope") from exc


async def retire(
    conn: Connection, city_code: str, rep_id: UUID, base_version: int, r: RetireInput
) -> int:
    """Record the retirement (once); the new version."""
    version = await conn.fetchval(
        "UPDATE representative SET retired_on = $4, retirement_note = $5, version = version + 1 "
        "WHERE city_code = $1 AND id = $2 AND version = $3 AND retired_on IS NULL "
        "RETURNING version",
        city_code, rep_id, base_version, r.retired_on, r.note,
    )  # fmt: skip
    if version is None:
        if await representative(conn, city_code, rep_id) is None:
            raise NotVisible("representative: not found in your scope")
        raise Conflict("representative: retired or changed meanwhile; reopen it")
    return int(version)


async def log_contact(conn: Connection, city_code: str, rep_id: UUID, c: ContactInput) -> None:
    """Store a contact with a representative appointed by name (a retry stores it once)."""
    stored = await conn.fetchval(
        """
        INSERT INTO representative_contact (city_code, id, org_code, representative_id, kind,
                                            contacted_on, place, notes)
        SELECT r.city_code, $3, r.org_code, r.id, $4, $5, $6, $7
          FROM representative r WHERE r.city_code = $1 AND r.id = $2
        ON CONFLICT (city_code, id) DO NOTHING
        RETURNING 1
        """,
        city_code, rep_id, c.id, c.kind, c.contacted_on, c.place, c.notes,
    )  # fmt: skip
    if stored is None and not await conn.fetchval(
        "SELECT 1 FROM representative_contact WHERE city_code = $1 AND id = $2", city_code, c.id
    ):
        raise NotVisible("representative: not found in your scope")


_RHYTHM = """
SELECT r.*, coalesce(o.name, r.org_code) AS unit_name
  FROM representative_rhythm($1) r LEFT JOIN org_unit o ON o.code = r.org_code
"""
_ORDER = (" ORDER BY array_position(ARRAY['overdue', 'due', 'done'], r.state), "
          "r.name COLLATE \"C\", r.id")  # fmt: skip


async def rhythm(conn: Connection, today: date) -> list[RepresentativeRhythm]:
    """The active representatives in scope, the overdue first, then the due."""
    rows = await conn.fetch(_RHYTHM + _ORDER, today)
    return [RepresentativeRhythm.model_validate(record(r)) for r in rows]


async def due_for_home(conn: Connection, today: date) -> list[RepresentativeRhythm]:
    """For the home screen: the representatives in scope with a talk due or overdue."""
    rows = await conn.fetch(_RHYTHM + " WHERE r.state IN ('due', 'overdue')" + _ORDER, today)
    return [RepresentativeRhythm.model_validate(record(r)) for r in rows]


async def rhythm_of(
    conn: Connection, city_code: str, rep_id: UUID, today: date
) -> RepresentativeRhythm | None:
    """One representative's rhythm (None once retired)."""
    row = await conn.fetchrow(_RHYTHM + " WHERE r.city_code = $2 AND r.id = $3",
                              today, city_code, rep_id)  # fmt: skip
    return None if row is None else RepresentativeRhythm.model_validate(record(row))


async def representative(conn: Connection, city_code: str, rep_id: UUID) -> Representative | None:
    row = await conn.fetchrow(
        """
        SELECT r.city_code, r.id, r.org_code, coalesce(o.name, r.org_code) AS unit_name,
               r.person_id, coalesce(p.name, r.name) AS name, coalesce(p.sex, r.sex) AS sex,
               e.name_zh AS ethnic_name, coalesce(p.birth_date, r.birth_date) AS birth_date,
               r.standing, r.employer, r.post, r.social_posts, r.appointed_on, r.retired_on,
               r.retirement_note, r.version
          FROM representative r
          LEFT JOIN person p ON p.city_code = r.city_code AND p.id = r.person_id
          LEFT JOIN ethnic_group e ON e.code = coalesce(p.ethnic_code, r.ethnic_code)
          LEFT JOIN org_unit o ON o.code = r.org_code
         WHERE r.city_code = $1 AND r.id = $2
        """,
        city_code, rep_id,
    )  # fmt: skip
    return None if row is None else Representative.model_validate(record(row))


async def contacts_of(conn: Connection, rep: Representative) -> list[ContactLine]:
    """The contacts since the appointment, newest first: visits of every state with their
    person (the rhythm counts those submitted), or their contact rows."""
    rows = await conn.fetch(
        """
        SELECT 'visit' AS source, v.city_code, v.id, v.kind, v.visited_on AS day, v.status,
               v.notes, v.status IN ('submitted', 'approved') AS counts
          FROM visit_person vp JOIN visit v ON v.city_code = vp.city_code AND v.id = vp.visit_id
         WHERE vp.city_code = $1 AND vp.person_id = $3 AND v.visited_on >= $4
           AND v.kind IN ('phone_call', 'face_to_face', 'home_visit', 'festival')
        UNION ALL
        SELECT 'contact', c.city_code, c.id, c.kind, c.contacted_on, NULL, c.notes, true
          FROM representative_contact c
         WHERE c.city_code = $1 AND c.representative_id = $2
        ORDER BY day DESC, id
        LIMIT 500
        """,
        rep.city_code, rep.id, rep.person_id, rep.appointed_on,
    )  # fmt: skip
    return [ContactLine.model_validate(record(r)) for r in rows]


async def units_in_scope(conn: Connection) -> list[tuple[str, str]]:
    """(code, name) of the units a representative may be kept by: the user's own and
    those under it, with the names of the units above (a grid's name alone repeats)."""
    rows = await conn.fetch(
        """
        SELECT u.code,
               (SELECT string_agg(o.name, ' ' ORDER BY length(o.code)) FROM org_unit o
                 WHERE length(o.code) >= 6 AND o.code = left(u.code, length(o.code))) AS path
          FROM org_unit u
         WHERE u.code >= tx_scope() AND u.code < tx_scope() || ':'
         ORDER BY u.code
         LIMIT 2000
        """
    )
    return [(r["code"], r["path"] or r["code"]) for r in rows]


async def ethnic_groups(conn: Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch("SELECT code, name_zh FROM ethnic_group ORDER BY code")
    return [(r["code"], r["name_zh"]) for r in rows]
