"""The user's own records returned by a reviewer, of every kind of submission.

`review_queue` lists what waits for a reviewer (status submitted); what came back to
its author is the same catalogue (`submission_kind`: table, title and day of each kind)
read for status returned and the user's own rows.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record

LIMIT = 200
_IDENTIFIER = re.compile(r"^[a-z_]+$")


class Returned(BaseModel):
    """One of the user's records a reviewer sent back, with what to fix."""

    model_config = ConfigDict(frozen=True)

    kind: str
    city_code: str
    id: UUID
    org_code: str
    day: date | None
    title: str | None
    review_comment: str


async def returned_to_me(conn: Connection) -> list[Returned]:
    """The user's records of every kind that were returned, the earliest day first."""
    kinds = await conn.fetch(
        "SELECT kind, table_name, title_sql, day_sql FROM submission_kind ORDER BY kind"
    )
    parts = [
        # The catalogue is the owner's (a migration declares each kind); its names are
        # checked anyway, as workflow.table_of does.
        f"SELECT '{k['kind']}'::text AS kind, r.city_code, r.id, r.org_code, "
        f"({k['day_sql']})::date AS day, "
        f"({k['title_sql']})::text AS title, r.review_comment FROM {k['table_name']} r "
        "WHERE r.status = 'returned' AND r.created_by = current_user"
        for k in kinds
        if _IDENTIFIER.match(k["kind"]) and _IDENTIFIER.match(k["table_name"])
    ]
    if not parts:
        return []
    rows = await conn.fetch(
        " UNION ALL ".join(parts) + " ORDER BY day NULLS LAST, kind, id LIMIT $1", LIMIT
    )
    return [Returned.model_validate(record(r)) for r in rows]
