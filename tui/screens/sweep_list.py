"""The dispute sweeps of the user's scope, this month's and the eleven before it (filed,
filed late, missing, due in so many days; a nil return or with cases; their review),
and below them the cases still open. Enter opens the sweep or the case under the
cursor; Tab goes from one list to the other.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db.core.clock import today
from db.disputes.cases import CaseLine, open_cases
from db.disputes.months import MonthStatus, scope_months
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, SweepListLoaded
from tui.screens.case_form import open_case_screen
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.sweep_form import open_sweep_screen
from tui.session import Session
from tui.widgets.dispute_tables import CaseTable, MonthRow, MonthTable
from tui.widgets.form_row import FormLabel, relabel_all
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP = "sweep-list-load"
MONTHS = 12


class SweepListScreen(ReportsFailures, Screen[None]):
    """Enter opens a month's sweep (a new one, for its grid workers, when none is begun)
    or an open case."""

    AUTO_FOCUS = "#sweep-months"
    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Cannot load the list"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"),
                tooltip=N_("Open the sweep or the case under the cursor")),
        Binding("r", "reload", N_("Refresh")),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.months: list[MonthStatus] = []
        self.cases: list[CaseLine] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield FormLabel(N_("Dispute sweeps by month (Enter opens one)"), classes="form-heading")
        yield MonthTable(id="sweep-months")
        yield FormLabel(N_("Open cases (Enter opens one)"), classes="form-heading")
        yield CaseTable(id="sweep-cases")
        yield Static("", id="sweep-list-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # Enter typed ahead opens a row of the lists once they are here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            months = await scope_months(conn, today(), MONTHS)
            cases = await open_cases(conn)
        self.post_message(SweepListLoaded(months, cases))

    def on_sweep_list_loaded(self, message: SweepListLoaded) -> None:
        self.months, self.cases = message.months, message.cases
        self._show()
        release_keys(self)

    def _show(self) -> None:
        day = today()
        self.query_one(MonthTable).show([MonthRow(m, day) for m in self.months])
        self.query_one(CaseTable).show(self.cases)
        self.query_one("#sweep-list-status", Static).update(
            _("{count} open cases").format(count=len(self.cases))
        )

    @on(DataTable.RowSelected)
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self._open(event.data_table, event.cursor_row)

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable):
            self._open(focused, focused.cursor_row)

    def _open(self, table: DataTable[Any], row: int) -> None:
        screen: Screen[Any]
        if table.id == "sweep-months" and 0 <= row < len(self.months):
            month = self.months[row]
            if month.sweep_id is None and not self.session.writes_persons:
                self.query_one("#sweep-list-status", Static).update(
                    _("Not begun yet: nothing to open.")
                )
                return
            screen = open_sweep_screen(self.session, month.org_code, month.month)
        elif table.id == "sweep-cases" and 0 <= row < len(self.cases):
            case = self.cases[row]
            screen = open_case_screen(self.session, case.city_code, case.id)
        else:
            return
        self.app.push_screen(screen, lambda _done: self.action_reload())

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self._show()
        self.refresh_bindings()
