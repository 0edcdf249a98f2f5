"""The referrals a user follows: every open one in their scope, overdue ones first, and
for the home screen the overdue and those due within the week. Overdue and due soon are
the database's judgement (sql/V013 `referral_overdue`, `referral_due_soon`), the same the
ledgers make, on the day given."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record

LIMIT = 500


class ReferralLine(BaseModel):
    """One need being followed up, as a list shows it."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    person_id: UUID
    person_name: str | None
    grid_name: str | None
    category: str
    description: str
    channel: str
    department_name: str | None
    status: str  # open or referred
    raised_on: date
    referred_on: date | None
    due_on: date | None
    acknowledged_on: date | None
    outcome_status: str | None  # where its close stands in review; None: not written
    overdue: bool
    due_soon: bool
    days_overdue: int | None


_LINES = """
SELECT f.city_code, f.id, f.person_id, f.person_name, f.grid_name, f.category, f.description,
       f.channel, f.department_name, f.status, f.raised_on, f.referred_on, f.due_on,
       f.acknowledged_on, f.outcome_status,
       referral_overdue(f.status, f.due_on, $1) AS overdue,
       referral_due_soon(f.status, f.due_on, $1) AS due_soon,
       CASE WHEN referral_overdue(f.status, f.due_on, $1) THEN $1 - f.due_on END AS days_overdue
  FROM referral_followup f
 WHERE f.status IN ('open', 'referred')
"""
_ORDER = " ORDER BY overdue DESC, f.due_on NULLS LAST, f.raised_on, f.id LIMIT $2"


async def open_referrals(conn: Connection, today: date) -> list[ReferralLine]:
    """Every need being followed up in the user's scope: overdue on `today` first (the
    longest overdue first), then by due date."""
    rows = await conn.fetch(_LINES + _ORDER, today, LIMIT)
    return [ReferralLine.model_validate(record(r)) for r in rows]


async def due_referrals(conn: Connection, today: date) -> list[ReferralLine]:
    """For the home screen: the user's needs overdue on `today` and those falling due
    within the seven days from it, the most pressing first."""
    rows = await conn.fetch(
        _LINES + " AND (referral_overdue(f.status, f.due_on, $1) "
        "OR referral_due_soon(f.status, f.due_on, $1))" + _ORDER,
        today, LIMIT,
    )  # fmt: skip
    return [ReferralLine.model_validate(record(r)) for r in rows]
