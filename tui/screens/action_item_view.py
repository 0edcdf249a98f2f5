"""One action item, as a line of the home screen opens it: what, whose, by when, where it
stands; `d` marks it done or dropped (or open again) between meetings, `o` opens the
minutes that agreed it. What the home screen lists of meetings, and what each of its
lines opens, is here too (`open_home_line`)."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from pydantic import ValidationError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Static

from db.core.clock import today
from db.meetings.carryover import CarriedItem, follow_up, load_item
from db.meetings.form import CarriedMark, MarkInput
from db.meetings.rhythm import DueItem, OverdueMeeting
from db.visits.store import departments
from tui.dialogs.carried_mark import CarriedMarkModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import ACTION_STATUSES, label
from tui.messages import ItemLoaded, LanguageChanged
from tui.screens.failures import Failure, ReportsFailures
from tui.screens.meeting_form import WRITERS, MeetingFormScreen
from tui.session import Session
from tui.widgets.key_footer import KeyFooter

LOAD_GROUP, SAVE_GROUP = "action-item-load", "action-item-save"


def open_home_line(session: Session, line: DueItem | OverdueMeeting) -> Screen[Any]:
    """What a home-screen line about meetings opens: an action item due, or for a unit
    overdue for a meeting, the form of a new one (the list of meetings for readers)."""
    if isinstance(line, DueItem):
        return ActionItemScreen(session, line.city_code, line.id)
    if session.user.role_kind in WRITERS:
        return MeetingFormScreen.new(session, kind=line.kind, org_code=line.org_code)
    from tui.screens.meeting_list import MeetingListScreen

    return MeetingListScreen(session)


class ActionItemScreen(ReportsFailures, Screen[bool]):
    """Dismissed with True when the item was marked, else False."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        LOAD_GROUP: Failure(N_("Not done")),
        SAVE_GROUP: Failure(N_("Not saved: {reason}. What you typed is still here."), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "back", N_("Back"), key_display="b"),
        Binding("d", "mark", N_("Mark"), tooltip=N_("Mark it done or dropped, or open again")),
        Binding("o", "open_minutes", N_("Minutes"), tooltip=N_("Open the minutes that agreed it")),
    ]

    def __init__(self, session: Session, city_code: str, item_id: UUID) -> None:
        super().__init__()
        self.session, self.city_code, self.item_id = session, city_code, item_id
        self.item: CarriedItem | None = None
        self.departments: dict[str, str] = {}
        self.marked = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Action item"), id="item-title", markup=False)
        yield Static(_("Loading…"), id="item-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        hold_keys(self)  # d or o typed ahead act on the item once it is here
        self._load()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _load(self) -> None:
        async with self.session.transaction() as conn:
            names = await departments(conn)
            item = await load_item(conn, self.city_code, self.item_id)
        self.post_message(ItemLoaded(item, names))

    def on_item_loaded(self, message: ItemLoaded) -> None:
        self.item, self.departments = message.item, dict(message.departments)
        self.marked = self.marked or message.marked
        self._show()
        self.refresh_bindings()
        release_keys(self)

    def _show(self) -> None:
        item = self.item
        if item is None:
            return
        owner = self.departments.get(item.department_code, item.department_code)
        lines = [
            item.text,
            _("{department} · due {due}").format(
                department=owner, due=item.due_on.isoformat() if item.due_on else _("no date")),
            _("Agreed at the meeting of {day}").format(day=item.meeting_held_on.isoformat()),
            " ".join(part for part in (label(ACTION_STATUSES, item.status),
                                       item.done_on.isoformat() if item.done_on else "",
                                       item.closing_note) if part),
        ]  # fmt: skip
        self.query_one("#item-detail", Static).update("\n".join(lines))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mark":
            return self.item is not None and self.session.user.role_kind in WRITERS
        if action == "open_minutes":
            return self.item is not None
        return True

    def action_mark(self) -> None:
        item = self.item
        if item is None:
            return

        def kept(mark: CarriedMark | None) -> None:
            if mark is None:
                return
            try:
                checked = MarkInput.model_validate(mark.model_dump(), context=today())
            except ValidationError:  # the dialog checked it; a day passed meanwhile
                return
            hold_keys(self)
            self._store(checked)

        owner = self.departments.get(item.department_code, item.department_code)
        self.app.push_screen(CarriedMarkModal(item, None, owner), kept)

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def _store(self, mark: MarkInput) -> None:
        async with self.session.transaction() as conn:
            item = await follow_up(conn, self.city_code, mark)
        self.post_message(ItemLoaded(item, list(self.departments.items()), marked=True))

    def action_open_minutes(self) -> None:
        if self.item is not None:
            self.app.push_screen(
                MeetingFormScreen(self.session, self.item.city_code, self.item.meeting_id)
            )

    def action_back(self) -> None:
        self.dismiss(self.marked)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self.query_one("#item-title", Static).update(_("Action item"))
        self._show()
        self.refresh_bindings()
