"""The supervisor's dashboard: figures of their scope for the month of a day, each the
count behind a list they can open. Overdue is each area's judgement (sweeps filed, the
referrals' due dates, the half-year rule of meetings, the 三必谈 of representatives);
missing 三必清 fields are the data-quality ledger's. Counts only, of work and records:
nothing here scores, ranks or flags a person."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.disputes.months import MonthStatus, first_of, month_before, month_status
from db.ledgers.home import records_to_complete
from db.meetings.rhythm import OverdueMeeting, overdue_meetings
from db.representatives.store import due_for_home
from db.signoff import months_to_sign_off

# Open cases by how long ago they were taken in: under 30 days, 30 to 90, over 90.
AGE_BANDS = (30, 90)


class PersonCounts(BaseModel):
    """The register of the scope and its month's movement."""

    model_config = ConfigDict(frozen=True)

    registered: int
    arrived: int  # arrived or came back in the month
    left: int  # left the city (or moved out of it) in the month
    missing_fields: int  # registered with a 三必清 field empty (ledger_quality)


class DepartmentReferrals(BaseModel):
    """The needs referred to one department (or to none yet) still being followed up."""

    model_config = ConfigDict(frozen=True)

    department_name: str | None  # None: not referred yet
    open: int
    overdue: int


class CaseAges(BaseModel):
    model_config = ConfigDict(frozen=True)

    under_30: int
    to_90: int
    over_90: int


class Dashboard(BaseModel):
    """What the supervisor's first screen counts, read in one transaction."""

    model_config = ConfigDict(frozen=True)

    day: date
    scope: str
    persons: PersonCounts
    unfiled: list[MonthStatus]  # this month's and last month's sweeps not filed
    referrals: list[DepartmentReferrals]
    cases: CaseAges
    open_items: int
    overdue_items: int
    overdue_meetings: list[OverdueMeeting]
    representatives_overdue: int
    waiting_review: int
    to_sign_off: int  # communities whose last ended month is not signed off


async def dashboard(conn: Connection, today: date) -> Dashboard:
    """The user's dashboard on `today`, for their scope."""
    scope = await conn.fetchval("SELECT tx_scope()")
    if scope is None:
        raise UserError("dashboard: only an app user has a scope")
    this_month = first_of(today)
    unfiled = [
        s
        for month in (month_before(this_month), this_month)
        for s in await month_status(conn, scope, month, today)
        if s.state in ("due", "missing")
    ]
    items = record(
        await conn.fetchrow(
            "SELECT count(*) AS open, count(*) FILTER (WHERE due_on < $1) AS overdue "
            "FROM action_item WHERE status = 'open'",
            today,
        )
    )
    reps = await due_for_home(conn, today)
    return Dashboard(
        day=today,
        scope=scope,
        persons=await person_counts(conn, scope, today),
        unfiled=unfiled,
        referrals=await referrals_by_department(conn, today),
        cases=await case_ages(conn, today),
        open_items=items["open"],
        overdue_items=items["overdue"],
        overdue_meetings=await overdue_meetings(conn, today),
        representatives_overdue=sum(r.state == "overdue" for r in reps),
        waiting_review=await conn.fetchval("SELECT count(*) FROM review_queue"),
        to_sign_off=len(await months_to_sign_off(conn, scope, today)),
    )


async def person_counts(conn: Connection, scope: str, today: date) -> PersonCounts:
    """The persons of `scope` registered now; who arrived (or came back) and who left in
    `today`'s month, as the monthly ledger counts them (person_month_count); the records the
    data-quality ledger lists."""
    registered = await conn.fetchval(
        "SELECT count(*) FROM person WHERE org_code >= $1 AND org_code < $1 || ':' "
        "AND status = 'registered' AND anonymised_at IS NULL",
        scope,
    )
    moved = record(
        await conn.fetchrow(
            "SELECT coalesce(sum(events) FILTER (WHERE event IN ('arrived', 'returned')), 0) "
            "AS arrived, coalesce(sum(events) FILTER (WHERE event = 'left'), 0) AS left "
            "FROM person_month_count WHERE org_code = $1 AND month = $2",
            scope,
            first_of(today),
        )
    )
    quality = await records_to_complete(conn, scope, limit=0)
    return PersonCounts(registered=registered, arrived=moved["arrived"], left=moved["left"],
                        missing_fields=quality.count)  # fmt: skip


async def referrals_by_department(conn: Connection, today: date) -> list[DepartmentReferrals]:
    """The needs followed up in the user's scope, per department, overdue as the
    referrals' own rule says on `today`; those not referred yet last."""
    rows = await conn.fetch(
        """
        SELECT f.department_name, count(*) AS open,
               count(*) FILTER (WHERE referral_overdue(f.status, f.due_on, $1)) AS overdue
          FROM referral_followup f
         WHERE f.status IN ('open', 'referred')
         GROUP BY f.department_name
         ORDER BY f.department_name IS NULL, overdue DESC, open DESC, f.department_name
        """,
        today,
    )
    return [DepartmentReferrals.model_validate(record(r)) for r in rows]


async def case_ages(conn: Connection, today: date) -> CaseAges:
    """The open dispute cases (taken in or being mediated) by days since taken in."""
    row = await conn.fetchrow(
        """
        SELECT count(*) FILTER (WHERE $1 - opened_on < $2) AS under_30,
               count(*) FILTER (WHERE $1 - opened_on BETWEEN $2 AND $3) AS to_90,
               count(*) FILTER (WHERE $1 - opened_on > $3) AS over_90
          FROM dispute_case WHERE stage IN ('open', 'mediating')
        """,
        today, *AGE_BANDS,
    )  # fmt: skip
    return CaseAges.model_validate(record(row))
