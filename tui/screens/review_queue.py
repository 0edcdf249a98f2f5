"""The one review screen, for every kind: what waits in the reviewer's scope, the
longest waiting first. Enter opens the record; `a` approves it (confirmed first) and
`x` returns it with a comment, here or from the opened record. The status line says
what was decided last, and the cursor is on the next record already.

To clear a queue: space marks (or unmarks) the chosen record and goes to the next,
ctrl+a marks every one shown, `A` approves the marked ones after one confirmation
naming how many; each is approved on its own, as `a` would, in its own transaction,
and the status line says how many were approved and which were refused, and why.
`s` opens the months of the reviewer's communities, to sign them off."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db import workflow
from db.core.reachability import is_unreachable
from db.workflow import Decision, Waiting
from tui.dialogs.notice import ConfirmModal
from tui.dialogs.review import Review, ask_review, reviewed_line
from tui.errors import USER_ERRORS, reason
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import BulkReviewed, LanguageChanged, QueueLoaded, Reviewed
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.submission_kinds import kind_view
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.queue_table import QueueTable, item_key

LOAD_GROUP, REVIEW_GROUP = "review-queue-load", "review-queue-review"
BULK_GROUP = "review-queue-bulk"
REFUSED_SHOWN = 5  # refused records named in the status line; the rest are counted


class ReviewQueueScreen(ReportsFailures, Screen[None]):
    """What a supervisor reviews: approve (a) or return (x) the chosen record."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Not done")),
        REVIEW_GROUP: Failure(N_("Not done"), "release"),
        BULK_GROUP: Failure(N_("Not done"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open the record")),
        Binding("a", "review('approved')", N_("Approve"), tooltip=N_("Approve it")),
        Binding("x", "review('returned')", N_("Return"),
                tooltip=N_("Return it with a comment on what to fix")),
        Binding("space", "mark", N_("Tick"), key_display="space",
                tooltip=N_("Mark or unmark it for approval together")),
        Binding("ctrl+a", "mark_all", N_("Tick all"), show=False,
                tooltip=N_("Mark every record shown (again: unmark them)")),
        Binding("A", "approve_marked", N_("Approve ticked"), show=False,
                tooltip=N_("Approve the marked records, after one confirmation")),
        Binding("s", "sign_off", N_("Sign-offs"), show=False,
                tooltip=N_("Sign off the months of your communities")),
        Binding("r", "reload", N_("Refresh"), show=False),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.items: list[Waiting] = []
        self.last: Reviewed | None = None  # said in the status line
        self.bulk: BulkReviewed | None = None  # or this, after approving the marked ones
        self.marked: set[tuple[str, str]] = set()
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
        self.marked &= {item_key(item) for item in self.items}
        self._show_rows()
        self.refresh_bindings()
        release_keys(self)

    def _show_rows(self) -> None:
        self.query_one(QueueTable).show_marked(self.items, self.marked)

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
        self.last, self.bulk = message, None
        self._status()
        self.action_reload()

    def _status(self) -> None:
        last, bulk = self.last, self.bulk
        text = "" if last is None else reviewed_line(last.item, last.decision)
        if bulk is not None:
            text = bulk_line(bulk)
        elif self.marked:
            text = _("{count} marked · A approves them").format(count=len(self.marked))
        self.query_one("#queue-status", Static).update(text)

    # Marking, and approving the marked ones.

    def action_mark(self) -> None:
        item = self._chosen()
        if item is None:
            return
        self.marked ^= {item_key(item)}
        table = self.query_one(QueueTable)
        row = table.cursor_row
        self._show_rows()
        table.move_cursor(row=min(row + 1, len(self.items) - 1))
        self._status()

    def action_mark_all(self) -> None:
        shown = {item_key(item) for item in self.items}
        self.marked = set() if shown <= self.marked else shown
        self._show_rows()
        self._status()

    def action_approve_marked(self) -> None:
        items = [item for item in self.items if item_key(item) in self.marked]
        if not items:
            self.notify(_("Mark records first: space marks one, ctrl+a all."))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                hold_keys(self)  # keys typed meanwhile are for the list that follows
                self._approve_all(items)

        lines = [_("{count} marked records are approved, each on its own.").format(
            count=len(items))]  # fmt: skip
        hint = _("Enter approves them · Esc cancels (an approval cannot be undone)")
        title = _("Approve {count} records").format(count=len(items))
        self.app.push_screen(ConfirmModal(title, lines, hint), confirmed)

    @work(exclusive=True, group=BULK_GROUP, exit_on_error=False)
    async def _approve_all(self, items: list[Waiting]) -> None:
        approved: list[Waiting] = []
        refused: list[tuple[Waiting, str]] = []
        for item in items:
            try:
                async with self.session.transaction() as conn:
                    await workflow.review(
                        conn, item.kind, item.city_code, item.id, item.version, "approved"
                    )
            except USER_ERRORS as exc:
                if is_unreachable(exc):
                    raise
                refused.append((item, reason(exc)))
            else:
                approved.append(item)
        self.post_message(BulkReviewed(approved, refused))

    def on_bulk_reviewed(self, message: BulkReviewed) -> None:
        self.last, self.bulk = None, message
        self.marked -= {item_key(item) for item in message.approved}
        self._status()
        self.action_reload()

    def action_sign_off(self) -> None:
        from tui.screens.month_sign_off import MonthSignOffScreen

        self.app.push_screen(MonthSignOffScreen(self.session))

    def _chosen(self) -> Waiting | None:
        table = self.query_one(QueueTable)
        if not self.items or table.cursor_row < 0:
            return None
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("review", "open", "mark", "mark_all", "approve_marked"):
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
        self._show_rows()
        self.refresh_bindings()


def bulk_line(bulk: BulkReviewed) -> str:
    """How many of the marked records were approved; each refused one, and why."""
    lines = [_("Approved {count} records.").format(count=len(bulk.approved))]
    if bulk.refused:
        lines[0] += " " + _("{count} refused:").format(count=len(bulk.refused))
    for item, why in bulk.refused[:REFUSED_SHOWN]:
        what = f"{item.day.isoformat()} · {item.title or ''} · {item.author_name}"
        lines.append(f"{what}: {why}")
    if len(bulk.refused) > REFUSED_SHOWN:
        more = len(bulk.refused) - REFUSED_SHOWN
        lines.append(_("… and {count} more").format(count=more))
    return "\n".join(lines)
