"""The table of one page of persons: masked identifiers only, labels translated.

The columns shown are chosen for the table's width: at 80 columns the name, sex,
ethnicity, masked ID and phone, each whole; wider terminals add the rest. For a
user whose scope is one grid, the grid column would say the same on every row,
so it is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from db.persons.models import PersonSummary
from tui.i18n import N_, _
from tui.labels import SEXES, STATUSES
from tui.widgets.columns import column_width, fit_columns

Cell = Callable[[PersonSummary], str]
GRID_CODE_LENGTH = 14  # org codes: city 4, district 6, street 9, community 12, grid 14

# (column key, header msgid, cell); the order is the order on screen.
COLUMNS: tuple[tuple[str, str, Cell], ...] = (
    ("grid", N_("Grid"), lambda p: p.grid_name),
    ("name", N_("Name"), lambda p: p.name),
    ("sex", N_("Sex"), lambda p: _(SEXES.get(p.sex, ""))),
    ("ethnic", N_("Ethnicity"), lambda p: p.ethnic_name),
    ("birth", N_("Born"), lambda p: p.birth_date.isoformat()),
    ("id_number", N_("ID number"), lambda p: p.id_number_masked or ""),
    ("phone", N_("Phone"), lambda p: p.phone_masked or ""),
    ("origin", N_("From"), lambda p: p.origin_name or ""),
    ("occupation", N_("Occupation"), lambda p: p.occupation),
    ("status", N_("Status"), lambda p: _(STATUSES[p.status])),
)
# Most needed first; a narrow terminal drops columns from the end of this list.
PRIORITY = (
    "name", "sex", "ethnic", "id_number", "phone", "grid", "status", "birth", "origin",
    "occupation",
)  # fmt: skip


def person_cells(person: PersonSummary) -> dict[str, str]:
    """The cells of one row, by column key."""
    return {key: cell(person) for key, _label, cell in COLUMNS}


class PersonTable(DataTable[Text]):
    """A page of `PersonSummary` rows, one row per person, keyed by the person's id.

    Paging belongs to the screen: the table's own page keys would only scroll
    within the page, so they are handed up to the screen's paging actions.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "screen.next_page", show=False),
        Binding("pageup", "screen.previous_page", show=False),
        Binding("home", "screen.first_page", show=False),
    ]

    def __init__(self, *, scope: str = "", id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = tuple(
            column for column in COLUMNS if column[0] != "grid" or len(scope) < GRID_CODE_LENGTH
        )
        self._people: list[PersonSummary] = []
        self._cells: list[dict[str, str]] = []
        self.shown: tuple[str, ...] = ()  # the keys of the columns on screen, in order
        self._lay_out()

    def show(self, people: list[PersonSummary]) -> None:
        """Replace the rows with `people` and put the cursor on the first."""
        self._people = list(people)
        self._cells = [person_cells(person) for person in self._people]
        self._lay_out()
        self.move_cursor(row=0)

    def row_cells(self, row: int) -> list[str]:
        """The cells of a row in COLUMNS order; "" for a column not shown at this width."""
        cells = self._cells[row]
        return [cells[key] if key in self.shown else "" for key, _label, _cell in COLUMNS]

    def on_resize(self, event: events.Resize) -> None:
        row = self.cursor_row
        self._lay_out()
        self.move_cursor(row=row)

    def _lay_out(self) -> None:
        widths = {
            key: column_width(_(label), (cells[key] for cells in self._cells))
            for key, label, _cell in self._columns
        }
        chosen = fit_columns(widths, [key for key in PRIORITY if key in widths], self._room())
        self.shown = tuple(key for key, _label, _cell in self._columns if key in chosen)
        self.clear(columns=True)
        labels = {key: label for key, label, _cell in self._columns}
        for key in self.shown:
            # The width measured for the choice, fixed: the table need not measure again.
            self.add_column(Text(_(labels[key])), key=key, width=widths[key])
        for person, cells in zip(self._people, self._cells, strict=True):
            row = [Text(cells[key], no_wrap=True, overflow="ellipsis") for key in self.shown]
            self.add_row(*row, key=str(person.id))

    def _room(self) -> int:
        # The page is sized to fit (the screen's _page_size); more rows than that bring
        # a vertical scrollbar, which takes its width from the columns.
        width = self.size.width or 80
        visible = self.size.height - self.header_height
        if len(self._people) > visible:
            width -= self.styles.scrollbar_size_vertical
        return width
