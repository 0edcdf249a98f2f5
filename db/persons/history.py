"""A person's earlier visits, needs and cases, written in grids they have since left.

After a hand-over the receiving grid sees them read-only (sql/V018): they come from
`tx_person_history`, which answers only for a person the caller can see now.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record


class Earlier(BaseModel):
    """One record of the person's, kept by a grid the person has left."""

    model_config = ConfigDict(frozen=True)

    what: Literal["visit", "need", "case"]
    id: UUID
    on_date: date
    kind: str
    status: str
    summary: str
    grid_name: str


async def earlier_records(conn: Connection, city_code: str, person_id: UUID) -> list[Earlier]:
    """The person's records of other grids, newest first (empty for a person not in scope)."""
    rows = await conn.fetch("SELECT * FROM tx_person_history($1, $2)", city_code, person_id)
    return [Earlier.model_validate(record(r)) for r in rows]
