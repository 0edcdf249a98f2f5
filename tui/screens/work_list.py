"""The visits waiting on a grid worker: their drafts, the returned ones to fix (with the
reviewer's comment) and those waiting for review. Supervisors review on the one
review screen (tui/screens/review_queue.py)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db.visits.store import VisitSummary, work_list
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, WorkLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.visit_table import VisitTable

LOAD_GROUP = "work-list-load"


class WorkListScreen(ReportsFailures, Screen[None]):
    """Enter opens a visit to go on with it."""

    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Not done"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open the visit")),
        Binding("r", "reload", N_("Refresh")),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.visits: list[VisitSummary] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("My drafts and returned visits"), id="work-title", markup=False)
        yield VisitTable(id="work")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # Enter typed ahead opens a visit of the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            visits = await work_list(conn, ["returned", "draft", "submitted"], mine=True)
        self.post_message(WorkLoaded(visits))

    def on_work_loaded(self, message: WorkLoaded) -> None:
        self.visits = message.visits
        self.query_one(VisitTable).show(self.visits)
        self.refresh_bindings()
        release_keys(self)

    @on(DataTable.RowSelected, "#work")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(VisitTable)
        if not self.visits or table.cursor_row < 0:
            return
        visit = self.visits[min(table.cursor_row, len(self.visits) - 1)]
        from tui.screens.visit_form import VisitFormScreen

        screen = VisitFormScreen(self.session, visit.city_code, visit.id)
        self.app.push_screen(screen, lambda _result: self.action_reload())

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#work-title", Static).update(_("My drafts and returned visits"))
        self.query_one(VisitTable).show(self.visits)
        self.refresh_bindings()
