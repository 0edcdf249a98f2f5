"""How the months' sweeps stand: filed, filed late, missing or still due (sql/V012
sweep_month_status), the counts the monthly report needs, a city's settings, and what
the grid worker's home screen lists.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, field_validator

from db.core.connect import Connection, record
from db.core.errors import UserError
from db.core.problems import N_, problem

SweepState = Literal["filed", "late", "missing", "due"]
FilingUnit = Literal["community", "grid"]


class MonthStatus(BaseModel):
    """The month's sweep of one filing unit, as it stands on a day."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    org_code: str
    unit_name: str
    month: date
    due_on: date
    sweep_id: UUID | None
    status: str | None  # the sweep's place in review; None: not begun
    nil_return: bool | None
    filed_at: datetime | None
    state: SweepState


class SweepDue(BaseModel):
    """A home-screen line: the unit's sweep of a month, how it stands and when it is due,
    and how many of the unit's cases are still open."""

    model_config = ConfigDict(frozen=True)

    status: MonthStatus
    days_left: int  # to the due day; negative once it is past
    open_cases: int


class SweepCount(BaseModel):
    """A sweep's figures for the monthly report (sql/V012 dispute_month_cases)."""

    model_config = ConfigDict(frozen=True)

    sweep_id: UUID
    org_code: str
    month: date
    found: int
    mediated: int
    resolved: int


class SweepSetting(BaseModel):
    """A city's deadline day (of the following month) and the unit that files.

    The day may be 29 to 31, as the database allows: in a month without it the
    sweep is due on that month's last day (sql/V012 sweep_due_on)."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    deadline_day: int = Field(default=20, ge=1, le=31)
    filing_unit: FilingUnit = "community"
    version: int | None = None  # None: the defaults, never stored

    @field_validator("deadline_day", mode="before")
    @classmethod
    def _a_day_of_the_month(cls, value: object) -> object:
        text = unicodedata.normalize("NFKC", str(value)).strip()  # full-width digits too
        if not text:
            raise problem(N_("type a day of the month, 1 to 31"))
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 31:
            raise problem(N_("{value} is not a day of the month: type 1 to 31"), value=text)
        return int(text)


class SweepRule(BaseModel):
    """A city's settings as its admins' screen shows them, with the city's name."""

    model_config = ConfigDict(frozen=True)

    setting: SweepSetting
    city_name: str


class SettingChanged(UserError):
    """Someone saved the city's settings since they were read."""


class NotTheCitysAdmin(UserError):
    """Only an admin whose scope is the city changes its settings."""


def first_of(day: date) -> date:
    return day.replace(day=1)


