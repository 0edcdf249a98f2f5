"""A supervisor signs off a community's month, which then locks (sql/V019); reopening it
says why. Every rule is the database's, checked as the user: the community lies in
their scope, the month has ended, its sweep is approved, nothing of it waits for review
or a fix. What it refuses comes back as `SignOffRefused`, its one line in words, with
the refusal's msgid and what fills it (`Refusal`), so the interface says it in the
user's language; a late edit the lock refuses is read the same way (`refusal_of`).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any, Literal

import asyncpg
from pydantic import BaseModel, ConfigDict, field_validator

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.core.problems import N_, problem

MonthStanding = Literal["open", "signed_off", "reopened"]
REASON_LIMIT = 500


# The database's refusals (the CONSTRAINT of its RAISE, sql/V019) and their msgids; the
# DETAIL of each holds what fills the msgid.
REFUSALS: dict[str, str] = {
    "month_signed_off": N_(
        "{month} of {unit} was signed off by {by} on {on}; ask a supervisor to reopen it"
    ),
    "sign_off_scope": N_("{unit} is not in your scope"),
    "sign_off_community": N_("{unit} is not a community; months are signed off by community"),
    "sign_off_not_ended": N_("{month} has not ended yet"),
    "sign_off_again": N_("{month} of {unit} was signed off already, by {by} on {on}"),
    "sign_off_sweep": N_("the sweep of {month} of {unit} is not approved ({sweeps})"),
    "sign_off_pending": N_(
        "{month} of {unit} still has records under review or returned for a fix ({kinds}); "
        "finish them first"
    ),
    "reopen_reason": N_("say why {month} is reopened"),
    "reopen_changed": N_("it was reopened or changed meanwhile, or is not in your scope"),
}


class Refusal(BaseModel):
    """Why the database refused: its code, the msgid, and what fills the msgid."""

    model_config = ConfigDict(frozen=True)

    code: str
    detail: dict[str, Any]

    @property
    def msgid(self) -> str:
        return REFUSALS[self.code]


class SignOffRefused(UserError):
    """The database refused a sign-off or a reopen; the message says why."""

    def __init__(self, message: str, refusal: Refusal | None = None) -> None:
        super().__init__(message)
        self.refusal = refusal


def refusal_of(exc: BaseException) -> Refusal | None:
    """The sign-off refusal an error carries (a late edit of a signed-off month, a sign-off
    or a reopen refused), or None."""
    if isinstance(exc, SignOffRefused):
        return exc.refusal
    code = getattr(exc, "constraint_name", None)
    if not isinstance(exc, asyncpg.PostgresError) or code not in REFUSALS:
        return None
    try:
        detail = json.loads(getattr(exc, "detail", None) or "{}")
    except ValueError:
        return None
    return Refusal(code=code, detail=detail) if isinstance(detail, dict) else None


def _refused(exc: asyncpg.PostgresError) -> SignOffRefused:
    return SignOffRefused(str(exc).strip().splitlines()[0], refusal_of(exc))


class MonthState(BaseModel):
    """Where a community's month stands: open, signed off (by whom, when), or reopened
    (by whom, when, why) after its last sign-off."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    org_code: str
    community_name: str
    month: date
    id: uuid.UUID | None = None  # its last sign-off
    version: int | None = None
    signed_by_name: str = ""
    signed_at: datetime | None = None
    reopened_by_name: str = ""
    reopened_at: datetime | None = None
    reopen_reason: str = ""

    @property
    def standing(self) -> MonthStanding:
        if self.id is None:
            return "open"
        return "signed_off" if self.reopened_at is None else "reopened"


class SignOff(BaseModel):
    """A community's month to sign off; any day of the month names it."""

    model_config = ConfigDict(frozen=True)

    org_code: str
    month: date

    @field_validator("org_code")
    @classmethod
    def _community(cls, value: str) -> str:
        if len(value) != 12 or not value.isdigit():
            raise problem(N_("is not a community"))
        return value

    @field_validator("month")
    @classmethod
    def _first_day(cls, value: date) -> date:
        return value.replace(day=1)


