"""The one review screen, for every kind: what waits in the reviewer's scope, the
longest waiting first. Enter opens the record; `a` approves it (confirmed first) and
`x` returns it with a comment, here or from the opened record. The status line says
what was decided last, and the cursor is on the next record already."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db import workflow
from db.workflow import Decision, Waiting
from tui.dialogs.review import Review, ask_review, reviewed_line
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, QueueLoaded, Reviewed
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.submission_kinds import kind_view
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.queue_table import QueueTable

LOAD_GROUP, REVIEW_GROUP = "review-queue-load", "review-queue-review"


class ReviewQueueScreen(ReportsFailures, Screen[None]):
    """What a supervisor reviews: approve (a) or return (x) the chosen record."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Not done")),
        REVIEW_GROUP: Failure(N_("Not done"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open the record")),
        Binding("a", "review('approved')", N_("Approve"), tooltip=N_("Approve it")),
        Binding("x", "review('returned')", N_("Return"),
                tooltip=N_("Return it with a comment on what to fix")),
        Binding("r", "reload", N_("Refresh")),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.items: list[Waiting] = []
        self.last: Reviewed | None = None  # said in the status line
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("To review"), id="queue-title", markup=False)
        yield QueueTable(id="queue")
        yield Static("", id="queue-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # a, x or Enter typed ahead act on the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            items = await workflow.queue(conn)
        self.post_message(QueueLoaded(items))

    def on_queue_loaded(self, message: QueueLoaded) -> None:
        self.items = message.items
        self.query_one(QueueTable).show(self.items)
        self.refresh_bindings()
        release_keys(self)

    def review(self, item: Waiting, decision: Decision, comment: str) -> None:
        hold_keys(self)  # the next a or x is for the next record, once the list has it
        self._store_review(item, decision, comment)

    @work(exclusive=True, group=REVIEW_GROUP, exit_on_error=False)
    async def _store_review(self, item: Waiting, decision: Decision, comment: str) -> None:
        async with self.session.transaction() as conn:
            await workflow.review(
                conn, item.kind, item.city_code, item.id, item.version, decision, comment
            )
        self.post_message(Reviewed(item, decision))

    def on_reviewed(self, message: Reviewed) -> None:
        self.last = message
        self._status()
        self.action_reload()

    def _status(self) -> None:
        last = self.last
        text = "" if last is None else reviewed_line(last.item, last.decision)
        self.query_one("#queue-status", Static).update(text)

    def _chosen(self) -> Waiting | None:
        table = self.query_one(QueueTable)
        if not self.items or table.cursor_row < 0:
            return None
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("review", "open"):
            return bool(self.items)
        return True

    @on(DataTable.RowSelected, "#queue")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        item = self._chosen()
        if item is None:
            return

        def closed(result: bool | Review | None) -> None:
            if isinstance(result, Review):  # decided in the opened record
                self.review(item, result.decision, result.comment)
            else:
                self.action_reload()

        self.app.push_screen(kind_view(item.kind).open(self.session, item), closed)

    def action_review(self, decision: Decision) -> None:
        item = self._chosen()
        if item is None:
            return

        def decided(review: Review) -> None:
            self.review(item, review.decision, review.comment)

        ask_review(self.app, item, decision, decided)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#queue-title", Static).update(_("To review"))
        self._status()
        self.query_one(QueueTable).show(self.items)
        self.refresh_bindings()
