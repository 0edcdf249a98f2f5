"""The visits of a work list: a supervisor's queue or a grid worker's own visits.

Columns are chosen for the width like the person list's: whole, the most needed
first. Each person of a visit has a line of their own, so no name is cut, and
the reviewer's comment wraps in the room that is left.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from db.visits import VisitSummary
from tui.i18n import N_, _
from tui.labels import VISIT_KINDS, VISIT_STATUSES, label
from tui.widgets.columns import column_width, fit_columns, spare_room

Cell = Callable[[VisitSummary], str]
COMMENT_MIN = 16  # cells the comment keeps before the less needed columns get room

# (column key, header msgid, cell); the order is the order on screen.
COLUMNS: tuple[tuple[str, str, Cell], ...] = (
    ("date", N_("Date"), lambda v: v.visited_on.isoformat()),
    ("persons", N_("Persons"), lambda v: "\n".join(v.person_names)),
    ("grid", N_("Grid"), lambda v: v.grid_name),
    ("worker", N_("Worker"), lambda v: v.worker),
    ("status", N_("Status"), lambda v: label(VISIT_STATUSES, v.status)),
    ("kind", N_("Kind"), lambda v: label(VISIT_KINDS, v.kind)),
    ("needs", N_("Needs"), lambda v: str(v.needs)),
    ("comment", N_("Comment"), lambda v: v.review_comment),
)
# Most needed first. A supervisor's queue holds only submitted visits (no status
# column) of many workers; a grid worker's list holds their own (no grid, worker).
QUEUE = ("date", "persons", "grid", "worker", "comment", "kind", "needs")
MINE = ("date", "status", "persons", "comment", "kind", "needs")


class VisitTable(DataTable[Text]):
    """One row per visit, as tall as its persons and its wrapped comment need."""

    def __init__(self, *, reviewing: bool, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.reviewing = reviewing
        self.priority = QUEUE if reviewing else MINE
        self._visits: list[VisitSummary] = []
        self.shown: tuple[str, ...] = ()  # the keys of the columns on screen, in order

    def show(self, visits: list[VisitSummary]) -> None:
        """Replace the rows with `visits`, keeping the cursor's place in the list."""
        row = self.cursor_row
        self._visits = list(visits)
        self._lay_out()
        self.move_cursor(row=min(max(row, 0), max(len(visits) - 1, 0)))

    def on_resize(self, event: events.Resize) -> None:
        self.show(self._visits)

    def _cells(self, visit: VisitSummary) -> dict[str, str]:
        cells = {key: cell(visit) for key, _label, cell in COLUMNS}
        if visit.status != "returned" and not self.reviewing:
            cells["comment"] = ""  # a grid worker has dealt with it once resubmitted
        return cells

    def _lay_out(self) -> None:
        rows = [self._cells(visit) for visit in self._visits]
        labels = {key: _(msgid) for key, msgid, _cell in COLUMNS if key in self.priority}
        widths = {key: column_width(labels[key], (row[key] for row in rows)) for key in labels}
        full_comment = widths["comment"]
        widths["comment"] = min(full_comment, max(COMMENT_MIN, column_width(labels["comment"], [])))
        # Rows grow with their persons and comments, so a scrollbar may come: its room
        # is kept, or it would push the last column out of view.
        room = (self.size.width or 80) - self.styles.scrollbar_size_vertical
        chosen = fit_columns(widths, self.priority, room)
        if "comment" in chosen:
            widths["comment"] = min(
                full_comment, widths["comment"] + spare_room(widths, chosen, room)
            )
        self.shown = tuple(key for key, _msgid, _cell in COLUMNS if key in chosen)
        self.clear(columns=True)
        for key in self.shown:
            self.add_column(Text(labels[key]), key=key, width=widths[key])
        for visit, cells in zip(self._visits, rows, strict=True):
            row = [Text(cells[key], no_wrap=key != "comment") for key in self.shown]
            self.add_row(*row, key=str(visit.id), height=None)
