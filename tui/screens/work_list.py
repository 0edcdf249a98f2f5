"""The visits waiting on the user: a grid worker's drafts and returned visits, or a
supervisor's queue of submitted ones to approve or return with a comment."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import Worker, WorkerState

from db.visits import Decision, VisitSummary, review_visit, work_list
from tui.errors import one_line
from tui.i18n import N_, _, translate_bindings
from tui.keys import drop_keys, hold_keys, release_keys
from tui.messages import LanguageChanged, VisitReviewed, WorkLoaded
from tui.screens.review import Review, ask_review, reviewed_line
from tui.screens.visit_form import VisitFormScreen
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.visit_table import VisitTable

LOAD_GROUP, REVIEW_GROUP = "work-list-load", "work-list-review"


class WorkListScreen(Screen[None]):
    """Enter opens a visit; a supervisor approves (a) or returns (x) the chosen one,
    here or from the opened visit. The status line says what was decided last."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open the visit")),
        Binding("a", "review('approved')", N_("Approve"), tooltip=N_("Approve the visit")),
        Binding("x", "review('returned')", N_("Return"),
                tooltip=N_("Return the visit with a comment on what to fix")),
        Binding("r", "reload", N_("Refresh")),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.visits: list[VisitSummary] = []
        self.last_review: VisitReviewed | None = None  # said in the status line
        translate_bindings(self)

    @property
    def reviewing(self) -> bool:
        return self.session.reviews and not self.session.writes_persons

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="work-title", markup=False)
        yield VisitTable(reviewing=self.reviewing, id="work")
        yield Static("", id="work-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._title()
        self.action_reload()

    def _title(self) -> None:
        text = _("Visits to review") if self.reviewing else _("My drafts and returned visits")
        self.query_one("#work-title", Static).update(text)

    def action_reload(self) -> None:
        hold_keys(self)  # a, x or Enter typed ahead act on the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            if self.reviewing:
                visits = await work_list(conn, ["submitted"], mine=False)
            else:
                visits = await work_list(conn, ["returned", "draft", "submitted"], mine=True)
        self.post_message(WorkLoaded(visits))

    @work(exclusive=True, group=REVIEW_GROUP, exit_on_error=False)
    async def _store_review(self, visit: VisitSummary, decision: Decision, comment: str) -> None:
        async with self.session.transaction() as conn:
            await review_visit(conn, visit.city_code, visit.id, visit.version, decision, comment)
        self.post_message(VisitReviewed(visit, decision))

    def review(self, visit: VisitSummary, decision: Decision, comment: str) -> None:
        hold_keys(self)  # the next a or x is for the next visit, once the list has it
        self._store_review(visit, decision, comment)

    def on_work_loaded(self, message: WorkLoaded) -> None:
        self.visits = message.visits
        self.query_one(VisitTable).show(self.visits)
        self.refresh_bindings()
        release_keys(self)

    def on_visit_reviewed(self, message: VisitReviewed) -> None:
        self.last_review = message
        self._status()
        self.action_reload()

    def _status(self) -> None:
        last = self.last_review
        text = "" if last is None else reviewed_line(last.visit, last.decision)
        self.query_one("#work-status", Static).update(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.group in (LOAD_GROUP, REVIEW_GROUP):
            assert event.worker.error is not None
            if event.worker.group == LOAD_GROUP:
                drop_keys(self)
            else:
                release_keys(self)
            self.notify(one_line(event.worker.error), title=_("Not done"), severity="error")

    def _chosen(self) -> VisitSummary | None:
        table = self.query_one(VisitTable)
        if not self.visits or table.cursor_row < 0:
            return None
        return self.visits[min(table.cursor_row, len(self.visits) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return self.session.reviews and bool(self.visits)
        return True

    @on(DataTable.RowSelected, "#work")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        visit = self._chosen()
        if visit is None:
            return

        def closed(result: bool | Review | None) -> None:
            if isinstance(result, Review):  # decided in the opened visit
                self.review(visit, result.decision, result.comment)
            else:
                self.action_reload()

        under_review = visit if self.reviewing and visit.status == "submitted" else None
        screen = VisitFormScreen(self.session, visit.city_code, visit.id, review=under_review)
        self.app.push_screen(screen, closed)

    def action_review(self, decision: Decision) -> None:
        visit = self._chosen()
        if visit is None or visit.status != "submitted":
            return

        def decided(review: Review) -> None:
            self.review(visit, review.decision, review.comment)

        ask_review(self.app, visit, decision, decided)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self._title()
        self._status()
        self.post_message(WorkLoaded(self.visits))
        self.refresh_bindings()
