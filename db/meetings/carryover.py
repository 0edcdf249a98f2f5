"""Action items carried over: the open items of the earlier meetings of the same kind
held by the same unit, listed on the next one, and marked done or dropped there.

Marking is a follow-up, not part of the earlier minutes: an item's status, date and
note change whatever its own meeting's state (sql/V014 declares the rest of it frozen
with the minutes). A mark made at a meeting names that meeting (`closed_in`), so the
meeting keeps listing what was closed at it; reopening an item takes the name away.
"""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.meetings.form import ItemStatus, MarkInput


class ItemChanged(UserError):
    """Someone else marked a carried item meanwhile."""


class CarriedItem(BaseModel):
    """An earlier meeting's action item, as the next meeting lists it."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    meeting_id: UUID
    meeting_held_on: date
    seq: int
    text: str
    department_code: str
    due_on: date | None
    status: ItemStatus
    done_on: date | None
    closing_note: str
    closed_in: UUID | None
    version: int


async def carried_items(
    conn: Connection,
    city_code: str,
    meeting_id: UUID,
    kind: str,
    org_code: str,
    held_on: date,
    starts_at: time,
) -> list[CarriedItem]:
    """What the meeting `meeting_id` (of `kind`, held by `org_code` at `held_on`
    `starts_at`) takes over from the earlier ones, and what was closed at it."""
    rows = await conn.fetch(
        "SELECT * FROM meeting_carried_items($1, $2, $3, $4, $5, $6)",
        city_code, meeting_id, kind, org_code, held_on, starts_at,
    )  # fmt: skip
    return [CarriedItem.model_validate(record(r)) for r in rows]


_MARK = """
UPDATE action_item
   SET status = $4, done_on = $5, closing_note = $6,
       closed_in = CASE WHEN $4 = 'open' THEN NULL ELSE $2::uuid END, version = version + 1
 WHERE city_code = $1 AND id = $3 AND version = $7
RETURNING version
"""


async def store_marks(
    conn: Connection, city_code: str, meeting_id: UUID | None, marks: list[MarkInput]
) -> None:
    """Mark carried items at `meeting_id` (None: between meetings) as each mark says,
    from the version it was made on. A mark already stored (a save retried, or saved
    again) is left as it is."""
    for mark in marks:
        stored = await conn.fetchval(_MARK, city_code, meeting_id, mark.id, mark.status,
                                     mark.done_on, mark.note, mark.version)  # fmt: skip
        if stored is not None:
            continue
        now = await conn.fetchrow(
            "SELECT seq, status, done_on, closing_note, closed_in FROM action_item "
            "WHERE city_code = $1 AND id = $2",
            city_code, mark.id,
        )  # fmt: skip
        if now is None:
            raise ItemChanged("action item: not found in your scope")
        closed_in = None if mark.status == "open" else meeting_id
        if (now["status"], now["done_on"], now["closing_note"], now["closed_in"]) != (
            mark.status, mark.done_on, mark.note, closed_in,
        ):  # fmt: skip
            raise ItemChanged(
                f"action item {now['seq']}: marked meanwhile by someone else; reopen the meeting"
            )


async def load_item(conn: Connection, city_code: str, item_id: UUID) -> CarriedItem:
    """One action item, as a carried one is listed."""
    row = await conn.fetchrow(
        "SELECT a.city_code, a.id, a.meeting_id, m.held_on AS meeting_held_on, a.seq, a.text, "
        "a.department_code, a.due_on, a.status, a.done_on, a.closing_note, a.closed_in, "
        "a.version FROM action_item a "
        "JOIN meeting m ON m.city_code = a.city_code AND m.id = a.meeting_id "
        "WHERE a.city_code = $1 AND a.id = $2",
        city_code, item_id,
    )  # fmt: skip
    if row is None:
        raise ItemChanged("action item: not found in your scope")
    return CarriedItem.model_validate(record(row))


async def follow_up(conn: Connection, city_code: str, mark: MarkInput) -> CarriedItem:
    """Mark one action item between meetings (done, dropped, or open again); it as now."""
    async with conn.transaction():
        await store_marks(conn, city_code, None, [mark])
        return await load_item(conn, city_code, mark.id)
