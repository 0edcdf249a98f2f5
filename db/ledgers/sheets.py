"""A ledger as an Excel workbook laid out like the paper 台账, written row by row.

xlsxwriter in constant-memory mode writes each row to disk as it comes, so a city's
registry of a million rows takes the memory of one row. It is imported here only,
when an export is made (about 30 ms and 9 MB), never when the app or a command starts.

One sheet per ledger: a title row (unit, ledger), a row naming the unit, the month
and the number of rows, the headers, the rows (those listed apart after a line of
their own, numbered again), the totals, and the signature line. Printed: A4
landscape, one page wide, the three heading rows on every page, and a footer with who
made it and when, the page number, and the audit chain's head.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from db.ledgers.columns import PENDING_APART, TOTAL
from db.ledgers.layout import (
    SIGNATURES,
    ExportHeading,
    count_columns,
    display_width,
    flag,
    is_apart,
    safe_text,
    shown_cells,
)
from db.ledgers.reads import Cell

HEADING_ROWS = 3  # title, subtitle, headers
A4 = 9
WIDEST = {"long": 40, "text": 30}
# Text wider than its column wraps, and its row is made as high as its lines:
# LibreOffice does not grow a row to its wrapped text when it opens a workbook, so the
# lines past the first would be hidden, on screen and on paper. The height fits a line
# of Chinese text as LibreOffice sets it (Excel's own lines are 15 points).
LINE_POINTS = 18
_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
    "subtitle": {"font_size": 10, "align": "left", "valign": "vcenter"},
    "header": {"bold": True, "border": 1, "align": "center", "valign": "vcenter",
               "text_wrap": True, "bg_color": "#E7E6E6"},
    "text": {"border": 1, "valign": "top", "text_wrap": True},
    "long": {"border": 1, "valign": "top", "text_wrap": True},
    "count": {"border": 1, "valign": "top", "num_format": "0"},
    "total": {"border": 1, "bold": True, "num_format": "0"},
    "apart": {"italic": True, "bold": True, "align": "left"},
    "signature": {"align": "left", "valign": "vcenter"},
}  # fmt: skip


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")


def _words(text: str) -> Iterator[str]:
    """The pieces a line breaks between: each Chinese character, each space, and each
    run of other characters (a Latin word or a number)."""
    word = ""
    for char in text:
        if char.isspace() or unicodedata.east_asian_width(char) in "WF":
            if word:
                yield word
            word = ""
            yield char
        else:
            word += char
    if word:
        yield word


def _wrapped_lines(text: str, width: int) -> int:
    """Lines the text takes wrapped in a column `width` wide. Excel fits about nine
    tenths of a column's width in display columns (a Chinese character takes two) and
    LibreOffice as much or more, so this counts no fewer lines than either shows."""
    room = max(int(width * 0.9), 2)
    lines = 0
    for paragraph in text.splitlines() or [""]:
        lines, used = lines + 1, 0
        if display_width(paragraph) + 2 <= width:  # as columns are sized to hold text
            continue
        for word in _words(paragraph):
            size = display_width(word)
            if word.isspace():  # a space at a line's end hangs past it
                used += size
                continue
            if used and used + size > room:
                lines, used = lines + 1, 0
            while size > room:  # a word longer than a line breaks inside it
                lines, size = lines + 1, size - room
            used += size
    return lines


class SheetWriter:
    """Writes one ledger's sheet; `add` takes rows as read, `close` finishes the file."""

    def __init__(self, path: Path, heading: ExportHeading, rows: int) -> None:
        import xlsxwriter

        self.heading, self.ledger, self.lang = heading, heading.ledger, heading.lang
        self.columns = self.ledger.shown
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.sheet = self.book.add_worksheet(self.ledger.zh[:31])
        self.styles = {name: self.book.add_format(spec) for name, spec in _STYLES.items()}
        day = "yyyy-mm-dd"
        month = "yyyy-mm" if self.lang == "en" else 'yyyy"年"m"月"'
        self.styles["date"] = self.book.add_format({"border": 1, "valign": "top",
                                                    "num_format": day})  # fmt: skip
        self.styles["month"] = self.book.add_format({"border": 1, "valign": "top",
                                                     "num_format": month})  # fmt: skip
        self.styles["rate"] = self.book.add_format({"border": 1, "valign": "top",
                                                    "num_format": "0.0%"})  # fmt: skip
        self.widths = [max(c.width, display_width(c.header(self.lang)) + 2) for c in self.columns]
        self.row = 0
        self.number = 0
        self.apart_started = False
        self.totals = [0] * len(self.columns)
        self._heading(rows)

    def _across(self, text: str, style: str, height: float | None = None) -> None:
        last = len(self.columns) - 1
        if last > 0:
            self.sheet.merge_range(self.row, 0, self.row, last, text, self.styles[style])
        else:
            self.sheet.write_string(self.row, 0, text, self.styles[style])
        if height is not None:
            self.sheet.set_row(self.row, height)
        self.row += 1

    def _heading(self, rows: int) -> None:
        self._across(self.heading.title, "title", 30)
        self._across(self.heading.subtitle(rows), "subtitle", 18)
        for col, column in enumerate(self.columns):
            self.sheet.write_string(self.row, col, column.header(self.lang), self.styles["header"])
        self.sheet.set_row(self.row, 30)
        self.row += 1

    def add(self, rows: Sequence[Sequence[Cell]]) -> None:
        for row in rows:
            if is_apart(self.ledger, row) and not self.apart_started:
                self.apart_started, self.number = True, 0
                self._across(PENDING_APART["en" if self.lang == "en" else "zh"], "apart")
            self.number += 1
            cells: list[Cell] = shown_cells(self.ledger, row)
            if self.ledger.numbered:
                cells.insert(0, self.number)
            lines = self._cells(cells, counted=not is_apart(self.ledger, row))
            if lines > 1:
                self.sheet.set_row(self.row, lines * LINE_POINTS)
            self.row += 1

    def _cells(self, cells: Sequence[Cell], *, counted: bool) -> int:
        """Writes a row's cells; the lines its tallest cell takes."""
        lines = 1
        for col, (column, value) in enumerate(zip(self.columns, cells, strict=True)):
            kind = column.kind
            if kind == "flag":
                value = flag(value, self.lang)
            if value is None or value == "":
                self.sheet.write_blank(self.row, col, None, self.styles["long" if kind == "long"
                                                                      else "text"])  # fmt: skip
            elif kind in ("date", "month") and isinstance(value, date):
                self.sheet.write_datetime(self.row, col, value, self.styles[kind])
                self.widths[col] = max(self.widths[col], 12)
            elif kind == "rate" and isinstance(value, int | float):
                self.sheet.write_number(self.row, col, value, self.styles["rate"])
            elif kind in ("count", "seq") and isinstance(value, int | float):
                self.sheet.write_number(self.row, col, value, self.styles["count"])
                self.widths[col] = max(self.widths[col], len(str(value)) + 2)
                if kind == "count" and counted:
                    self.totals[col] += int(value)
            else:
                text = str(value)
                style = "long" if kind == "long" else "text"
                self.sheet.write_string(self.row, col, safe_text(text), self.styles[style])
                widest = WIDEST.get(kind, 30)
                self.widths[col] = min(max(self.widths[col], display_width(text) + 2), widest)
                # Text that overflows has made the column as wide as it gets: its lines
                # are counted at the column's final width.
                lines = max(lines, _wrapped_lines(text, self.widths[col]))
        return lines

    def close(self) -> None:
        if self.ledger.totals:
            self._total_row()
        self.row += 1
        self._across(SIGNATURES["en" if self.lang == "en" else "zh"], "signature", 24)
        for col, width in enumerate(self.widths):
            self.sheet.set_column(col, col, width)
        self._print_setup()
        self.book.close()

    def _total_row(self) -> None:
        counts = set(count_columns(self.columns))
        for col in range(len(self.columns)):
            if col in counts:
                self.sheet.write_number(self.row, col, self.totals[col], self.styles["total"])
            elif col == 0:
                self.sheet.write_string(self.row, col, TOTAL["en" if self.lang == "en" else "zh"],
                                        self.styles["total"])  # fmt: skip
            else:
                self.sheet.write_blank(self.row, col, None, self.styles["total"])
        self.row += 1

    def _print_setup(self) -> None:
        sheet, heading = self.sheet, self.heading
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.repeat_rows(0, HEADING_ROWS - 1)
        sheet.fit_to_pages(1, 0)
        sheet.center_horizontally()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.8)
        page = "Page &P of &N" if self.lang == "en" else "第 &P 页，共 &N 页"
        sheet.set_footer(
            f"&L&8{_footer_text(heading.generated)}&C&8{page}&R&8{_footer_text(heading.chain)}",
            {"margin": 0.3},
        )
        sheet.freeze_panes(HEADING_ROWS, 0)
