"""Which columns of a table fit the terminal: whole columns, the most needed first.

A narrow terminal (80 columns over SSH) shows fewer columns rather than cut ones;
a wider one shows more. Widths are measured from the cells to show, so a page of
short names leaves room for more columns than a page with a long ·-joined name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rich.cells import cell_len

CELL_PADDING = 1  # DataTable's, on each side of every cell


def text_width(text: str) -> int:
    """The cells the widest line of `text` takes on screen."""
    return max((cell_len(line) for line in text.split("\n")), default=0)


def column_width(header: str, cells: Iterable[str]) -> int:
    """The width that shows the header and every cell whole."""
    return max([text_width(header), *(text_width(cell) for cell in cells)])


def fit_columns(widths: Mapping[str, int], priority: Sequence[str], room: int) -> set[str]:
    """The columns to show in `room` cells: taken in `priority` order while each still
    fits whole (with its padding); a column that does not fit leaves room for a later,
    narrower one."""
    chosen: set[str] = set()
    for key in priority:
        needed = widths[key] + 2 * CELL_PADDING
        if needed <= room:
            chosen.add(key)
            room -= needed
    return chosen


def spare_room(widths: Mapping[str, int], chosen: Iterable[str], room: int) -> int:
    """The cells left over in `room` once the chosen columns are shown."""
    return room - sum(widths[key] + 2 * CELL_PADDING for key in chosen)
