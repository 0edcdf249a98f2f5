"""What a ledger covers: an org unit (with everything under it) and, for some, a month."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection
from db.core.errors import UserError

_MONTH = re.compile(r"(\d{4})-(\d{2})")
# The code length of the units directly under a unit, by its own code's length.
BELOW = {4: 6, 6: 9, 9: 12, 12: 14, 14: 14}


class UnknownUnit(UserError):
    """The org code given names no org unit."""


class ScopeNeeded(UserError):
    """The database holds more than one city and no unit was named."""


class LedgerScope(BaseModel):
    """The unit a ledger covers: its code, its name and the names above it."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    path: str  # 郑州市金水区文化路街道: the city down to the unit

    @property
    def city(self) -> str:
        return self.code[:4]

    @property
    def below(self) -> int:
        return BELOW[len(self.code)]


def parse_month(text: str) -> date:
    """YYYY-MM as the first day of that month; ValueError naming what is wrong."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"{text!r} is not a month as YYYY-MM (2026-11)")
    return date(int(match[1]), int(match[2]), 1)


def month_label(month: date, lang: str = "zh") -> str:
    return f"{month:%Y-%m}" if lang == "en" else f"{month.year}年{month.month}月"


_UNIT = """
SELECT u.code, u.name,
       (SELECT string_agg(a.name, '' ORDER BY length(a.code)) FROM org_unit a
         WHERE a.code = left(u.code, length(a.code))) AS path
  FROM org_unit u WHERE u.code = $1
"""


async def resolve_scope(conn: Connection, org: str | None) -> LedgerScope:
    """The unit `org` names; with none, the database's only city."""
    if org is None:
        cities = await conn.fetch(
            "SELECT code, name FROM org_unit WHERE level = 'city' ORDER BY code"
        )
        if len(cities) != 1:
            held = ", ".join(f"{c['code']} {c['name']}" for c in cities) or "none"
            raise ScopeNeeded(f"org: name the unit to cover; the cities here are {held}")
        org = str(cities[0]["code"])
    row = await conn.fetchrow(_UNIT, org.strip())
    if row is None:
        raise UnknownUnit(f"org {org}: no such org unit")
    return LedgerScope(code=row["code"], name=row["name"], path=row["path"])
