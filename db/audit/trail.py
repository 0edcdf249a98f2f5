"""The audit trail: record opens, reveals and exports; read the trail back.

Writes to personal data are logged by triggers (sql/V003__audit.sql); this
module logs what only the app knows: that someone looked, and why.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from db.core.connect import Connection, record
from db.core.errors import UserError

AccessAction = Literal["open", "reveal", "export"]


class PurposeMissing(UserError):
    """Seeing personal data needs a stated purpose."""


class AccessEvent(BaseModel):
    """One access to personal data, as the user states it."""

    model_config = ConfigDict(frozen=True)

    action: AccessAction
    purpose: str = Field(min_length=1, max_length=200)
    org_code: str
    city_code: str | None = None
    person_id: UUID | None = None
    table_name: str | None = None
    row_count: int = 1


class AuditEntry(BaseModel):
    """One row of the trail."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    actor: str
    action: str
    table_name: str | None
    city_code: str | None
    row_id: UUID | None
    person_id: UUID | None
    org_code: str | None
    changes: list[str] | None
    purpose: str | None
    row_count: int


async def record_access(conn: Connection, event: AccessEvent) -> None:
    """Append an access event in the current user's name (the database checks scope)."""
    if not event.purpose.strip():
        raise PurposeMissing("purpose: say why you need to see this")
    await conn.execute(
        """
        INSERT INTO audit_log (action, purpose, org_code, city_code, person_id, table_name,
                               row_count)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """,
        event.action,
        event.purpose.strip(),
        event.org_code,
        event.city_code,
        event.person_id,
        event.table_name,
        event.row_count,
    )


async def list_entries(
    conn: Connection,
    *,
    person_id: UUID | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    """The newest entries first, filtered by person, actor (role) and time."""
    rows = await conn.fetch(
        """
        SELECT id, at, actor, action, table_name, city_code, row_id, person_id, org_code,
               changes, purpose, row_count
          FROM audit_log
         WHERE ($1::uuid IS NULL OR person_id = $1)
           AND ($2::text IS NULL OR actor = $2)
           AND ($3::timestamptz IS NULL OR at >= $3)
         ORDER BY at DESC, id DESC
         LIMIT $4
        """,
        person_id,
        actor,
        since,
        limit,
    )
    return [AuditEntry.model_validate(_decoded(record(r))) for r in rows]


def _decoded(row: dict[str, object]) -> dict[str, object]:
    changes = row.get("changes")
    if isinstance(changes, str):
        row["changes"] = json.loads(changes)
    return row
