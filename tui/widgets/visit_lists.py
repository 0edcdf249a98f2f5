"""The persons and the needs of a visit, as the visit form's two headerless tables.

Every column gets the width of its widest cell, measured here: a table left to
measure itself drew a restored draft's rows before measuring them, and showed
阿不力孜·阿不力孜 as 阿不. A need's description takes the room that is left, and
ends in "…" if it is longer (Enter opens the need whole).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from db.visits.form import NeedForm, VisitPerson
from tui.labels import NEED_CATEGORIES, label
from tui.widgets.columns import CELL_PADDING, column_width

DESCRIPTION_MIN = 20  # cells a description keeps however narrow the terminal


def show_persons(table: DataTable[Text], persons: list[VisitPerson]) -> None:
    """One row per person, the name whole."""
    table.clear(columns=True)
    table.add_column("name", width=column_width("", (p.name for p in persons)))
    for person in persons:
        table.add_row(Text(person.name, no_wrap=True))


def show_needs(
    table: DataTable[Text], needs: list[NeedForm], persons: list[VisitPerson], room: int
) -> None:
    """One row per need: whose (the name whole), what kind, and what, in `room` cells."""
    names = {p.id: p.name for p in persons}
    rows = [
        (
            names.get(need.person_id, "?") if need.person_id else "?",
            label(NEED_CATEGORIES, need.category),
            need.description,
        )
        for need in needs
    ]
    who = column_width("", (row[0] for row in rows))
    kind = column_width("", (row[1] for row in rows))
    spare = room - who - kind - 6 * CELL_PADDING
    what = min(column_width("", (row[2] for row in rows)), max(spare, DESCRIPTION_MIN))
    table.clear(columns=True)
    table.add_column("who", width=who)
    table.add_column("category", width=kind)
    table.add_column("what", width=what)
    for whose, category, description in rows:
        table.add_row(
            Text(whose, no_wrap=True),
            Text(category, no_wrap=True),
            Text(description, no_wrap=True, overflow="ellipsis"),
        )
