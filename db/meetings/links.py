"""What an action item may concern besides a person: the open needs and dispute cases the
user can see, found by a word of their description, summary or person's name."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record

LINKABLE_MAX = 30


class Linkable(BaseModel):
    """An open need or dispute case, as the link picker lists it."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["need", "case"]
    city_code: str
    id: UUID
    day: date
    sort: str  # the need's category or the case's kind, a code the screen names
    text: str  # the need's person and description, or the case's summary


def _pattern(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def linkable(
    conn: Connection, text: str = "", *, limit: int = LINKABLE_MAX
) -> list[Linkable]:
    """Open needs and cases in the user's scope matching `text`, the latest first."""
    rows = await conn.fetch(
        """
        SELECT * FROM (
            SELECT 'need' AS kind, a.city_code, a.id, a.raised_on AS day, a.category AS sort,
                   p.name || ' · ' || a.description AS text
              FROM assistance_request a
              JOIN person p ON p.city_code = a.city_code AND p.id = a.person_id
             WHERE a.status IN ('pending', 'open', 'referred')
               AND (a.description ILIKE $1 OR p.name ILIKE $1)
            UNION ALL
            SELECT 'case', c.city_code, c.id, c.opened_on, c.kind, c.summary
              FROM dispute_case c
             WHERE c.status IN ('open', 'mediating') AND c.summary ILIKE $1
        ) found
        ORDER BY day DESC, kind, id
        LIMIT $2
        """,
        _pattern(text), limit,
    )  # fmt: skip
    return [Linkable.model_validate(record(r)) for r in rows]
