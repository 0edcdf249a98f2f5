"""One page of a ledger in a table: the ledger's columns headed from db/ledgers/columns.py
in the UI language, the rows numbered as on paper, and those the ledger lists apart
(visits pending review) after a line of their own, numbered again from 1.

A ledger has more columns than 80 terminal columns hold: the table scrolls sideways
(← →) and keeps the number and the first column in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.console import JustifyMethod
from rich.text import Text
from textual.widgets import DataTable

from db.ledgers.catalogue import Ledger
from db.ledgers.columns import Column
from db.ledgers.reads import Cell
from db.ledgers.scope import month_label
from tui.i18n import N_, _

PENDING = N_("Pending review")  # heads the rows listed apart; the status line says more
WIDEST = 30  # a cell of a column with no width of its own is cut (…) past this
APART_STYLE = "italic"
MARKER_STYLE = "bold italic"


@dataclass(frozen=True, slots=True)
class Numbering:
    """How many rows came before a page: counted ones, and ones listed apart."""

    counted: int = 0
    apart: int = 0

    def after(self, ledger: Ledger, rows: list[dict[str, Cell]]) -> Numbering:
        apart = sum(1 for row in rows if is_apart(ledger, row))
        return Numbering(self.counted + len(rows) - apart, self.apart + apart)


def is_apart(ledger: Ledger, row: dict[str, Cell]) -> bool:
    return ledger.apart is not None and bool(row.get(ledger.apart))


def cell_text(column: Column, value: Cell, lang: str) -> str:
    """A cell as the screen shows it: dates as dates, a month as a month, a flag as ✓."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if column.kind == "rate" and isinstance(value, int | float):
        return f"{value:.1%}"
    if isinstance(value, date):
        return month_label(value, lang) if column.kind == "month" else value.isoformat()
    return " ".join(str(value).split())  # one line: a table row is one line high


def _width(column: Column, header: str, cells: list[str]) -> int:
    widest = max([cell_len(header), *(cell_len(c) for c in cells)])
    cap = max(column.width, cell_len(header)) if column.kind == "long" else WIDEST
    return max(cell_len(header), min(widest, cap))


class LedgerTable(DataTable[Text]):
    """The rows of one page of a ledger."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def show(
        self, ledger: Ledger, rows: list[dict[str, Cell]], before: Numbering, lang: str
    ) -> None:
        """Replace what is shown with `rows` of `ledger`, numbered after `before`."""
        columns = ledger.shown
        numbered = ledger.numbered
        data = [c for c in columns if c.kind != "seq"]
        counted, apart = before.counted, before.apart
        lines: list[tuple[list[str], str]] = []
        previous_apart = bool(before.apart)
        for row in rows:
            row_apart = is_apart(ledger, row)
            if row_apart and not previous_apart or row_apart and not lines:
                marker = _(PENDING)
                lines.append(([""] * (len(columns) - len(data)) + [marker] + [""] * (len(data) - 1),
                              MARKER_STYLE))  # fmt: skip
            previous_apart = row_apart
            if row_apart:
                apart += 1
                number = apart
            else:
                counted += 1
                number = counted
            cells = [cell_text(c, row.get(c.name), lang) for c in data]
            numbers = [str(number)] if numbered else []
            lines.append((numbers + cells, APART_STYLE if row_apart else ""))
        headers = [c.header("en" if lang == "en" else "zh") for c in columns]
        plain = [cells for cells, _style in lines]
        self.clear(columns=True)
        self.fixed_columns = min(len(columns), 2 if numbered else 1)
        for i, (column, header) in enumerate(zip(columns, headers, strict=True)):
            width = _width(column, header, [cells[i] for cells in plain])
            self.add_column(Text(header, no_wrap=True), key=column.name, width=width)
        for cells, style in lines:
            self.add_row(*(self._cell(columns[i], c, style) for i, c in enumerate(cells)))
        self.move_cursor(row=0)

    @staticmethod
    def _cell(column: Column, text: str, style: str) -> Text:
        justify: JustifyMethod = "right" if column.kind in ("count", "rate", "seq") else "left"
        return Text(text, style=style, no_wrap=True, overflow="ellipsis", justify=justify)

    def row_texts(self, row: int) -> list[str]:
        """The cells of a row as shown, for tests and the screen."""
        return [str(cell) for cell in self.get_row_at(row)]
