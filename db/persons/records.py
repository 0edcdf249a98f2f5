"""Opening one person's full record: the details, the household, and an audit row."""

from __future__ import annotations

from uuid import UUID

from db.audit.trail import AccessEvent, record_access
from db.core.connect import Connection, record
from db.persons.identifiers import NotVisible
from db.persons.models import HouseholdRow, PersonDetail

# Opening a record is routine work; the trail still says who looked, when, at whom.
OPEN_PURPOSE = "查看档案 / viewing the record"

_DETAIL = """
SELECT p.city_code, p.id, p.org_code, g.name AS grid_name, c.name AS community_name, p.name,
       p.sex, e.name_zh AS ethnic_name, p.birth_date, p.id_number_masked, p.phone_masked,
       d.name AS origin_name, p.origin_address, p.current_address, p.occupation, p.employer,
       p.arrival_date, p.residence_permit, p.languages, p.interpreter_needed, p.status,
       p.notes, p.version
  FROM person p
  JOIN org_unit g ON g.code = p.org_code
  LEFT JOIN org_unit c ON c.code = g.parent_code
  JOIN ethnic_group e ON e.code = p.ethnic_code
  LEFT JOIN division d ON d.code = p.origin_division_code
 WHERE p.city_code = $1 AND p.id = $2
"""

_HOUSEHOLD = """
SELECT name, relation, sex, birth_date, school_status
  FROM household_member
 WHERE city_code = $1 AND person_id = $2
 ORDER BY birth_date, name
"""


async def open_person(
    conn: Connection, city_code: str, person_id: UUID
) -> tuple[PersonDetail, list[HouseholdRow]]:
    """The record and household of a person in the user's scope, the open audited."""
    row = await conn.fetchrow(_DETAIL, city_code, person_id)
    if row is None:
        raise NotVisible("person: not found in your scope")
    detail = PersonDetail.model_validate(record(row))
    household = [
        HouseholdRow.model_validate(record(r))
        for r in await conn.fetch(_HOUSEHOLD, city_code, person_id)
    ]
    await record_access(
        conn,
        AccessEvent(
            action="open",
            purpose=OPEN_PURPOSE,
            org_code=detail.org_code,
            city_code=city_code,
            person_id=person_id,
            table_name="person",
        ),
    )
    return detail, household
