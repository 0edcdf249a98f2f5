"""What the ledgers give a grid worker's home screen: the records of their scope that the
data-quality ledger lists (a 三必清 field missing), each opened as the person's record."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record


class RecordToComplete(BaseModel):
    """One registered person whose record lacks a 三必清 field."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    person_id: UUID
    name: str
    grid: str
    missing_origin: bool
    missing_current_address: bool
    missing_occupation: bool


class RecordsToComplete(BaseModel):
    """How many records of the scope lack a 三必清 field, and the first of them."""

    model_config = ConfigDict(frozen=True)

    count: int
    first: list[RecordToComplete]


async def records_to_complete(conn: Connection, scope: str, limit: int = 5) -> RecordsToComplete:
    """The data-quality ledger of `scope` for the home screen: its length and its first
    `limit` rows, least recently updated first (the oldest gaps first)."""
    count = await conn.fetchval(
        "SELECT count(*) FROM ledger_quality WHERE org_code >= $1 AND org_code < $1 || ':'", scope
    )
    rows = await conn.fetch(
        "SELECT city_code, person_id, name, grid, missing_origin, missing_current_address, "
        "missing_occupation FROM ledger_quality WHERE org_code >= $1 AND org_code < $1 || ':' "
        "ORDER BY last_updated, name_pinyin, person_id LIMIT $2",
        scope,
        limit,
    )
    return RecordsToComplete(
        count=int(count), first=[RecordToComplete.model_validate(record(r)) for r in rows]
    )
