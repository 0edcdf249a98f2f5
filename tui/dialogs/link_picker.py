"""Choosing a need or a dispute case an action item concerns: the open ones in the
user's scope, found by a word of their description, summary or person's name."""

from __future__ import annotations

from typing import ClassVar
from uuid import uuid4

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from db.meetings.form import LinkForm
from db.meetings.links import Linkable, linkable
from tui.i18n import N_, _
from tui.keys import hold_keys, release_keys
from tui.labels import DISPUTE_KINDS, LINK_KINDS, NEED_CATEGORIES, label
from tui.messages import LinkablesLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.search import SEARCH_DEBOUNCE

SEARCH_GROUP = "link-picker"


def sort_label(found: Linkable) -> str:
    return label(NEED_CATEGORIES if found.kind == "need" else DISPUTE_KINDS, found.sort)


class LinkPickerModal(ReportsFailures, ModalScreen[LinkForm | None]):
    """Returns the chosen need or case as a link, or None when the user backs out."""

    FAILURES: ClassVar[dict[str, Failure]] = {SEARCH_GROUP: Failure(N_("Cannot search"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "focus_results", N_("Results"), show=False),
        # Priority, so the box's own Enter does not take it (as in the person picker).
        Binding("enter", "submit_search", show=False, priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[Linkable] = []
        self._debounce: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide") as box:
            box.border_title = _("A need or dispute the item concerns")
            yield TextBox(placeholder=_("A word of the need, the dispute or the person's name"),
                          max_length=40, id="link-search")  # fmt: skip
            yield DataTable(id="link-results", cursor_type="row", zebra_stripes=True)
            yield Static(_("Type, then ↓ and Enter takes it · Esc cancels"),
                         classes="dialog-hint", markup=False)  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit_search":
            return self.focused is self.query_one("#link-search", Input)
        return True

    def on_mount(self) -> None:
        table = self.query_one("#link-results", DataTable)
        for column in (N_("Date"), N_("What"), N_("Category"), N_("About")):
            table.add_column(_(column))
        self.find("")

    def find(self, text: str, hold: bool = True) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if hold:
            hold_keys(self)
        self._fetch(text)

    @work(exclusive=True, group=SEARCH_GROUP, exit_on_error=False)
    async def _fetch(self, text: str) -> None:
        async with self.session.transaction() as conn:
            found = await linkable(conn, text)
        self.post_message(LinkablesLoaded(found))

    def on_linkables_loaded(self, message: LinkablesLoaded) -> None:
        self.rows = message.found
        table = self.query_one("#link-results", DataTable)
        table.clear()
        for found in self.rows:
            table.add_row(found.day.isoformat(), label(LINK_KINDS, found.kind),
                          sort_label(found), Text(found.text))  # fmt: skip
        release_keys(self)

    @on(Input.Changed, "#link-search")
    def typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self.find(event.value, hold=False))

    def action_submit_search(self) -> None:
        self.action_focus_results()
        self.find(self.query_one("#link-search", Input).value)

    @on(DataTable.RowSelected, "#link-results")
    def chosen(self, event: DataTable.RowSelected) -> None:
        if event.cursor_row < len(self.rows):
            found = self.rows[event.cursor_row]
            self.dismiss(LinkForm(id=uuid4(), kind=found.kind, target=found.id, text=found.text))

    def action_focus_results(self) -> None:
        self.set_focus(self.query_one("#link-results", DataTable))

    def action_cancel(self) -> None:
        self.dismiss(None)
