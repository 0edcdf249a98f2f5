"""The rhythm of meetings the plans set, and what the home screen lists of meetings.

A member departments' joint meeting at least every six months, the origin-destination
joint meeting every year (sql/V014 `meeting_rhythm`, `meetings_overdue`): a unit is
overdue when the day after its last meeting plus that many calendar months has come,
or when a unit that must hold them never has.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record

DUE_SOON_DAYS = 14


class OverdueMeeting(BaseModel):
    """A unit that should have held a kind of meeting by now."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    org_code: str
    unit_name: str
    level: str
    kind: str
    last_held: date | None  # None: never recorded
    due_on: date | None


class DueItem(BaseModel):
    """An open action item due soon or overdue, with the meeting that agreed it."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    meeting_id: UUID
    meeting_kind: str
    meeting_held_on: date
    unit_name: str
    text: str
    department_code: str
    due_on: date
    overdue: bool


class MeetingsHome(BaseModel):
    """What the home screen lists of meetings: open action items due soon (overdue ones
    first) and the units of the user's scope overdue for a meeting."""

    model_config = ConfigDict(frozen=True)

    items: list[DueItem]
    overdue: list[OverdueMeeting]


async def overdue_meetings(conn: Connection, today: date) -> list[OverdueMeeting]:
    """The units in the user's scope overdue for a meeting on `today`, never held first."""
    rows = await conn.fetch("SELECT * FROM meetings_overdue($1)", today)
    return [OverdueMeeting.model_validate(record(r)) for r in rows]


async def items_due(
    conn: Connection, today: date, *, days: int = DUE_SOON_DAYS, limit: int = 50
) -> list[DueItem]:
    """The open action items in the user's scope due within `days` of `today` (or
    before), the earliest first."""
    rows = await conn.fetch(
        """
        SELECT a.city_code, a.id, a.meeting_id, m.kind AS meeting_kind,
               m.held_on AS meeting_held_on, coalesce(o.name, m.org_code) AS unit_name,
               a.text, a.department_code, a.due_on, a.due_on < $1 AS overdue
          FROM action_item a
          JOIN meeting m ON m.city_code = a.city_code AND m.id = a.meeting_id
          LEFT JOIN org_unit o ON o.code = m.org_code
         WHERE a.status = 'open' AND a.due_on <= $2
         ORDER BY a.due_on, m.held_on, a.seq, a.id
         LIMIT $3
        """,
        today, today + timedelta(days=days), limit,
    )  # fmt: skip
    return [DueItem.model_validate(record(r)) for r in rows]


async def meetings_home(conn: Connection, today: date) -> MeetingsHome:
    """The home screen's lines about meetings for the user on `today`."""
    return MeetingsHome(items=await items_due(conn, today),
                        overdue=await overdue_meetings(conn, today))  # fmt: skip
