"""The months of a supervisor's communities, to sign them off: each community of their
scope × the last months that have ended, open, signed off (by whom, when) or reopened
(by whom, when, why). Enter or `s` signs the chosen month off after a confirmation; `r`
reopens it, asking why. The database decides (sql/V019): an ended month, its sweep
approved, nothing of it under review; what it refuses is said in the status line."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db import signoff
from db.core.clock import OFFICE_TZ, today
from db.signoff import MonthState, Reopen, SignOff, last_ended_month
from tui.dialogs.notice import ConfirmModal, TextPromptModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import LanguageChanged, MonthSigned, MonthsLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP, SIGN_GROUP = "month-sign-off-load", "month-sign-off-sign"
REOPEN_GROUP = "month-sign-off-reopen"
MONTHS_SHOWN = 3
COLUMNS = (N_("Community"), N_("Month"), N_("Sign-off"))


def _day(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(OFFICE_TZ).date().isoformat()


def standing_line(state: MonthState) -> str:
    """Where the month stands, in words."""
    if state.standing == "open":
        return _("Not signed off yet")
    if state.standing == "signed_off":
        return _("Signed off by {name} on {day}").format(
            name=state.signed_by_name, day=_day(state.signed_at)
        )
    return _("Reopened by {name} on {day}: {reason}").format(
        name=state.reopened_by_name, day=_day(state.reopened_at), reason=state.reopen_reason
    )


class MonthSignOffScreen(ReportsFailures, Screen[None]):
    """Enter or s signs off the chosen month (confirmed first); r reopens it, saying why."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Cannot load the list")),
        SIGN_GROUP: Failure(N_("Not signed off"), "release"),
        REOPEN_GROUP: Failure(N_("Not reopened"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,s", "sign", N_("Sign off"),
                tooltip=N_("Sign off the chosen month: it then no longer changes")),
        Binding("r", "reopen", N_("Reopen"), tooltip=N_("Reopen the chosen month, saying why")),
    ]  # fmt: skip

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.months: list[MonthState] = []
        self.said = ""  # the status line: what was done last, or why not
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Months to sign off"), id="months-title", markup=False)
        yield DataTable(id="months", cursor_type="row", zebra_stripes=True)
        yield Static("", id="months-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        hold_keys(self)  # Enter, s or r typed ahead act on the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            found = await signoff.months(
                conn, self.session.user.org_code, last_ended_month(today()), MONTHS_SHOWN
            )
        self.post_message(MonthsLoaded(found))

    def on_months_loaded(self, message: MonthsLoaded) -> None:
        self.months = message.months
        self._show()
        self.refresh_bindings()
        release_keys(self)

    def _show(self) -> None:
        table = self.query_one("#months", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for column in COLUMNS:
            table.add_column(_(column))
        for state in self.months:
            table.add_row(
                Text(state.community_name), f"{state.month:%Y-%m}", Text(standing_line(state))
            )
        table.move_cursor(row=min(max(row, 0), max(len(self.months) - 1, 0)))
        self.query_one("#months-status", Static).update(self.said)

    def _chosen(self) -> MonthState | None:
        table = self.query_one("#months", DataTable)
        if not self.months or table.cursor_row < 0:
            return None
        return self.months[min(table.cursor_row, len(self.months) - 1)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sign", "reopen"):
            return bool(self.months)
        return True

    @on(DataTable.RowSelected, "#months")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_sign()

    def _what(self, state: MonthState) -> str:
        return f"{state.month:%Y-%m} · {state.community_name}"

    def action_sign(self) -> None:
        state = self._chosen()
        if state is None:
            return
        if state.standing == "signed_off":
            self._say(_("{month} is signed off already.").format(month=self._what(state)))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                hold_keys(self)
                self._sign(state)

        lines = [
            self._what(state),
            _("Its sweep, visits, cases, needs, meetings and contacts then no longer change."),
        ]
        hint = _("Enter signs it off · Esc cancels")
        self.app.push_screen(ConfirmModal(_("Sign off the month"), lines, hint), confirmed)

    @work(exclusive=True, group=SIGN_GROUP, exit_on_error=False)
    async def _sign(self, state: MonthState) -> None:
        async with self.session.transaction() as conn:
            after = await signoff.sign_off(
                conn, SignOff(org_code=state.org_code, month=state.month)
            )
        self.post_message(MonthSigned(after, reopened=False))

    def action_reopen(self) -> None:
        state = self._chosen()
        if state is None:
            return
        if state.standing != "signed_off" or state.id is None or state.version is None:
            self._say(_("{month} is not signed off.").format(month=self._what(state)))
            return
        signed_id, version = state.id, state.version

        def reasoned(reason: str | None) -> None:
            if reason:
                hold_keys(self)
                self._reopen(Reopen(city_code=state.city_code, id=signed_id, version=version,
                                    reason=reason))  # fmt: skip

        prompt = "\n".join([self._what(state), _("Why is it reopened?")])
        required = _("Reason: say why the month is reopened.")
        self.app.push_screen(
            TextPromptModal(_("Reopen the month"), prompt, required, signoff.REASON_LIMIT),
            reasoned,
        )

    @work(exclusive=True, group=REOPEN_GROUP, exit_on_error=False)
    async def _reopen(self, request: Reopen) -> None:
        async with self.session.transaction() as conn:
            after = await signoff.reopen(conn, request)
        self.post_message(MonthSigned(after, reopened=True))

    def on_month_signed(self, message: MonthSigned) -> None:
        done = _("Reopened: {month}") if message.reopened else _("Signed off: {month}")
        self._say(done.format(month=self._what(message.state)))
        self.reload()

    def show_failure(self, failure: Failure, why: str) -> None:
        self._say(f"{_(failure.title)}: {why}")

    def _say(self, text: str) -> None:
        self.said = text
        self.query_one("#months-status", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#months-title", Static).update(_("Months to sign off"))
        self._show()
        self.refresh_bindings()
