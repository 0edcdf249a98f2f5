"""Visits: save as a draft, submit for review, approve or return, and read back.

A visit is a kind of the one submission workflow (db/workflow.py, sql/V010): grid
workers write drafts and submit; supervisors approve or return with a comment; a
returned visit is fixed and submitted again. Ids are made by the client, so a retried
save or submit stores one visit, and one assistance request per need.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db import workflow
from db.children import remove_children
from db.core.connect import Connection, record
from db.persons.identifiers import NotVisible
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson, VisitStatus
from db.workflow import Conflict as VisitConflict
from db.workflow import Decision
from db.workflow import NotEditable as VisitNotEditable
from db.workflow import SubmissionState as VisitState

KIND = "visit"
__all__ = ["Decision", "VisitConflict", "VisitNotEditable", "VisitState"]


class VisitSummary(BaseModel):
    """One visit in a list: with whom, in which grid, by whom."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    kind: str
    visited_on: date
    status: VisitStatus
    version: int
    person_names: list[str]
    needs: int
    review_comment: str
    grid_name: str
    created_by: str
    worker: str  # the display name of who wrote it, else their login
    updated_at: datetime

    @property
    def persons(self) -> str:
        return "、".join(self.person_names)


_CREATE = """
INSERT INTO visit (city_code, id, org_code, kind, visited_on, place, notes)
SELECT p.city_code, $2, p.org_code, $3, $4, $5, $6
  FROM person p
 WHERE p.city_code = $1 AND p.id = $7
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""

_UPDATE = """
UPDATE visit SET kind = $3, visited_on = $4, place = $5, notes = $6, version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $7
RETURNING version
"""


async def visit_state(conn: Connection, city_code: str, visit_id: UUID) -> VisitState | None:
    return await workflow.state(conn, KIND, city_code, visit_id)


async def save_visit(
    conn: Connection, visit: VisitInput, *, base_version: int | None, submit: bool
) -> VisitState:
    """Store the visit as a draft or submit it, with its persons and needs.

    `base_version` is None for a visit never stored. A retry finds the visit and
    treats it as stored; a submitted visit submitted again is left as it is.
    """
    city_code = visit.persons[0].city_code
    values = (visit.kind, visit.visited_on, visit.place, visit.notes)

    async def write(conn: Connection, expected: int | None) -> None:
        if expected is None:
            created = await conn.fetchval(_CREATE, city_code, visit.id, *values,
                                          visit.persons[0].id)  # fmt: skip
            if created is None:
                raise NotVisible("person: not found in your scope")
        elif await conn.fetchval(_UPDATE, city_code, visit.id, *values, expected) is None:
            raise VisitConflict("visit: changed meanwhile; reopen it")
        await _store_persons(conn, city_code, visit)
        await _store_needs(conn, city_code, visit, "open" if submit else "pending")

    return await workflow.save(
        conn, KIND, city_code, visit.id, write, base_version=base_version, submit=submit
    )


async def _store_persons(conn: Connection, city_code: str, visit: VisitInput) -> None:
    ids = [p.id for p in visit.persons]
    await remove_children(conn, "visit_person", city_code, visit.id, ids)
    # Under RLS the join finds only persons the user can see; the count below tells.
    await conn.execute(
        """
        INSERT INTO visit_person (city_code, visit_id, person_id, org_code)
        SELECT v.city_code, v.id, p.id, v.org_code
          FROM visit v
          JOIN person p ON p.city_code = v.city_code AND p.id = ANY($3::uuid[])
         WHERE v.city_code = $1 AND v.id = $2
        ON CONFLICT DO NOTHING
        """,
        city_code, visit.id, ids,
    )  # fmt: skip
    linked = await conn.fetchval(
        "SELECT count(*) FROM visit_person WHERE city_code = $1 AND visit_id = $2",
        city_code, visit.id,
    )  # fmt: skip
    if linked != len(ids):
        raise NotVisible(f"persons: {len(ids) - linked} of them are not in your scope")


async def _store_needs(conn: Connection, city_code: str, visit: VisitInput, status: str) -> None:
    await remove_children(conn, "assistance_request", city_code, visit.id,
                          [n.id for n in visit.needs])  # fmt: skip
    for need in visit.needs:
        await conn.execute(
            """
            INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id,
                                            category, description, department_code, status,
                                            raised_on, due_on)
            SELECT v.city_code, $3, v.org_code, $4, v.id, $5, $6,
                   coalesce($7, c.department_code), $8, v.visited_on,
                   coalesce($9::date, v.visited_on + c.due_days)
              FROM visit v LEFT JOIN need_category c ON c.code = $5
             WHERE v.city_code = $1 AND v.id = $2
            ON CONFLICT (city_code, id) DO UPDATE
               SET person_id = EXCLUDED.person_id, category = EXCLUDED.category,
                   description = EXCLUDED.description,
                   department_code = EXCLUDED.department_code,
                   raised_on = EXCLUDED.raised_on, due_on = EXCLUDED.due_on,
                   status = CASE WHEN assistance_request.status = 'pending'
                                 THEN EXCLUDED.status ELSE assistance_request.status END,
                   version = assistance_request.version + 1
             WHERE assistance_request.visit_id = EXCLUDED.visit_id
               AND assistance_request.status IN ('pending', 'open')
            """,
            city_code, visit.id, need.id, need.person_id, need.category, need.description,
            need.department_code, status, need.due_on,
        )  # fmt: skip


async def review_visit(
    conn: Connection,
    city_code: str,
    visit_id: UUID,
    base_version: int,
    decision: Decision,
    comment: str = "",
) -> VisitState:
    """A supervisor approves a submitted visit or returns it with a comment."""
    return await workflow.review(conn, KIND, city_code, visit_id, base_version, decision, comment)


async def load_visit(
    conn: Connection, city_code: str, visit_id: UUID
) -> tuple[VisitForm, VisitState]:
    """A stored visit as form boxes, and where it stands."""
    row = await conn.fetchrow(
        "SELECT kind, visited_on, place, notes FROM visit WHERE city_code = $1 AND id = $2",
        city_code, visit_id,
    )  # fmt: skip
    state = await visit_state(conn, city_code, visit_id)
    if row is None or state is None:
        raise NotVisible("visit: not found in your scope")
    persons = await conn.fetch(
        "SELECT p.city_code, p.id, p.name FROM visit_person vp JOIN person p "
        "ON p.city_code = vp.city_code AND p.id = vp.person_id "
        "WHERE vp.city_code = $1 AND vp.visit_id = $2 ORDER BY p.name_pinyin, p.id",
        city_code, visit_id,
    )  # fmt: skip
    needs = await conn.fetch(
        "SELECT id, person_id, category, description, department_code, due_on "
        "FROM assistance_request WHERE city_code = $1 AND visit_id = $2 ORDER BY created_at, id",
        city_code, visit_id,
    )  # fmt: skip
    form = VisitForm(
        id=visit_id,
        kind=row["kind"],
        visited_on=row["visited_on"].isoformat(),
        place=row["place"],
        notes=row["notes"],
        persons=[VisitPerson.model_validate(record(p)) for p in persons],
        needs=[
            NeedForm(
                id=n["id"], person_id=n["person_id"], category=n["category"],
                description=n["description"], department=n["department_code"] or "",
                due_on=n["due_on"].isoformat() if n["due_on"] else "",
            )
            for n in needs
        ],
    )  # fmt: skip
    return form, state


# The worker's name: app_user rows are visible to supervisors in their scope and to
# everyone for themselves; otherwise the role name stands in.
_SUMMARY = """
SELECT v.city_code, v.id, v.kind, v.visited_on, v.status, v.version, v.review_comment,
       v.created_by, v.updated_at,
       coalesce((SELECT o.name FROM org_unit o WHERE o.code = v.org_code), v.org_code)
           AS grid_name,
       coalesce((SELECT coalesce(nullif(u.display_name, ''), u.name)
                   FROM app_user u WHERE u.pg_role = v.created_by), v.created_by) AS worker,
       coalesce((SELECT array_agg(p.name ORDER BY p.name_pinyin, p.id)
          FROM visit_person vp JOIN person p ON p.city_code = vp.city_code AND p.id = vp.person_id
         WHERE vp.city_code = v.city_code AND vp.visit_id = v.id), '{}') AS person_names,
       (SELECT count(*) FROM assistance_request a
         WHERE a.city_code = v.city_code AND a.visit_id = v.id) AS needs
  FROM visit v
