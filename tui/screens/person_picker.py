"""Choosing a person to add to a visit: search as in the list, Enter takes the row."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, WorkerState

from db.models import PersonSearch, PersonSummary
from db.persons import list_page
from db.visit_form import VisitPerson
from tui.errors import one_line
from tui.i18n import N_, _
from tui.messages import PersonsLoaded
from tui.screens.typed_ahead import TypedAhead
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.search import SEARCH_DEBOUNCE, SEARCH_HINT, SEARCH_MAX

PICK_ROWS = 8


class PersonPickerModal(ModalScreen[VisitPerson | None]):
    """Returns the chosen person, or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "focus_results", N_("Results"), show=False),
        # As in the list: Enter typed ahead of the results must not take a row that a
        # search still under way is about to replace.
        Binding("enter", "submit_search", show=False, priority=True),
    ]

    def __init__(self, session: Session, exclude: set[object]) -> None:
        super().__init__()
        self.session, self.exclude = session, exclude
        self.rows: list[PersonSummary] = []
        self._debounce: Timer | None = None
        self.typed_ahead = TypedAhead(self)

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

    def find(self, text: str) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.typed_ahead.start()
        self._fetch(text)

    @work(exclusive=True, group="person-picker", exit_on_error=False)
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
        self.typed_ahead.loaded()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group == "person-picker":
            self.typed_ahead.failed()
            error = event.worker.error
            assert error is not None
            self.notify(one_line(error), title=_("Cannot search"), severity="error")

    @on(Input.Changed, "#pick-search")
    def typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self.find(event.value))

    def action_submit_search(self) -> None:
        # Focus moves now; the search waits for the letters still queued in the box.
        box = self.query_one("#pick-search", Input)
        self.typed_ahead.start()
        self.action_focus_results()
        box.call_later(lambda: self.find(box.value))

    @on(DataTable.RowSelected, "#pick-results")
    def chosen(self, event: DataTable.RowSelected) -> None:
        if not self.typed_ahead.hold("take_first"):  # the results on their way: their first
            self._take(event.cursor_row)

    def action_take_first(self) -> None:
        self._take(0)

    def _take(self, row: int) -> None:
        if row < len(self.rows):
            person = self.rows[row]
            self.dismiss(VisitPerson(city_code=person.city_code, id=person.id, name=person.name))

    def action_focus_results(self) -> None:
        self.set_focus(self.query_one("#pick-results", DataTable))

    def action_cancel(self) -> None:
        self.dismiss(None)
