"""A ledger as CSV: UTF-8 with a byte-order mark (so Excel reads the Chinese right), one
header row, then every row, the counted ones first and those listed apart after them
(their 审核状态 column says why); 序号 runs on. Dates are written YYYY-MM-DD."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import IO

from db.ledgers.layout import ExportHeading, flag, safe_text, shown_cells
from db.ledgers.reads import Cell


class CsvWriter:
    """Writes one ledger as CSV; `add` takes rows as read, `close` finishes the file."""

    def __init__(self, path: Path, heading: ExportHeading, rows: int) -> None:
        self.ledger, self.lang = heading.ledger, heading.lang
        self.columns = self.ledger.shown
        self.file: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self.out = csv.writer(self.file)
        self.out.writerow([c.header(self.lang) for c in self.columns])
        self.number = 0

    def add(self, rows: Sequence[Sequence[Cell]]) -> None:
        self.out.writerows(self._cells(row) for row in rows)

    def _cells(self, row: Sequence[Cell]) -> list[str]:
        self.number += 1
        values: list[Cell] = shown_cells(self.ledger, row)
        if self.ledger.numbered:
            values.insert(0, self.number)
        return [self._text(c.kind, v) for c, v in zip(self.columns, values, strict=True)]

    def _text(self, kind: str, value: Cell) -> str:
        if kind == "flag":
            return flag(value, self.lang)
        if value is None:
            return ""
        if kind == "rate" and isinstance(value, int | float):
            return f"{value * 100:.1f}%"
        if kind == "month" and isinstance(value, date):
            return f"{value:%Y-%m}"
        if isinstance(value, date):
            return value.isoformat()
        return safe_text(str(value)) if isinstance(value, str) else str(value)

    def close(self) -> None:
        self.file.flush()
        self.file.close()