"""


async def visits_with(conn: Connection, city_code: str, person_id: UUID) -> list[VisitSummary]:
    """The visits the user can see that included the person, newest first."""
    rows = await conn.fetch(
        _SUMMARY + " JOIN visit_person w ON w.city_code = v.city_code AND w.visit_id = v.id "
        "WHERE w.city_code = $1 AND w.person_id = $2 ORDER BY v.visited_on DESC, v.id LIMIT 100",
        city_code, person_id,
    )  # fmt: skip
    return [VisitSummary.model_validate(record(r)) for r in rows]


async def work_list(conn: Connection, statuses: list[str], *, mine: bool) -> list[VisitSummary]:
    """Visits in the given states: the user's own (drafts, returned) or all in scope
    (a supervisor's queue), the longest waiting first."""
    rows = await conn.fetch(
        _SUMMARY + " WHERE v.status = ANY($1::text[]) AND (NOT $2 OR v.created_by = current_user)"
        " ORDER BY v.updated_at, v.id LIMIT 500",
        statuses, mine,
    )  # fmt: skip
    return [VisitSummary.model_validate(record(r)) for r in rows]


async def departments(conn: Connection) -> list[tuple[str, str]]:
    """(code, Chinese name) of the member departments, in the plan's order."""
    rows = await conn.fetch("SELECT code, name_zh FROM department ORDER BY sort, code")
    return [(r["code"], r["name_zh"]) for r in rows]


async def visit_stamp(conn: Connection, city_code: str, visit_id: UUID) -> tuple[str, datetime]:
    """Who saved the visit last, and when."""
    row = await conn.fetchrow(
        "SELECT updated_by, updated_at FROM visit WHERE city_code = $1 AND id = $2",
        city_code, visit_id,
    )  # fmt: skip
    if row is None:
        raise NotVisible("visit: not found in your scope")
    return row["updated_by"], row["updated_at"]
