"""The meetings in the user's scope, the latest first, to open one or record a new one;
above them, the units overdue for a meeting the plans require (a joint meeting every
half year, the origin-destination meeting every year)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from db.core.clock import today
from db.meetings.rhythm import OverdueMeeting, overdue_meetings
from db.meetings.store import MeetingSummary, meetings
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import MEETING_KINDS, VISIT_STATUSES, label
from tui.messages import LanguageChanged, MeetingsLoaded
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.meeting_form import WRITERS, MeetingFormScreen
from tui.session import Session
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP = "meeting-list-load"
OVERDUE_SHOWN = 3
COLUMNS = (N_("Date"), N_("Meeting kind"), N_("Held by"), N_("Status"), N_("Open items"),
           N_("Agenda"))  # fmt: skip


def overdue_line(overdue: OverdueMeeting) -> str:
    """One unit overdue for a kind of meeting, in words."""
    kind = label(MEETING_KINDS, overdue.kind)
    if overdue.last_held is None or overdue.due_on is None:
        return _("{unit}: {kind} never recorded").format(unit=overdue.unit_name, kind=kind)
    return _("{unit}: {kind} due {due} (last held {last})").format(
        unit=overdue.unit_name, kind=kind, due=overdue.due_on.isoformat(),
        last=overdue.last_held.isoformat(),
    )  # fmt: skip


class MeetingListScreen(ReportsFailures, Screen[None]):
    """Enter opens a meeting's minutes; n records a new meeting (for their writers)."""

    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Cannot load the list"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("enter,o", "open", N_("Open"), tooltip=N_("Open the minutes")),
        Binding("n", "new", N_("New meeting"), tooltip=N_("Record a new meeting")),
        Binding("r", "reload", N_("Refresh")),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.meetings: list[MeetingSummary] = []
        self.overdue: list[OverdueMeeting] = []
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Meetings"), id="meetings-title", markup=False)
        yield Static("", id="meetings-overdue", markup=False)
        yield DataTable(id="meetings", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        hold_keys(self)  # Enter typed ahead opens a meeting of the list once it is here
        self._fetch()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            found = await meetings(conn)
            overdue = await overdue_meetings(conn, today())
        self.post_message(MeetingsLoaded(found, overdue))

    def on_meetings_loaded(self, message: MeetingsLoaded) -> None:
        self.meetings, self.overdue = message.meetings, message.overdue
        self._show()
        self.refresh_bindings()
        release_keys(self)

    def _show(self) -> None:
        lines = [overdue_line(o) for o in self.overdue[:OVERDUE_SHOWN]]
        if len(self.overdue) > OVERDUE_SHOWN:
            lines.append(_("… and {count} more").format(count=len(self.overdue) - OVERDUE_SHOWN))
        box = self.query_one("#meetings-overdue", Static)
        box.display = bool(lines)
        box.update("\n".join([_("Overdue for a meeting:"), *lines]) if lines else "")
        table = self.query_one("#meetings", DataTable)
        table.clear(columns=True)
        for column in COLUMNS:
            table.add_column(_(column))
        for m in self.meetings:
            table.add_row(
                m.held_on.isoformat(), label(MEETING_KINDS, m.kind), Text(m.unit_name),
                label(VISIT_STATUSES, m.status), str(m.open_items), Text(m.agenda),
            )  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return bool(self.meetings)
        if action == "new":
            return self.session.user.role_kind in WRITERS
        return True

    @on(DataTable.RowSelected, "#meetings")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one("#meetings", DataTable)
        if not self.meetings or table.cursor_row < 0:
            return
        chosen = self.meetings[min(table.cursor_row, len(self.meetings) - 1)]
        screen = MeetingFormScreen(self.session, chosen.city_code, chosen.id)
        self.app.push_screen(screen, lambda _result: self.action_reload())

    def action_new(self) -> None:
        self.app.push_screen(MeetingFormScreen.new(self.session),
                             lambda _result: self.action_reload())  # fmt: skip

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#meetings-title", Static).update(_("Meetings"))
        self._show()
        self.refresh_bindings()
