"""The org units a ledger may cover for a user: their own unit and every unit under it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection

_UNITS = """
SELECT code, name, level FROM org_unit
 WHERE code >= $1 AND code < $1 || ':'
 ORDER BY code
"""


class Unit(BaseModel):
    """One org unit, as a choice of scope."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    level: str


async def units_under(conn: Connection, scope: str) -> list[Unit]:
    """`scope`'s unit and the units under it, each after its parent (by code), as the
    connection's role reads org_unit."""
    rows = await conn.fetch(_UNITS, scope)
    return [Unit(code=r["code"], name=r["name"], level=r["level"]) for r in rows]
