"""Rows of the audit trail: when, who, what was done and why (which wraps), and, in the
auditor's trail of a whole scope, about whom."""

from __future__ import annotations

from typing import ClassVar

from db.audit.entries import TrailEntry
from tui.i18n import N_
from tui.trail_text import what, when, who
from tui.widgets.fitted_table import FittedTable

ONE_PERSON = ("when", "what", "who")  # most needed first
WHOLE_SCOPE = ("when", "what", "who", "person")


def _e(cell: object) -> TrailEntry:
    assert isinstance(cell, TrailEntry)
    return cell


class TrailTable(FittedTable[TrailEntry]):
    """One row per audit row, newest first; `priority` chooses and orders the columns."""

    COLUMNS: ClassVar = (
        ("when", N_("When"), lambda e: when(_e(e))),
        ("who", N_("Who"), lambda e: who(_e(e))),
        ("person", N_("Person"), lambda e: _e(e).person_name or ""),
        ("what", N_("What was done"), lambda e: what(_e(e))),
    )
    WRAPS: ClassVar[str] = "what"

    def __init__(self, priority: tuple[str, ...] = ONE_PERSON, *, id: str | None = None) -> None:
        super().__init__(priority, id=id)
