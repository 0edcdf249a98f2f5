"""The table of one page of persons: masked identifiers only, labels translated."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from db.models import PersonSummary
from tui.i18n import N_, _
from tui.labels import SEXES, STATUSES

# (column key, header msgid); the order is the order on screen.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("grid", N_("Grid")),
    ("name", N_("Name")),
    ("sex", N_("Sex")),
    ("ethnic", N_("Ethnicity")),
    ("birth", N_("Born")),
    ("id_number", N_("ID number")),
    ("phone", N_("Phone")),
    ("origin", N_("From")),
    ("occupation", N_("Occupation")),
    ("status", N_("Status")),
)


def person_cells(person: PersonSummary) -> list[Text]:
    """The cells of one row, in COLUMNS order; plain Text, so no name is read as markup."""
    values = (
        person.grid_name,
        person.name,
        _(SEXES.get(person.sex, "")),
        person.ethnic_name,
        person.birth_date.isoformat(),
        person.id_number_masked or "",
        person.phone_masked or "",
        person.origin_name or "",
        person.occupation,
        _(STATUSES[person.status]),
    )
    return [Text(value, no_wrap=True, overflow="ellipsis") for value in values]


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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._people: list[PersonSummary] = []
        self._add_columns()

    def show(self, people: list[PersonSummary]) -> None:
        """Replace the rows with `people` and put the cursor on the first."""
        self._people = list(people)
        self.clear()
        for person in self._people:
            self.add_row(*person_cells(person), key=str(person.id))
        self.move_cursor(row=0)

    def _add_columns(self) -> None:
        for key, label in COLUMNS:
            self.add_column(Text(_(label)), key=key)
