"""What the ledger screen charts: the last twelve months of casework in a scope, and the
largest groups of a statistic. Counts of records only, never a person.

A month counts, in the scope (an org code: its unit and everything under it):
- visits approved by review, by the day visited;
- dispute cases approved by review, by the day the case was opened;
- referrals, needs handed to a department, by the day referred (a referral itself is
  not reviewed; only its close is, later).
Read as whoever the connection acts as: row-level security decides what is counted.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection
from db.ledgers.catalogue import get_ledger
from db.ledgers.reads import ledger_page

TREND_MONTHS = 12
TOP_GROUPS = 10

_IN_SCOPE = "org_code >= $1 AND org_code < $1 || ':'"
_PER_MONTH = """
SELECT date_trunc('month', {day})::date AS month, count(*) AS n
  FROM {table}, span
 WHERE {scope} AND {approved} AND {day} >= span.first_month AND {day} < span.stop
 GROUP BY 1
"""
TREND = f"""
WITH span AS (
    SELECT ($2::date - make_interval(months => $3::int - 1))::date AS first_month,
           ($2::date + interval '1 month')::date AS stop
), months AS (
    SELECT generate_series(first_month, $2::date, interval '1 month')::date AS month FROM span
), v AS ({_PER_MONTH.format(day="visited_on", table="visit", scope=_IN_SCOPE,
                            approved="status = 'approved'")}
), c AS ({_PER_MONTH.format(day="opened_on", table="dispute_case", scope=_IN_SCOPE,
                            approved="status = 'approved'")}
), r AS ({_PER_MONTH.format(day="referred_on", table="assistance_request", scope=_IN_SCOPE,
                            approved="referred_on IS NOT NULL")}
)
SELECT m.month, coalesce(v.n, 0) AS visits, coalesce(c.n, 0) AS cases,
       coalesce(r.n, 0) AS referrals
  FROM months m
  LEFT JOIN v ON v.month = m.month
  LEFT JOIN c ON c.month = m.month
  LEFT JOIN r ON r.month = m.month
 ORDER BY m.month
"""  # fmt: skip


class MonthCounts(BaseModel):
    """One month of a scope's casework."""

    model_config = ConfigDict(frozen=True)

    month: date
    visits: int
    cases: int
    referrals: int


class GroupCount(BaseModel):
    """One group of a statistic (an ethnic group, a province) and its registered persons."""

    model_config = ConfigDict(frozen=True)

    label: str
    persons: int


class LargestGroups(BaseModel):
    """The largest groups, largest first, and the persons of all the others together."""

    model_config = ConfigDict(frozen=True)

    groups: list[GroupCount]
    other: int


async def monthly_trend(
    conn: Connection, scope: str, last_month: date, months: int = TREND_MONTHS
) -> list[MonthCounts]:
    """Visits, cases and referrals of `scope` in each of the `months` months up to and
    including `last_month` (any day of it), oldest first."""
    rows = await conn.fetch(TREND, scope, last_month.replace(day=1), months)
    return [MonthCounts.model_validate(dict(r.items())) for r in rows]


async def largest_groups(
    conn: Connection, ledger_name: str, scope: str, *, top: int = TOP_GROUPS, batch: int = 200
) -> LargestGroups:
    """The `top` largest groups of a statistic (a ledger that counts `persons` by the
    category in its first column) for `scope`; the rest added up as `other`. Groups of
    equal size keep the ledger's order."""
    ledger = get_ledger(ledger_name)
    category = ledger.columns[0]
    counts: list[GroupCount] = []
    after = None
    while True:
        page = await ledger_page(conn, ledger_name, scope, None, after, limit=batch)
        counts += [
            GroupCount(label=str(row[category] or ""), persons=_count(row["persons"]))
            for row in page.rows
        ]
        if page.after is None:
            break
        after = page.after
    ranked = sorted(counts, key=lambda g: -g.persons)
    return LargestGroups(groups=ranked[:top], other=sum(g.persons for g in ranked[top:]))


def _count(cell: object) -> int:
    return cell if isinstance(cell, int) else 0
