"""Meetings: save the minutes as a draft, submit them for review, read them back, list them.

The minutes are a kind of the one submission workflow (db/workflow.py, sql/V014 kind
`minutes`): their writers keep drafts and submit them; supervisors approve them or
return them with a comment. Attendance, action items and their links are the
meeting's children and freeze with it; the earlier meetings' items marked at this one
are followed up whatever their own meeting's state (db/meetings/carryover.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db import workflow
from db.children import remove_children
from db.core.connect import Connection, record
from db.meetings.carryover import store_marks
from db.meetings.form import (
    ActionItemForm,
    AttendeeForm,
    LinkForm,
    MeetingForm,
    MeetingInput,
)
from db.persons.identifiers import NotVisible
from db.workflow import Conflict, SubmissionState

KIND = "minutes"
UNITS_MAX = 300


class MeetingSummary(BaseModel):
    """One meeting in a list."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    unit_name: str
    kind: str
    held_on: date
    starts_at: time
    status: workflow.Status
    version: int
    agenda: str  # its first line
    open_items: int
    review_comment: str


class Unit(BaseModel):
    """An org unit a meeting may be held by."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    level: str


_CREATE = """
INSERT INTO meeting (city_code, id, org_code, kind, held_on, starts_at, place, chair, recorder,
                     agenda, minutes, decisions)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (city_code, id) DO NOTHING
RETURNING version
"""

_UPDATE = """
UPDATE meeting SET kind = $3, held_on = $4, starts_at = $5, place = $6, chair = $7,
                   recorder = $8, agenda = $9, minutes = $10, decisions = $11,
                   version = version + 1
 WHERE city_code = $1 AND id = $2 AND version = $12
RETURNING version
"""

_ATTENDEE = """
INSERT INTO meeting_attendee (city_code, id, meeting_id, org_code, seq, attendance,
                              department_code, person_id, name)
SELECT m.city_code, $3, m.id, m.org_code, $4, $5, $6, $7, $8
  FROM meeting m WHERE m.city_code = $1 AND m.id = $2
ON CONFLICT (city_code, id) DO UPDATE
   SET seq = EXCLUDED.seq, attendance = EXCLUDED.attendance,
       department_code = EXCLUDED.department_code, person_id = EXCLUDED.person_id,
       name = EXCLUDED.name
 WHERE meeting_attendee.meeting_id = EXCLUDED.meeting_id
"""

_ITEM = """
INSERT INTO action_item (city_code, id, meeting_id, org_code, seq, text, department_code, due_on)
SELECT m.city_code, $3, m.id, m.org_code, $4, $5, $6, $7
  FROM meeting m WHERE m.city_code = $1 AND m.id = $2
ON CONFLICT (city_code, id) DO UPDATE
   SET seq = EXCLUDED.seq, text = EXCLUDED.text, department_code = EXCLUDED.department_code,
       due_on = EXCLUDED.due_on, version = action_item.version + 1
 WHERE action_item.meeting_id = EXCLUDED.meeting_id
   AND (action_item.seq, action_item.text, action_item.department_code, action_item.due_on)
       IS DISTINCT FROM (EXCLUDED.seq, EXCLUDED.text, EXCLUDED.department_code, EXCLUDED.due_on)
"""

_LINK = """
INSERT INTO action_item_link (city_code, id, meeting_id, item_id, org_code, person_id, need_id,
                              case_id)
SELECT m.city_code, $3, m.id, $4, m.org_code, $5, $6, $7
  FROM meeting m WHERE m.city_code = $1 AND m.id = $2
