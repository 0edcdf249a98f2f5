"""The needs a user follows up: by when, whether overdue (in words, and in colour), whose,
what, with which department, where it stands."""

from __future__ import annotations

from typing import ClassVar

from db.referrals.lists import ReferralLine
from tui.i18n import N_, _
from tui.labels import NEED_CATEGORIES, NEED_STATUSES, VISIT_STATUSES, label
from tui.widgets.fitted_table import FittedTable

ORDER = ("due", "urgency", "person", "category", "status", "what", "department", "grid")
OVERDUE_STYLE, SOON_STYLE = "bold red", "yellow"


def _r(cell: object) -> ReferralLine:
    assert isinstance(cell, ReferralLine)
    return cell


def due(line: ReferralLine) -> str:
    return line.due_on.isoformat() if line.due_on else ""


def urgency(line: ReferralLine) -> str:
    """The word that says a line stands out: overdue (by how many days), or due soon."""
    if line.overdue:
        return _("Overdue {days} d").format(days=line.days_overdue)
    if line.due_soon:
        return _("Due within a week")
    return ""


def standing(line: ReferralLine) -> str:
    """The need's status, and its close's while one is written."""
    status = label(NEED_STATUSES, line.status)
    if line.outcome_status is None:
        return status
    close = label(VISIT_STATUSES, line.outcome_status)
    return _("{status} · close {close}").format(status=status, close=close)


class ReferralTable(FittedTable[ReferralLine]):
    """One row per need; overdue rows in red and named so, due-soon ones in yellow."""

    WRAPS = "what"
    COLUMNS: ClassVar = (
        ("due", N_("Due"), lambda r: due(_r(r))),
        ("urgency", N_("Overdue"), lambda r: urgency(_r(r))),
        ("person", N_("Whose need"), lambda r: _r(r).person_name or ""),
        ("category", N_("Category"), lambda r: label(NEED_CATEGORIES, _r(r).category)),
        ("what", N_("What is needed"), lambda r: _r(r).description),
        ("department", N_("Department"), lambda r: _r(r).department_name or ""),
        ("status", N_("Status"), lambda r: standing(_r(r))),
        ("grid", N_("Grid"), lambda r: _r(r).grid_name or ""),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(ORDER, id=id)

    def row_style(self, item: ReferralLine) -> str:
        if item.overdue:
            return OVERDUE_STYLE
        return SOON_STYLE if item.due_soon else ""
