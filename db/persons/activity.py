"""What has happened with a person: visits, needs still open, disputes they are party to."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.persons.history import Earlier, earlier_records
from db.visits.store import VisitSummary, visits_with


class NeedSummary(BaseModel):
    """A need being followed up, as the person's record lists it."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    category: str
    description: str
    department: str | None
    status: str
    raised_on: date
    due_on: date | None


class DisputeSummary(BaseModel):
    """A dispute case the person is a party to."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    kind: str
    summary: str
    stage: str  # the case's own status: open, mediating, resolved, referred, closed
    status: str  # the review of its conclusion
    opened_on: date
    department: str | None


class Activity(BaseModel):
    """The record's lists below the details."""

    model_config = ConfigDict(frozen=True)

    visits: list[VisitSummary]
    needs: list[NeedSummary]
    disputes: list[DisputeSummary]
    # Visits, needs and cases kept by grids the person has left (read-only, sql/V018).
    earlier: list[Earlier] = []


async def person_activity(conn: Connection, city_code: str, person_id: UUID) -> Activity:
    """Visits (newest first), needs not yet resolved, and the disputes the person is a party
    to (those still open first), in the user's scope; and what grids the person has left
    kept of theirs."""
    needs = await conn.fetch(
        """
        SELECT a.id, a.category, a.description, d.name_zh AS department, a.status,
               a.raised_on, a.due_on
          FROM assistance_request a LEFT JOIN department d ON d.code = a.department_code
         WHERE a.city_code = $1 AND a.person_id = $2
           AND a.status IN ('pending', 'open', 'referred')
         ORDER BY a.due_on NULLS LAST, a.raised_on, a.id
        """,
        city_code, person_id,
    )  # fmt: skip
    disputes = await conn.fetch(
        """
        SELECT c.city_code, c.id, c.kind, c.summary, c.stage, c.status, c.opened_on,
               d.name_zh AS department
          FROM dispute_party p
          JOIN dispute_case c ON c.city_code = p.city_code AND c.id = p.case_id
          LEFT JOIN department d ON d.code = c.department_code
         WHERE p.city_code = $1 AND p.person_id = $2
         ORDER BY c.stage NOT IN ('open', 'mediating'), c.opened_on DESC, c.id
         LIMIT 100
        """,
        city_code, person_id,
    )  # fmt: skip
    return Activity(
        visits=await visits_with(conn, city_code, person_id),
        needs=[NeedSummary.model_validate(record(r)) for r in needs],
        disputes=[DisputeSummary.model_validate(record(r)) for r in disputes],
        earlier=await earlier_records(conn, city_code, person_id),
    )