ON CONFLICT (city_code, id) DO NOTHING
"""


async def meeting_state(
    conn: Connection, city_code: str, meeting_id: UUID
) -> SubmissionState | None:
    return await workflow.state(conn, KIND, city_code, meeting_id)


async def save_meeting(
    conn: Connection, meeting: MeetingInput, *, base_version: int | None, submit: bool
) -> SubmissionState:
    """Store the minutes as a draft or submit them, with attendance, action items and
    links, and the carried items marked at this meeting.

    `base_version` is None for a meeting never stored. A retry finds the meeting and
    treats it as stored; minutes submitted and submitted again are left as they are.
    """
    city, values = meeting.city_code, (
        meeting.kind, meeting.held_on, meeting.starts_at, meeting.place, meeting.chair,
        meeting.recorder, meeting.agenda, meeting.minutes, meeting.decisions,
    )  # fmt: skip

    async def write(conn: Connection, expected: int | None) -> None:
        if expected is None:
            created = await conn.fetchval(_CREATE, city, meeting.id, meeting.org_code, *values)
            if created is None:
                raise NotVisible("meeting: not found in your scope")
        elif await conn.fetchval(_UPDATE, city, meeting.id, *values, expected) is None:
            raise Conflict("meeting: changed meanwhile; reopen it")
        await _store_children(conn, meeting)
        await store_marks(conn, city, meeting.id, meeting.marks)

    return await workflow.save(
        conn, KIND, city, meeting.id, write, base_version=base_version, submit=submit
    )


async def _store_children(conn: Connection, meeting: MeetingInput) -> None:
    city, links = meeting.city_code, [(i, link) for i in meeting.items for link in i.links]
    await remove_children(conn, "action_item_link", city, meeting.id, [k.id for _, k in links])
    await remove_children(conn, "action_item", city, meeting.id, [i.id for i in meeting.items])
    await remove_children(conn, "meeting_attendee", city, meeting.id,
                          [a.id for a in meeting.attendees])  # fmt: skip
    for seq, a in enumerate(meeting.attendees, start=1):
        await conn.execute(_ATTENDEE, city, meeting.id, a.id, seq, a.attendance,
                           a.department_code, a.person_id, a.name)  # fmt: skip
    for seq, item in enumerate(meeting.items, start=1):
        await conn.execute(_ITEM, city, meeting.id, item.id, seq, item.text,
                           item.department_code, item.due_on)  # fmt: skip
    for item, link in links:
        await conn.execute(_LINK, city, meeting.id, link.id, item.id, link.person_id,
                           link.need_id, link.case_id)  # fmt: skip


async def review_meeting(
    conn: Connection,
    city_code: str,
    meeting_id: UUID,
    base_version: int,
    decision: workflow.Decision,
    comment: str = "",
) -> SubmissionState:
    """A supervisor approves submitted minutes or returns them with a comment."""
    return await workflow.review(conn, KIND, city_code, meeting_id, base_version, decision,
                                 comment)  # fmt: skip


# What a link concerns, in words: a person's name, a need's person and description, a
# case's summary.
_LINKS = """
SELECT l.id, l.item_id,
       CASE WHEN l.person_id IS NOT NULL THEN 'person'
            WHEN l.need_id IS NOT NULL THEN 'need' ELSE 'case' END AS kind,
       coalesce(l.person_id, l.need_id, l.case_id) AS target,
       coalesce(p.name, np.name || ' · ' || n.description, c.summary, '') AS text
  FROM action_item_link l
  LEFT JOIN person p ON p.city_code = l.city_code AND p.id = l.person_id
  LEFT JOIN assistance_request n ON n.city_code = l.city_code AND n.id = l.need_id
  LEFT JOIN person np ON np.city_code = n.city_code AND np.id = n.person_id
  LEFT JOIN dispute_case c ON c.city_code = l.city_code AND c.id = l.case_id
 WHERE l.city_code = $1 AND l.meeting_id = $2
 ORDER BY l.created_at, l.id
