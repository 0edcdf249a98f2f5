"""Choosing a person to add to a visit: search as in the list, Enter takes the row."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from db.persons.models import PersonSearch, PersonSummary
from db.persons.search import list_page
from db.visits.form import VisitPerson
from tui.i18n import N_, _
from tui.keys import hold_keys, release_keys
from tui.messages import PersonsLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.search import SEARCH_DEBOUNCE, SEARCH_HINT, SEARCH_MAX

PICK_ROWS = 8
SEARCH_GROUP = "person-picker"


class PersonPickerModal(ReportsFailures, ModalScreen[VisitPerson | None]):
    """Returns the chosen person, or None when the user backs out."""

    FAILURES: ClassVar[dict[str, Failure]] = {SEARCH_GROUP: Failure(N_("Cannot search"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "focus_results", N_("Results"), show=False),
        # Priority, so the box's own Enter does not take it: Enter searches now, and
        # keys typed ahead (a second Enter) wait for the results.
        Binding("enter", "submit_search", show=False, priority=True),
    ]

    def __init__(self, session: Session, exclude: set[UUID]) -> None:
        super().__init__()
        self.session, self.exclude = session, exclude
        self.rows: list[PersonSummary] = []
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide") as box:
            box.border_title = _("Add a person to the visit")
            yield TextBox(placeholder=_(SEARCH_HINT), max_length=SEARCH_MAX, id="pick-search")
            yield DataTable(id="pick-results", cursor_type="row", zebra_stripes=True)
            yield Static(
                _("Type, then ↓ and Enter takes the person · Esc cancels"),
                classes="dialog-hint",
                markup=False,
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit_search":
            return self.focused is self.query_one("#pick-search", Input)
        return True

    def on_mount(self) -> None:
        table = self.query_one("#pick-results", DataTable)
        for column in (N_("Name"), N_("Born"), N_("ID number"), N_("Address here")):
            table.add_column(_(column))
        self.find("")

    def find(self, text: str, hold: bool = True) -> None:
        """Search for `text`; keys typed meanwhile wait for the results (`hold`), except
        while the results follow what is typed into the box."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if hold:
            hold_keys(self)
        self._fetch(text)

    @work(exclusive=True, group=SEARCH_GROUP, exit_on_error=False)
    async def _fetch(self, text: str) -> None:
        search = PersonSearch(text=text, scope=self.session.user.org_code, status="registered")
        async with self.session.transaction() as conn:
            page = await list_page(conn, search, keyring=self.session.keyring, limit=PICK_ROWS)
        self.post_message(PersonsLoaded(search, page, 1))

    def on_persons_loaded(self, message: PersonsLoaded) -> None:
        self.rows = [p for p in message.page.rows if p.id not in self.exclude]
        table = self.query_one("#pick-results", DataTable)
        table.clear()
        for person in self.rows:
            table.add_row(
                Text(person.name), person.birth_date.isoformat(),
                person.id_number_masked or "", Text(person.current_address),
            )  # fmt: skip
        release_keys(self)

    @on(Input.Changed, "#pick-search")
    def typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self.find(event.value, hold=False))

    def action_submit_search(self) -> None:
        self.action_focus_results()
        self.find(self.query_one("#pick-search", Input).value)

    @on(DataTable.RowSelected, "#pick-results")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self._take(event.cursor_row)

    def _take(self, row: int) -> None:
        if row < len(self.rows):
            person = self.rows[row]
            self.dismiss(VisitPerson(city_code=person.city_code, id=person.id, name=person.name))

    def action_focus_results(self) -> None:
        self.set_focus(self.query_one("#pick-results", DataTable))

    def action_cancel(self) -> None:
        self.dismiss(None)
