"""The referrals a user follows up: every open need of their scope, the overdue first and
standing out (the word and the colour), then by due date. Enter opens a need's referral.
Reached from the home screen; a person's needs open from their record as well."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db.core.clock import today
from db.referrals.lists import ReferralLine, open_referrals
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, ReferralsLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter
from tui.widgets.referral_table import ReferralTable

LOAD_GROUP = "referral-list-load"


class ReferralListScreen(ReportsFailures, Screen[None]):
    """Enter opens the chosen need's referral; r refreshes."""

    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Cannot load the list"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open the need's referral")),
        Binding("r", "reload", N_("Refresh")),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.lines: list[ReferralLine] = []
        self.loaded = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="referral-title", markup=False)
        yield ReferralTable(id="referrals")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # Enter typed ahead opens a need of the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            lines = await open_referrals(conn, today())
        self.post_message(ReferralsLoaded(lines))

    def on_referrals_loaded(self, message: ReferralsLoaded) -> None:
        self.lines, self.loaded = message.lines, True
        self.query_one(ReferralTable).show(self.lines)
        self._title()
        self.refresh_bindings()
        release_keys(self)

    def _title(self) -> None:
        if not self.loaded:
            return
        overdue = sum(line.overdue for line in self.lines)
        text = _("Open referrals: {total}, overdue: {overdue}").format(
            total=len(self.lines), overdue=overdue
        )
        if not self.lines:
            text = _("No open referrals.")
        self.query_one("#referral-title", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return bool(self.lines)
        return True

    @on(DataTable.RowSelected, "#referrals")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(ReferralTable)
        if not self.lines or table.cursor_row < 0:
            return
        line = self.lines[min(table.cursor_row, len(self.lines) - 1)]
        from tui.screens.referral_form import ReferralFormScreen

        screen = ReferralFormScreen(self.session, line.city_code, line.id)
        self.app.push_screen(screen, lambda _result: self.action_reload())

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self._title()
        self.query_one(ReferralTable).show(self.lines)
        self.refresh_bindings()