class Reopen(BaseModel):
    """A signed-off month to reopen (its sign-off, at the version shown), and why."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: uuid.UUID
    version: int
    reason: str

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise problem(N_("say why the month is reopened"))
        if len(value) > REASON_LIMIT:
            raise problem(N_("at most {limit} characters"), limit=REASON_LIMIT)
        return value


_MONTHS = """
WITH units AS (
    SELECT o.city_code, o.code, o.name FROM org_unit o
     WHERE o.level = 'community' AND o.code >= $1 AND o.code < $1 || ':'
    UNION
    SELECT o.city_code, o.code, o.name FROM org_unit o
     WHERE o.level = 'community' AND length($1) > 12 AND o.code = left($1, 12)
), months AS (
    SELECT (date_trunc('month', $2::date) - make_interval(months => n))::date AS month
      FROM generate_series(0, $3 - 1) n
)
SELECT u.city_code, u.code AS org_code, u.name AS community_name, m.month, s.id, s.version,
       s.signed_by_name, s.signed_at, s.reopened_by_name, s.reopened_at, s.reopen_reason
  FROM units u CROSS JOIN months m
  LEFT JOIN LATERAL (
        SELECT * FROM month_sign_off s WHERE s.org_code = u.code AND s.month = m.month
         ORDER BY s.reopened_at IS NULL DESC, s.signed_at DESC LIMIT 1) s ON true
 WHERE ($4::text IS NULL OR u.code = $4)
 ORDER BY u.code, m.month DESC
"""


def _state(row: asyncpg.Record) -> MonthState:
    values = {k: v for k, v in record(row).items() if v is not None}
    return MonthState.model_validate(values)


async def months(
    conn: Connection, scope: str, last: date, count: int = 3, *, community: str | None = None
) -> list[MonthState]:
    """The communities of `scope` (or the one holding it) × the `count` months up to the
    one `last` lies in, newest first, with where each stands."""
    rows = await conn.fetch(_MONTHS, scope, last, count, community)
    return [_state(r) for r in rows]


def last_ended_month(on: date) -> date:
    """The first day of the month before the one `on` lies in."""
    return (on.replace(day=1) - timedelta(days=1)).replace(day=1)


async def months_to_sign_off(conn: Connection, scope: str, today: date) -> list[MonthState]:
    """For a supervisor's home screen: the communities of `scope` whose last ended month
    is not signed off (yet, or again since it was reopened)."""
    found = await months(conn, scope, last_ended_month(today), 1)
    return [m for m in found if m.standing != "signed_off"]


async def month_state(conn: Connection, org_code: str, month: date) -> MonthState | None:
    """One community's month, as `months` lists it; None outside the user's view."""
    found = await months(conn, org_code, month, 1, community=org_code)
    return found[0] if found else None


async def sign_off(conn: Connection, request: SignOff) -> MonthState:
    """Sign the month off as the user, in one transaction; refused in words."""
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO month_sign_off (city_code, id, org_code, month) "
                "VALUES ($1, $2, $3, $4)",
                request.org_code[:4], uuid.uuid4(), request.org_code, request.month,
            )  # fmt: skip
    except asyncpg.InsufficientPrivilegeError as exc:
        raise SignOffRefused(
            f"sign-off: {request.org_code} is not in your scope",
            Refusal(code="sign_off_scope", detail={"unit": request.org_code}),
        ) from exc
    except (asyncpg.CheckViolationError, asyncpg.UniqueViolationError) as exc:
        raise _refused(exc) from exc
    return await _after(conn, request.org_code, request.month)


async def reopen(conn: Connection, request: Reopen) -> MonthState:
    """Reopen a signed-off month as the user, saying why; refused in words."""
    try:
        async with conn.transaction():
            row = await conn.fetchrow(
                "UPDATE month_sign_off SET reopen_reason = $4, version = version + 1 "
                "WHERE city_code = $1 AND id = $2 AND version = $3 AND reopened_at IS NULL "
                "RETURNING org_code, month",
                request.city_code, request.id, request.version, request.reason,
            )  # fmt: skip
    except (asyncpg.InsufficientPrivilegeError, asyncpg.CheckViolationError) as exc:
        raise _refused(exc) from exc
    if row is None:
        raise SignOffRefused(
            "reopen: it was reopened or changed meanwhile, or is not in your scope",
            Refusal(code="reopen_changed", detail={}),
        )
    return await _after(conn, row["org_code"], row["month"])


async def _after(conn: Connection, org_code: str, month: date) -> MonthState:
    state = await month_state(conn, org_code, month)
    if state is None:
        raise SignOffRefused(
            f"sign-off: {org_code} is not in your scope",
            Refusal(code="sign_off_scope", detail={"unit": org_code}),
        )
    return state
