"""A table of records whose columns are chosen for the width, whole, the most needed
first (as the person list's are); one column (a comment) wraps in the room left, and
a cell may hold several lines (one person each), so no name is cut."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tui.i18n import _
from tui.widgets.columns import column_width, fit_columns, spare_room

Item = TypeVar("Item")
WRAP_MIN = 16  # cells the wrapping column keeps before the less needed columns get room


class FittedTable(DataTable[Text], Generic[Item]):
    """One row per item, as tall as its cells need. A subclass names its columns:
    (key, header msgid, cell) in their order on screen, and the one that wraps."""

    COLUMNS: ClassVar[tuple[tuple[str, str, Callable[[object], str]], ...]]
    WRAPS: ClassVar[str] = "comment"

    def __init__(self, priority: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.priority = priority
        self._items: list[Item] = []
        self.shown: tuple[str, ...] = ()  # the keys of the columns on screen, in order

    def show(self, items: list[Item]) -> None:
        """Replace the rows with `items`, keeping the cursor's place in the list."""
        row = self.cursor_row
        self._items = list(items)
        self._lay_out()
        self.move_cursor(row=min(max(row, 0), max(len(items) - 1, 0)))

    def on_resize(self, event: events.Resize) -> None:
        self.show(self._items)

    def cells(self, item: Item) -> dict[str, str]:
        return {key: cell(item) for key, _label, cell in self.COLUMNS}

    def row_key(self, item: Item) -> str:
        return str(getattr(item, "id", id(item)))

    def row_style(self, item: Item) -> str:
        """How a row stands out (a Rich style); none by default."""
        return ""

    def _lay_out(self) -> None:
        rows = [self.cells(item) for item in self._items]
        labels = {key: _(msgid) for key, msgid, _cell in self.COLUMNS if key in self.priority}
        widths = {key: column_width(labels[key], (row[key] for row in rows)) for key in labels}
        wraps = self.WRAPS
        full = widths[wraps]
        widths[wraps] = min(full, max(WRAP_MIN, column_width(labels[wraps], [])))
        # Rows grow with their cells, so a scrollbar may come: its room is kept, or it
        # would push the last column out of view.
        room = (self.size.width or 80) - self.styles.scrollbar_size_vertical
        chosen = fit_columns(widths, self.priority, room)
        if wraps in chosen:
            widths[wraps] = min(full, widths[wraps] + spare_room(widths, chosen, room))
        self.shown = tuple(key for key, _msgid, _cell in self.COLUMNS if key in chosen)
        self.clear(columns=True)
        for key in self.shown:
            self.add_column(Text(labels[key]), key=key, width=widths[key])
        for item, cells in zip(self._items, rows, strict=True):
            style = self.row_style(item)
            row = [Text(cells[key], style=style, no_wrap=key != wraps) for key in self.shown]
            self.add_row(*row, key=self.row_key(item), height=None)
