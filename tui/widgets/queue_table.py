"""What waits for review, of every kind: when, what, about whom, in which grid, by whom,
and the comment of an earlier return; once some are marked for approval together, a
column of marks comes first."""

from __future__ import annotations

from typing import ClassVar

from db.workflow import Waiting
from tui.i18n import N_
from tui.screens.submission_kinds import what_it_is
from tui.widgets.fitted_table import FittedTable

QUEUE = ("date", "title", "grid", "worker", "comment", "what")  # most needed first
MARK = "✓"


def _w(cell: object) -> Waiting:
    assert isinstance(cell, Waiting)
    return cell


def item_key(item: Waiting) -> tuple[str, str]:
    """What tells a waiting record apart from every other, of any kind."""
    return item.kind, str(item.id)


class QueueTable(FittedTable[Waiting]):
    """One row per waiting record; each person of its title on a line of their own."""

    COLUMNS: ClassVar = (
        ("mark", N_("Marked"), lambda w: ""),
        ("date", N_("Date"), lambda w: _w(w).day.isoformat()),
        ("title", N_("Concerns"), lambda w: "\n".join((_w(w).title or "").split("、"))),
        ("grid", N_("Grid"), lambda w: _w(w).grid_name or ""),
        ("worker", N_("Worker"), lambda w: _w(w).author_name),
        ("what", N_("Kind"), lambda w: what_it_is(_w(w))),
        ("comment", N_("Comment"), lambda w: _w(w).review_comment),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(QUEUE, id=id)
        self.marked: set[tuple[str, str]] = set()

    def show_marked(self, items: list[Waiting], marked: set[tuple[str, str]]) -> None:
        """Show `items` with the `marked` ones ticked (no column of marks while none is)."""
        self.marked = marked
        self.priority = ("mark", *QUEUE) if marked else QUEUE
        self.show(items)

    def cells(self, item: Waiting) -> dict[str, str]:
        cells = super().cells(item)
        cells["mark"] = MARK if item_key(item) in self.marked else ""
        return cells

    def row_key(self, item: Waiting) -> str:
        return ":".join(item_key(item))