def month_before(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


async def month_status(conn: Connection, scope: str, month: date, today: date) -> list[MonthStatus]:
    """Every filing unit of `scope` and its sweep of `month`, on `today`."""
    rows = await conn.fetch("SELECT * FROM sweep_month_status($1, $2, $3)", scope, month, today)
    return [MonthStatus.model_validate(record(r)) for r in rows]


def months_back(today: date, count: int) -> list[date]:
    """The first days of this month and the `count - 1` before it, the latest first."""
    months = [first_of(today)]
    while len(months) < count:
        months.append(month_before(months[-1]))
    return months


async def scope_months(conn: Connection, today: date, count: int = 12) -> list[MonthStatus]:
    """The sweeps of the user's scope, this month and the `count - 1` before it: every
    filing unit's, the latest month first (the sweep list shows them so)."""
    scope = await _scope(conn)
    found: list[MonthStatus] = []
    for month in months_back(today, count):
        found += await month_status(conn, scope, month, today)
    return found


async def home_sweeps(conn: Connection, today: date) -> list[SweepDue]:
    """For the home screen: the sweep of this month of each unit the user files for, and
    last month's while it is still to file (due, or missing past its day)."""
    this_month = first_of(today)
    statuses = [
        s for s in await month_status(conn, await _scope(conn), month_before(this_month), today)
        if s.state in ("due", "missing")
    ] + await month_status(conn, await _scope(conn), this_month, today)  # fmt: skip
    open_cases = await _open_cases(conn, sorted({s.org_code for s in statuses}))
    return [
        SweepDue(status=s, days_left=(s.due_on - today).days,
                 open_cases=open_cases.get(s.org_code, 0))
        for s in statuses
    ]  # fmt: skip


async def _scope(conn: Connection) -> str:
    scope = await conn.fetchval("SELECT tx_scope()")
    if scope is None:
        raise UserError("sweeps: only an app user has a scope")
    return str(scope)


async def _open_cases(conn: Connection, units: list[str]) -> dict[str, int]:
    rows = await conn.fetch(
        """
        SELECT u.code, count(c.id) AS open
          FROM unnest($1::text[]) AS u(code)
          LEFT JOIN dispute_case c
            ON c.org_code >= u.code COLLATE "C" AND c.org_code < u.code || ':'
           AND c.stage IN ('open', 'mediating')
         GROUP BY u.code
        """,
        units,
    )
    return {r["code"]: r["open"] for r in rows}


async def sweep_counts(conn: Connection, sweep_ids: list[UUID]) -> list[SweepCount]:
    """Found, mediated, resolved for each of the sweeps (that the user can see)."""
    rows = await conn.fetch(
        "SELECT sweep_id, org_code, month, found, mediated, resolved FROM dispute_sweep_count "
        "WHERE sweep_id = ANY($1::uuid[]) ORDER BY month, org_code",
        sweep_ids,
    )
    return [SweepCount.model_validate(record(r)) for r in rows]


async def sweep_setting(conn: Connection, city_code: str) -> SweepSetting:
    row = await conn.fetchrow(
        "SELECT city_code, deadline_day, filing_unit, version FROM sweep_setting "
        "WHERE city_code = $1",
        city_code,
    )
    return (
        SweepSetting(city_code=city_code)
        if row is None
        else SweepSetting.model_validate(record(row))
    )


async def sweep_rule(conn: Connection, city_code: str) -> SweepRule:
    """The city's settings (the defaults when none were set) and its name."""
    name = await conn.fetchval("SELECT name FROM org_unit WHERE code = $1", city_code)
    return SweepRule(setting=await sweep_setting(conn, city_code), city_name=name or city_code)


async def save_sweep_setting(conn: Connection, setting: SweepSetting) -> SweepSetting:
    """A city admin sets the city's deadline day or filing unit (as stored at `version`,
    or the first time, when None). The database decides who may (sql/V012: admins, in
    their scope, which holds the city's row only for the city's admins)."""
    try:
        row = await _write_setting(conn, setting)
    except asyncpg.InsufficientPrivilegeError as exc:
        raise NotTheCitysAdmin("sweep settings: only an admin of the city changes them") from exc
    if row is not None:
        return SweepSetting.model_validate(record(row))
    stored = await conn.fetchval(
        "SELECT version FROM sweep_setting WHERE city_code = $1", setting.city_code
    )
    if stored != setting.version:
        raise SettingChanged("sweep settings: changed meanwhile by someone else; reload them")
    # The row is as read, and the update still reached none: not in the user's scope.
    raise NotTheCitysAdmin("sweep settings: only an admin of the city changes them")


async def _write_setting(conn: Connection, setting: SweepSetting) -> asyncpg.Record | None:
    if setting.version is None:
        return await conn.fetchrow(
            "INSERT INTO sweep_setting (city_code, org_code, deadline_day, filing_unit) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (city_code) DO NOTHING "
            "RETURNING city_code, deadline_day, filing_unit, version",
            setting.city_code, setting.city_code, setting.deadline_day, setting.filing_unit,
        )  # fmt: skip
    return await conn.fetchrow(
        "UPDATE sweep_setting SET deadline_day = $2, filing_unit = $3, version = version + 1 "
        "WHERE city_code = $1 AND version = $4 "
        "RETURNING city_code, deadline_day, filing_unit, version",
        setting.city_code, setting.deadline_day, setting.filing_unit, setting.version,
    )  # fmt: skip