"""


async def load_meeting(
    conn: Connection, city_code: str, meeting_id: UUID
) -> tuple[MeetingForm, SubmissionState]:
    """Stored minutes as form boxes, and where they stand."""
    row = await conn.fetchrow(
        "SELECT org_code, kind, held_on, starts_at, place, chair, recorder, agenda, minutes, "
        "decisions FROM meeting WHERE city_code = $1 AND id = $2",
        city_code, meeting_id,
    )  # fmt: skip
    state = await meeting_state(conn, city_code, meeting_id)
    if row is None or state is None:
        raise NotVisible("meeting: not found in your scope")
    attendees = await conn.fetch(
        "SELECT a.id, a.attendance, coalesce(a.department_code, '') AS department, a.person_id, "
        "coalesce(p.name, '') AS person_name, a.name FROM meeting_attendee a "
        "LEFT JOIN person p ON p.city_code = a.city_code AND p.id = a.person_id "
        "WHERE a.city_code = $1 AND a.meeting_id = $2 ORDER BY a.seq, a.id",
        city_code, meeting_id,
    )  # fmt: skip
    items = await conn.fetch(
        "SELECT id, text, department_code, due_on FROM action_item "
        "WHERE city_code = $1 AND meeting_id = $2 ORDER BY seq, id",
        city_code, meeting_id,
    )  # fmt: skip
    links: dict[UUID, list[LinkForm]] = {}
    for link in await conn.fetch(_LINKS, city_code, meeting_id):
        links.setdefault(link["item_id"], []).append(
            LinkForm(id=link["id"], kind=link["kind"], target=link["target"], text=link["text"])
        )
    values = record(row)
    form = MeetingForm(
        id=meeting_id,
        **{**values, "held_on": row["held_on"].isoformat(),
           "starts_at": row["starts_at"].strftime("%H:%M")},
        attendees=[AttendeeForm.model_validate(record(a)) for a in attendees],
        items=[
            ActionItemForm(
                id=i["id"], text=i["text"], department=i["department_code"],
                due_on=i["due_on"].isoformat() if i["due_on"] else "",
                links=links.get(i["id"], []),
            )
            for i in items
        ],
    )  # fmt: skip
    return form, state


async def meeting_stamp(conn: Connection, city_code: str, meeting_id: UUID) -> tuple[str, datetime]:
    """Who saved the minutes last, and when."""
    row = await conn.fetchrow(
        "SELECT updated_by, updated_at FROM meeting WHERE city_code = $1 AND id = $2",
        city_code, meeting_id,
    )  # fmt: skip
    if row is None:
        raise NotVisible("meeting: not found in your scope")
    return row["updated_by"], row["updated_at"]


async def meetings(conn: Connection, *, limit: int = 500) -> list[MeetingSummary]:
    """The meetings the user can see, the latest first."""
    rows = await conn.fetch(
        """
        SELECT m.city_code, m.id, m.org_code, coalesce(o.name, m.org_code) AS unit_name, m.kind,
               m.held_on, m.starts_at, m.status, m.version, m.review_comment,
               left(split_part(btrim(m.agenda), E'\\n', 1), 60) AS agenda,
               (SELECT count(*) FROM action_item a WHERE a.city_code = m.city_code
                   AND a.meeting_id = m.id AND a.status = 'open') AS open_items
          FROM meeting m LEFT JOIN org_unit o ON o.code = m.org_code
         ORDER BY m.held_on DESC, m.starts_at DESC, m.id
         LIMIT $1
        """,
        limit,
    )
    return [MeetingSummary.model_validate(record(r)) for r in rows]


async def meeting_units(conn: Connection) -> list[Unit]:
    """The units a meeting of the user's may be held by: their own, then those under it
    down to the communities (a grid only when it is their own), the higher first."""
    rows = await conn.fetch(
        """
        SELECT o.code, o.name, o.level FROM org_unit o
         WHERE o.code >= tx_scope() AND o.code < tx_scope() || ':'
           AND (o.level <> 'grid' OR o.code = tx_scope())
         ORDER BY length(o.code), o.code
         LIMIT $1
        """,
        UNITS_MAX,
    )
    return [Unit.model_validate(record(r)) for r in rows]
