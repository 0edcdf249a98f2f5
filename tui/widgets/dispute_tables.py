"""The lists of dispute casework: a sweep's open cases with their re-checks and its new
cases, a case's parties and its dated history. Whole columns, the most needed first;
the note (or summary) wraps in the room left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from db.core.clock import OFFICE_TZ
from db.disputes.case_form import PartyForm
from db.disputes.cases import CaseLine
from db.disputes.months import MonthStatus
from db.disputes.steps import StepForm
from tui.i18n import N_, _
from tui.labels import (
    DISPUTE_KINDS,
    DISPUTE_STAGES,
    PARTY_ROLES,
    SWEEP_DETAILS,
    VISIT_STATUSES,
    label,
)
from tui.widgets.fitted_table import FittedTable


@dataclass(frozen=True, slots=True)
class RecheckRow:
    """An open case and its re-check in the sweep (None: not re-checked yet)."""

    case: CaseLine
    check: StepForm | None

    @property
    def id(self) -> object:
        return self.case.id


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A step of a case: stored (`where` says where it was written) or added now."""

    day: str
    stage: str
    note: str
    where: str  # as shown: this case's, a sweep's of a month, added now


def _r(cell: object) -> RecheckRow:
    assert isinstance(cell, RecheckRow)
    return cell


def _c(cell: object) -> CaseLine:
    assert isinstance(cell, CaseLine)
    return cell


def _p(cell: object) -> PartyForm:
    assert isinstance(cell, PartyForm)
    return cell


def _h(cell: object) -> HistoryRow:
    assert isinstance(cell, HistoryRow)
    return cell


def _check(row: RecheckRow) -> str:
    if row.check is None:
        return _("Not re-checked yet")
    return f"{label(DISPUTE_STAGES, row.check.stage)} {row.check.on}"


def _note(row: RecheckRow) -> str:
    return row.check.note if row.check is not None else ""


def _stage_since(case: CaseLine) -> str:
    return label(DISPUTE_STAGES, case.stage)


@dataclass(frozen=True, slots=True)
class MonthRow:
    """A unit's sweep of a month as it stands on `today`."""

    status: MonthStatus
    today: date

    @property
    def id(self) -> str:
        return f"{self.status.org_code}/{self.status.month.isoformat()}"


def _m(cell: object) -> MonthStatus:
    assert isinstance(cell, MonthRow)
    return cell.status


def sweep_state(status: MonthStatus, today: date) -> str:
    """How a month's sweep stands, in words: filed (late or on time, on which day), or
    not yet, and how many days are left to its due day or have passed since."""
    due = status.due_on.isoformat()
    if status.filed_at is not None:
        day = status.filed_at.astimezone(OFFICE_TZ).date().isoformat()
        if status.state == "late":
            return _("Filed late on {day} (due {due})").format(day=day, due=due)
        return _("Filed on {day}").format(day=day)
    days = (status.due_on - today).days
    if status.state == "missing":
        return _("Not filed: {days} days late (due {due})").format(days=-days, due=due)
    if days == 0:
        return _("Due today ({due})").format(due=due)
    return _("Due in {days} days ({due})").format(days=days, due=due)


def _state(cell: object) -> str:
    assert isinstance(cell, MonthRow)
    return sweep_state(cell.status, cell.today)


def sweep_return(status: MonthStatus) -> str:
    """Whether the sweep is a nil return or lists new cases (nothing before it is begun)."""
    if status.nil_return is None:
        return ""
    return label(SWEEP_DETAILS, "nil_return" if status.nil_return else "with_cases")


def sweep_review(status: MonthStatus) -> str:
    return label(VISIT_STATUSES, status.status) if status.status else _("Not begun")


class MonthTable(FittedTable[MonthRow]):
    """Sweeps by month: the month, the unit, how it stands, nil or not, its review."""

    WRAPS: ClassVar[str] = "state"
    COLUMNS: ClassVar = (
        ("month", N_("Month"), lambda m: sweep_month(_m(m).month)),
        ("state", N_("Filed"), lambda m: _state(m)),
        ("return", N_("Sweep result"), lambda m: sweep_return(_m(m))),
        ("review", N_("Review"), lambda m: sweep_review(_m(m))),
        ("unit", N_("Community"), lambda m: _m(m).unit_name),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(("month", "state", "return", "review", "unit"), id=id)

    def row_style(self, item: MonthRow) -> str:
        return {"missing": "red", "late": "yellow"}.get(item.status.state, "")


class RecheckTable(FittedTable[RecheckRow]):
    """The sweep's open cases: between whom, what, how it stood, and its re-check."""

    WRAPS: ClassVar[str] = "note"
    COLUMNS: ClassVar = (
        ("who", N_("Parties"), lambda r: "\n".join(_r(r).case.parties)),
        ("kind", N_("Dispute kind"), lambda r: label(DISPUTE_KINDS, _r(r).case.kind)),
        ("stage", N_("Status"), lambda r: _stage_since(_r(r).case)),
        ("check", N_("Re-check"), lambda r: _check(_r(r))),
        ("note", N_("Note"), lambda r: _note(_r(r))),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(("who", "check", "note", "stage", "kind"), id=id)


class CaseTable(FittedTable[CaseLine]):
    """Cases: when taken in, between whom, what kind, how it stands, what it is about."""

    WRAPS: ClassVar[str] = "summary"
    COLUMNS: ClassVar = (
        ("opened", N_("Taken in"), lambda c: _c(c).opened_on.isoformat()),
        ("who", N_("Parties"), lambda c: "\n".join(_c(c).parties)),
        ("kind", N_("Dispute kind"), lambda c: label(DISPUTE_KINDS, _c(c).kind)),
        ("stage", N_("Status"), lambda c: _stage_since(_c(c))),
        ("summary", N_("What it is about"), lambda c: _c(c).summary),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(("opened", "who", "stage", "summary", "kind"), id=id)


class PartyTable(FittedTable[PartyForm]):
    """A case's parties: name, role, whether registered, who they are."""

    WRAPS: ClassVar[str] = "detail"
    COLUMNS: ClassVar = (
        ("name", N_("Name"), lambda p: _p(p).name),
        ("role", N_("Role"), lambda p: label(PARTY_ROLES, _p(p).role)),
        ("registered", N_("Registered"),
         lambda p: _("Registered") if _p(p).person_id else _("Not registered")),
        ("detail", N_("Who they are"), lambda p: _p(p).detail),
    )  # fmt: skip

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(("name", "role", "registered", "detail"), id=id)


class HistoryTable(FittedTable[HistoryRow]):
    """A case's steps, oldest first: the day, the status after it, what happened, where."""

    WRAPS: ClassVar[str] = "note"
    COLUMNS: ClassVar = (
        ("day", N_("Date"), lambda h: _h(h).day),
        ("stage", N_("Status"), lambda h: label(DISPUTE_STAGES, _h(h).stage)),
        ("note", N_("What happened"), lambda h: _h(h).note),
        ("where", N_("Recorded in"), lambda h: _h(h).where),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(("day", "stage", "note", "where"), id=id)


def sweep_month(month: date) -> str:
    """How a sweep's month is named: 2026-11."""
    return f"{month.year}-{month.month:02d}"
