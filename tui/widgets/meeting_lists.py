"""The lists of the meeting form, as headerless tables: attendance, the action items
agreed, and the earlier meetings' items carried over (with how this meeting marks them).

Columns take the width of their widest cell, measured here (as the visit form's lists
do); the text of an item takes the room that is left and ends in "…" when longer
(Enter opens it whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from rich.text import Text
from textual.widgets import DataTable

from db.meetings.carryover import CarriedItem
from db.meetings.form import ActionItemForm, AttendeeForm, CarriedMark
from tui.i18n import _
from tui.labels import ACTION_STATUSES, ATTENDANCES, label
from tui.widgets.columns import CELL_PADDING, column_width

TEXT_MIN = 16  # cells an item's text keeps however narrow the terminal
Departments = dict[str, str]


def _fill(
    table: DataTable[Text],
    rows: Sequence[Sequence[str]],
    room: int,
    wide: int,
    droppable: Sequence[int] = (),
) -> None:
    """Rows of cells in `room` cells: column `wide` takes what the others leave, and the
    `droppable` columns are left out, in that order, while it would keep fewer than
    TEXT_MIN; the cursor stays on its row."""
    row = table.cursor_row
    table.clear(columns=True)
    if not rows:
        return
    shown = list(range(len(rows[0])))
    widths = {c: column_width("", (cells[c] for cells in rows)) for c in shown}

    def spare() -> int:
        # Each column's padding, and the table's own scrollbar.
        others = sum(widths[c] + 2 * CELL_PADDING for c in shown if c != wide)
        return room - others - 2 * CELL_PADDING - 2

    for column in droppable:
        if spare() >= min(widths[wide], TEXT_MIN):
            break
        shown.remove(column)
    text_width = min(widths[wide], max(spare(), TEXT_MIN))
    for c in shown:
        table.add_column(str(c), width=text_width if c == wide else widths[c])
    for cells in rows:
        table.add_row(*(Text(cells[c], no_wrap=True, overflow="ellipsis") for c in shown))
    table.move_cursor(row=min(max(row, 0), len(rows) - 1), scroll=False)


def who(attendee: AttendeeForm, departments: Departments) -> str:
    """A line of attendance in words: the department and the name, either or both."""
    parts = [departments.get(attendee.department, attendee.department), attendee.person_name,
             attendee.name]  # fmt: skip
    return " ".join(part for part in parts if part)


def show_attendees(
    table: DataTable[Text], attendees: list[AttendeeForm], departments: Departments, room: int
) -> None:
    rows = [(label(ATTENDANCES, a.attendance), who(a, departments)) for a in attendees]
    _fill(table, rows, room, 1)


def show_items(
    table: DataTable[Text], items: list[ActionItemForm], departments: Departments, room: int
) -> None:
    """One row per item: its number, what, whose, by when, and how many links."""
    rows = [
        (
            f"{n}.",
            item.text,
            departments.get(item.department, item.department),
            item.due_on,
            _("{count} linked").format(count=len(item.links)) if item.links else "",
        )
        for n, item in enumerate(items, start=1)
    ]
    _fill(table, rows, room, 1, droppable=(4, 2))


def mark_of(item: CarriedItem, marks: dict[UUID, CarriedMark]) -> tuple[str, str]:
    """The item's status and date as this meeting marks it (else as stored)."""
    mark = marks.get(item.id)
    if mark is not None:
        return mark.status, mark.done_on
    return item.status, item.done_on.isoformat() if item.done_on else ""


def show_carried(
    table: DataTable[Text],
    carried: list[CarriedItem],
    marks: dict[UUID, CarriedMark],
    departments: Departments,
    room: int,
) -> None:
    """One row per carried item: the meeting it came from, what, whose, by when, and
    where it stands (marked at this meeting, or as stored)."""
    rows = []
    for item in carried:
        status, day = mark_of(item, marks)
        rows.append((
            item.meeting_held_on.isoformat(),
            item.text,
            departments.get(item.department_code, item.department_code),
            item.due_on.isoformat() if item.due_on else "",
            f"{label(ACTION_STATUSES, status)} {day}".strip(),
        ))  # fmt: skip
    _fill(table, rows, room, 1, droppable=(2, 0))
