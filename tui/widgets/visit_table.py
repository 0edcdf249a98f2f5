"""A grid worker's own visits: drafts, returned ones (with the reviewer's comment) and
those waiting for review."""

from __future__ import annotations

from typing import ClassVar

from db.visits.store import VisitSummary
from tui.i18n import N_
from tui.labels import VISIT_KINDS, VISIT_STATUSES, label
from tui.widgets.fitted_table import FittedTable

MINE = ("date", "status", "persons", "comment", "kind", "needs")  # most needed first


def _v(cell: object) -> VisitSummary:
    assert isinstance(cell, VisitSummary)
    return cell


class VisitTable(FittedTable[VisitSummary]):
    """One row per visit, as tall as its persons and its wrapped comment need."""

    COLUMNS: ClassVar = (
        ("date", N_("Date"), lambda v: _v(v).visited_on.isoformat()),
        ("persons", N_("Persons"), lambda v: "\n".join(_v(v).person_names)),
        ("status", N_("Status"), lambda v: label(VISIT_STATUSES, _v(v).status)),
        ("kind", N_("Kind"), lambda v: label(VISIT_KINDS, _v(v).kind)),
        ("needs", N_("Needs"), lambda v: str(_v(v).needs)),
        ("comment", N_("Comment"), lambda v: _v(v).review_comment),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(MINE, id=id)

    def cells(self, item: VisitSummary) -> dict[str, str]:
        cells = super().cells(item)
        if item.status != "returned":
            cells["comment"] = ""  # dealt with once resubmitted
        return cells
