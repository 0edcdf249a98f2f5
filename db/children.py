"""Child rows (a visit's persons and needs, a household's members, a dispute's parties):
written like their table's other rows, removed only through the database's check.

No app role holds DELETE on any table (a table-level DELETE grant lets its holder lock
the table and stall every writer), so a form that drops a child row asks
`tx_remove_children`, which checks what the policies would (sql/V010).
"""

from __future__ import annotations

from uuid import UUID

from db.core.connect import Connection


async def remove_children(
    conn: Connection, table: str, city_code: str, parent: UUID, keep: list[UUID]
) -> int:
    """Remove the rows of `table` under `parent` that are not in `keep`; how many went."""
    removed = await conn.fetchval(
        "SELECT tx_remove_children($1, $2, $3, $4::uuid[])", table, city_code, parent, keep
    )
    return int(removed or 0)
