"""A person's trail on their record: who opened it, revealed, changed, exported or
anonymised it, when and why; for supervisors, auditors and admins.

The database answers through tx_person_trail() (sql/V016__person_trail.sql), which
checks that the reader may see the person now and records that they looked.
"""

from __future__ import annotations

from uuid import UUID

from db.audit.entries import TrailEntry, TrailKey, TrailPage, page_of
from db.core.connect import Connection, record

# The purpose tx_person_trail() records a reading with.
TRAIL_PURPOSE = "查看留痕 / viewing who saw and changed the record"
PAGE_MAX = 199  # tx_person_trail returns at most 200 rows; one more says whether more follow

_TRAIL = "SELECT * FROM tx_person_trail($1, $2, $3, $4, $5)"


async def person_trail(
    conn: Connection,
    city_code: str,
    person_id: UUID,
    *,
    older_than: TrailKey | None = None,
    limit: int = 20,
) -> TrailPage:
    """The newest `limit` rows of the person's trail (older than a row's key, if given)."""
    if not 1 <= limit <= PAGE_MAX:
        raise ValueError(f"a page of the trail has 1 to {PAGE_MAX} rows, not {limit}")
    rows = await conn.fetch(
        _TRAIL,
        city_code,
        person_id,
        older_than.at if older_than else None,
        older_than.id if older_than else None,
        limit + 1,
    )
    return page_of([TrailEntry.model_validate(record(r)) for r in rows], limit)
