"""Recording a meeting: what kind, held by which unit, when and where, who chaired and
recorded it, who attended (出席, 请假, 列席), the agenda, minutes and decisions, the action
items agreed, and the earlier meetings' open items carried over, marked done or dropped.

A form on the shared submission base (tui/screens/submission_form.py): ctrl+s keeps the
minutes as a draft, ctrl+t submits them for review; returned minutes show the
reviewer's comment. Submitted and approved minutes open read-only (their lines open
whole with Enter); opened from the review queue, they offer the review keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, Static, TextArea

from db.core.clock import today
from db.core.connect import Connection
from db.core.problems import Problem, problems_of
from db.drafts import Draft, drafts_of, find_draft
from db.meetings.carryover import CarriedItem, carried_items
from db.meetings.form import (
    ActionItemForm,
    AttendeeForm,
    CarriedMark,
    MeetingForm,
    MeetingInput,
    parse_time,
)
from db.meetings.store import Unit, load_meeting, meeting_stamp, meeting_units, save_meeting
from db.persons.form import parse_date
from db.visits.store import departments
from db.workflow import SubmissionState, Waiting
from tui.dialogs.action_item import ActionItemModal
from tui.dialogs.attendee import AttendeeModal
from tui.dialogs.carried_mark import CarriedMarkModal
from tui.dialogs.notice import DraftChoice, DraftOfferModal, NoticeModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import LINK_KINDS, MEETING_KINDS, label
from tui.messages import CarriedLoaded, LanguageChanged, MeetingFormLoaded, SubmissionSaved
from tui.problem_text import saved_anyway, say
from tui.screens.failures import Failure
from tui.screens.meeting_compare import CONFLICT_LABELS, comparable, shown
from tui.screens.submission_form import LOAD_GROUP, SubmissionFormScreen
from tui.session import Session
from tui.widgets.boxes import NotesBox, TextBox
from tui.widgets.form_row import FormLabel, FormRow, relabel_all
from tui.widgets.meeting_lists import show_attendees, show_carried, show_items

CARRIED_GROUP = "meeting-form-carried"
WRITERS = ("grid_worker", "supervisor", "admin")
# The headings over the lists: (read-only, editable), the latter naming the keys.
HEADINGS = {
    "#attendees-heading": (N_("Attendance"),
                           N_("Attendance (ctrl+o adds, Enter edits, Del removes)")),
    "#items-heading": (N_("Action items"),
                       N_("Action items (ctrl+n adds, Enter edits, Del removes)")),
    "#carried-heading": (N_("Carried over from earlier meetings"),
                         N_("Carried over from earlier meetings (Enter marks them)")),
}  # fmt: skip
CarriedKey = tuple[str, str, str, str]


class MeetingFormScreen(SubmissionFormScreen[MeetingInput]):
    """New minutes (`seed` given) or stored ones (see SubmissionFormScreen)."""

    FORM = "meeting"
    KIND = "minutes"
    HEADING = N_("Meeting · {status}")
    AUTO_FOCUS = "#box-kind"
    FAILURES: ClassVar[dict[str, Failure]] = {
        **SubmissionFormScreen.FAILURES,
        CARRIED_GROUP: Failure(N_("Cannot load the items carried over"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # The headings over the lists name these keys; help lists them.
        Binding("ctrl+o", "add_attendee", N_("Add attendance"), show=False,
                tooltip=N_("Add a department or person present, apologising or observing")),
        Binding("ctrl+n", "add_item", N_("Add action item"), show=False,
                tooltip=N_("Record an action item agreed")),
        Binding("delete", "remove", N_("Remove"), show=False,
                tooltip=N_("Remove the chosen line of attendance or action item")),
    ]  # fmt: skip

    def __init__(
        self,
        session: Session,
        city_code: str,
        meeting_id: UUID,
        *,
        seed: MeetingForm | None = None,
        review: Waiting | None = None,
    ) -> None:
        super().__init__(session, city_code, meeting_id, review=review)
        self.seed = seed
        self.attendees: list[AttendeeForm] = []
        self.items: list[ActionItemForm] = []
        self.carried: list[CarriedItem] = []
        self.marks: dict[UUID, CarriedMark] = {}
        self.departments: list[tuple[str, str]] = []
        self.units: list[Unit] = []
        self.carried_key: CarriedKey | None = None
        self.saved_carried: list[CarriedItem] | None = None
        self.confirmed: dict[str, Any] | None = None  # warned of: saved as it is next time
        translate_bindings(self)

    @classmethod
    def new(cls, session: Session, *, kind: str = "member_joint",
            org_code: str | None = None) -> MeetingFormScreen:  # fmt: skip
        """A new meeting of the user's unit (or `org_code`), today, recorded by them."""
        unit = org_code or session.user.org_code
        seed = MeetingForm(id=uuid4(), org_code=unit, kind=kind, held_on=today().isoformat(),
                           recorder=session.user.display_name)  # fmt: skip
        return cls(session, unit[:4], seed.id, seed=seed)

    def writes(self) -> bool:
        return self.session.user.role_kind in WRITERS

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        editing = int(self.seed is not None)  # new minutes are edited from the start
        with VerticalScroll(id="meeting-form"):
            kinds = [(_(text), code) for code, text in MEETING_KINDS.items()]
            kind = Select(kinds, value="member_joint", allow_blank=False, compact=True,
                          id="box-kind")  # fmt: skip
            yield FormRow(N_("Meeting kind"), kind, field="kind")
            yield FormRow(N_("Held by"), Select([], prompt=_("Choose"), compact=True,
                                                id="box-org_code"), field="org_code")  # fmt: skip
            for field, msgid, hint in (("held_on", N_("Date"), "YYYY-MM-DD"),
                                       ("starts_at", N_("Time"), "HH:MM"),
                                       ("place", N_("Place"), ""), ("chair", N_("Chair"), ""),
                                       ("recorder", N_("Recorder"), "")):  # fmt: skip
                box = TextBox(placeholder=hint, compact=True, max_length=200, id=f"box-{field}")
                yield FormRow(msgid, box, field=field)
            yield FormLabel(N_("Agenda"), classes="form-heading")
            yield NotesBox(id="box-agenda", soft_wrap=True, show_line_numbers=False, compact=True)
            yield FormLabel(HEADINGS["#attendees-heading"][editing], classes="form-heading",
                            id="attendees-heading")  # fmt: skip
            yield DataTable(id="meeting-attendees", cursor_type="row", show_header=False)
            yield FormLabel(N_("Minutes"), classes="form-heading")
            yield NotesBox(id="box-minutes", soft_wrap=True, show_line_numbers=False, compact=True)
            yield FormLabel(N_("Decisions"), classes="form-heading")
            yield NotesBox(id="box-decisions", soft_wrap=True, show_line_numbers=False,
                           compact=True)  # fmt: skip
            for heading, table in (("items-heading", "meeting-items"),
                                   ("carried-heading", "meeting-carried")):  # fmt: skip
                yield FormLabel(HEADINGS[f"#{heading}"][editing], classes="form-heading",
                                id=heading)  # fmt: skip
                yield DataTable(id=table, cursor_type="row", show_header=False)
        yield from self.compose_foot()

    def on_mount(self) -> None:
        self.query_one("#submission-review").display = False
        hold_keys(self)  # what is typed before the form is filled waits for it
        if self.seed is not None:
            self.fill(self.seed)
        self.load_form()

    # Loading.

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_form(self) -> None:
        session, state, draft = self.session, None, None
        async with session.transaction() as conn:
            names = await departments(conn)
            units = await meeting_units(conn)
            if self.seed is None:
                form, state = await load_meeting(conn, self.city_code, self.subject)
                draft = await find_draft(conn, session.keyring, "meeting", self.subject)
            else:
                form, draft = self.seed, await self._new_draft(conn)
            key = carried_key(form)
            carried = await self._fetch_carried(conn, key) if key else []
        self.carried_key = key
        self.post_message(MeetingFormLoaded(form, state, draft, names, units, carried))

    async def _new_draft(self, conn: Connection) -> Draft | None:
        """The latest draft of new minutes of the same kind and unit, if one was left."""
        assert self.seed is not None
        for kept in await drafts_of(conn, self.session.keyring, "meeting"):
            values = kept.values
            if kept.base_version is None and (values.get("kind"), values.get("org_code")) == (
                self.seed.kind, self.seed.org_code,
            ):  # fmt: skip
                return kept
        return None

    def on_meeting_form_loaded(self, message: MeetingFormLoaded) -> None:
        self.departments, self.units = message.departments, message.units
        self._show_units(message.form.org_code)
        if self.seed is None:
            self.fill(message.form)
        self.carried = message.carried
        self._show_lists()
        editable = self.show_state(message.state)
        self._headings(editable)
        if editable and message.draft is not None:
            self._offer_draft(message.draft)
            return
        release_keys(self)

    def show_state(self, state: SubmissionState | None) -> bool:
        editable = super().show_state(state)
        # The unit is chosen once: stored minutes keep theirs (their children carry it).
        self.query_one("#box-org_code", Select).disabled = not editable or state is not None
        return editable

    def _offer_draft(self, draft: Draft) -> None:
        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.subject, self.base_version = draft.subject, draft.base_version
                self.fill(MeetingForm.model_validate(draft.values))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s or ctrl+t"))
                self.reload_carried()
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)  # what was typed ahead goes into the form as now filled

        self.app.push_screen(DraftOfferModal(draft.saved_at, _("minutes of a meeting")), chosen)

    def _headings(self, editable: bool) -> None:
        for heading, msgids in HEADINGS.items():
            label_ = self.query_one(heading, FormLabel)
            label_.msgid = msgids[editable]
            label_.relabel()

    def _show_units(self, chosen: str) -> None:
        names = {u.code: u.name for u in self.units}
        options = [(u.name, u.code) for u in self.units]
        if chosen and chosen not in names:  # stored minutes of a unit not offered
            options.insert(0, (chosen, chosen))
        box = self.query_one("#box-org_code", Select)
        box.set_options(options)
        if chosen:
            box.value = chosen

    # The items carried over: reloaded when the kind, unit, date or time changes.

    async def _fetch_carried(self, conn: Connection, key: CarriedKey) -> list[CarriedItem]:
        kind, org, held_on, starts_at = key
        return await carried_items(
            conn, self.city_code, self.subject, kind, org, date.fromisoformat(held_on),
            time.fromisoformat(starts_at),
        )  # fmt: skip

    @on(Select.Changed, "#box-kind")
    @on(Select.Changed, "#box-org_code")
    @on(Input.Blurred, "#box-held_on")
    @on(Input.Blurred, "#box-starts_at")
    def reload_carried(self) -> None:
        key = carried_key(self.current_form())
        if key is not None and key != self.carried_key and self.ready:
            self.carried_key = key
            self._load_carried(key)

    @work(exclusive=True, group=CARRIED_GROUP, exit_on_error=False)
    async def _load_carried(self, key: CarriedKey) -> None:
        async with self.session.transaction() as conn:
            items = await self._fetch_carried(conn, key)
        self.post_message(CarriedLoaded(key, items))

    def on_carried_loaded(self, message: CarriedLoaded) -> None:
        if message.key == self.carried_key:
            self._take_carried(message.items)

    def _take_carried(self, items: list[CarriedItem]) -> None:
        """The carried items as stored now; marks that the store already holds, or for
        items no longer carried, go."""
        self.carried = items
        stored = {i.id: (i.status, i.done_on.isoformat() if i.done_on else "", i.closing_note)
                  for i in items}  # fmt: skip
        self.marks = {
            key: mark for key, mark in self.marks.items()
            if key in stored and stored[key] != (mark.status, mark.done_on, mark.note)
        }  # fmt: skip
        self._show_carried()

    # The boxes.

    def fill(self, form: MeetingForm) -> None:
        self.subject = form.id
        self.query_one("#box-kind", Select).value = form.kind
        if form.org_code and self.units:
            self._show_units(form.org_code)
        for field in ("held_on", "starts_at", "place", "chair", "recorder"):
            self.query_one(f"#box-{field}", Input).value = getattr(form, field)
        for field in ("agenda", "minutes", "decisions"):
            self.query_one(f"#box-{field}", TextArea).text = getattr(form, field)
        self.attendees, self.items = list(form.attendees), list(form.items)
        self.marks = {mark.id: mark for mark in form.marks}
        self.org_code = form.org_code or self.org_code
        self._show_lists()

    def current_form(self) -> MeetingForm:
        def chosen(select_id: str) -> str:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else ""

        boxes = {f: self.query_one(f"#box-{f}", Input).value
                 for f in ("held_on", "starts_at", "place", "chair", "recorder")}  # fmt: skip
        notes = {f: self.query_one(f"#box-{f}", TextArea).text
                 for f in ("agenda", "minutes", "decisions")}  # fmt: skip
        return MeetingForm(
            id=self.subject, org_code=chosen("#box-org_code") or self.org_code,
            kind=chosen("#box-kind"), **boxes, **notes, attendees=self.attendees,
            items=self.items, marks=list(self.marks.values()),
        )  # fmt: skip

    def form_values(self) -> dict[str, Any]:
        return self.current_form().model_dump(mode="json")

    def _room(self, table_id: str) -> int:
        return self.query_one(table_id, DataTable).size.width or self.app.size.width

    def _show_lists(self) -> None:
        names = dict(self.departments)
        show_attendees(self.query_one("#meeting-attendees", DataTable), self.attendees, names,
                       self._room("#meeting-attendees"))  # fmt: skip
        show_items(self.query_one("#meeting-items", DataTable), self.items, names,
                   self._room("#meeting-items"))  # fmt: skip
        self._show_carried()

    def _show_carried(self) -> None:
        show_carried(self.query_one("#meeting-carried", DataTable), self.carried, self.marks,
                     dict(self.departments), self._room("#meeting-carried"))  # fmt: skip

    # Attendance, action items, carried items.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_attendee", "add_item", "remove"):
            return self.ready
        return super().check_action(action, parameters)

    def action_add_attendee(self) -> None:
        self._edit_attendee(AttendeeForm(id=uuid4()), None)

    def _edit_attendee(self, attendee: AttendeeForm, index: int | None) -> None:
        def kept(result: AttendeeForm | None) -> None:
            if result is not None:
                self._put(self.attendees, index, result)

        exclude = {a.person_id for a in self.attendees if a.person_id and a.id != attendee.id}
        self.app.push_screen(AttendeeModal(attendee, self.departments, self.session, exclude),
                             kept)  # fmt: skip

    def action_add_item(self) -> None:
        self._edit_item(ActionItemForm(id=uuid4()), None)

    def _edit_item(self, item: ActionItemForm, index: int | None) -> None:
        def kept(result: ActionItemForm | None) -> None:
            if result is not None:
                self._put(self.items, index, result)

        self.app.push_screen(ActionItemModal(item, self.departments, self.session), kept)

    def _put(self, lines: list[Any], index: int | None, line: Any) -> None:
        if index is None:
            lines.append(line)
        else:
            lines[index] = line
        self._show_lists()

    @on(DataTable.RowSelected)
    def line_chosen(self, event: DataTable.RowSelected) -> None:
        row, table = event.cursor_row, event.data_table.id
        if table == "meeting-attendees" and row < len(self.attendees) and self.ready:
            self._edit_attendee(self.attendees[row], row)
        elif table == "meeting-items" and row < len(self.items):
            if self.ready:
                self._edit_item(self.items[row], row)
            else:
                self._show_item(self.items[row])
        elif table == "meeting-carried" and row < len(self.carried):
            self._mark(self.carried[row])

    def _show_item(self, item: ActionItemForm) -> None:
        names = dict(self.departments)
        lines = [item.text, f"{names.get(item.department, item.department)} · {item.due_on}"]
        lines += [f"{label(LINK_KINDS, link.kind)}：{link.text}" for link in item.links]
        self.app.push_screen(NoticeModal(_("Action item"), lines))

    def _mark(self, item: CarriedItem) -> None:
        def kept(mark: CarriedMark | None) -> None:
            if mark is None:
                return
            self.marks[item.id] = mark
            self._take_carried(self.carried)

        owner = dict(self.departments).get(item.department_code, item.department_code)
        if not self.ready:
            self.app.push_screen(NoticeModal(_("Carried over"), [item.text, owner]))
            return
        self.app.push_screen(CarriedMarkModal(item, self.marks.get(item.id), owner), kept)

    def action_remove(self) -> None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.row_count == 0:
            return
        row = focused.cursor_row
        if focused.id == "meeting-attendees":
            del self.attendees[min(row, len(self.attendees) - 1)]
        elif focused.id == "meeting-items":
            del self.items[min(row, len(self.items) - 1)]
        self._show_lists()

    # Saving, and comparing with what someone else saved meanwhile.

    def checked(self, submit: bool) -> MeetingInput | None:
        try:
            meeting = MeetingInput.from_form(self.current_form(), today())
        except ValidationError as error:
            self._problems(problems_of(error))
            return None
        if submit and (missing := meeting.submit_problem()):
            field, reason = missing
            self.query_one("#problems", Static).update(_(reason))
            self._focus_field(field)
            return None
        warnings = meeting.identifier_warnings()
        if warnings and self.confirmed != self.form_values():
            self.confirmed = self.form_values()  # warned of: the same key again saves it
            self._problems(warnings, again="ctrl+t" if submit else "ctrl+s")
            return None
        return meeting

    async def write(self, conn: Connection, data: MeetingInput, submit: bool) -> SubmissionState:
        state = await save_meeting(conn, data, base_version=self.base_version, submit=submit)
        key = (data.kind, data.org_code, data.held_on.isoformat(), data.starts_at.isoformat())
        self.saved_carried = await self._fetch_carried(conn, key)
        self.carried_key = key
        return state

    def on_submission_saved(self, message: SubmissionSaved) -> None:
        # Before the base's handler (Textual calls both, this one first), which takes
        # what the boxes hold as stored: the carried items' marks are stored too.
        if self.saved_carried is not None:
            self._take_carried(self.saved_carried)
            self.saved_carried = None
        self.org_code = self.current_form().org_code
        self.query_one("#box-org_code", Select).disabled = True

    async def fetch_stored(self, conn: Connection) -> tuple[dict[str, Any], Any, Any]:
        form, _state = await load_meeting(conn, self.city_code, self.subject)
        who, when = await meeting_stamp(conn, self.city_code, self.subject)
        return comparable(form), who, when

    def conflict_values(self) -> tuple[dict[str, str], dict[str, Any]]:
        return CONFLICT_LABELS, comparable(self.current_form())

    def fill_values(self, values: dict[str, Any]) -> None:
        marks = [m.model_dump(mode="json") for m in self.marks.values()]
        self.fill(MeetingForm.model_validate({**values, "id": self.subject, "marks": marks}))

    def shown_value(self, name: str, value: Any) -> str:
        return shown(name, value, {u.code: u.name for u in self.units}, dict(self.departments))

    def editable_boxes(self) -> Iterator[Widget]:
        yield from self.query("#meeting-form Input, #meeting-form Select, #meeting-form TextArea")

    def _problems(self, problems: list[Problem], *, again: str | None = None) -> None:
        """The first problems, a line each, and the cursor to the first; warnings
        (`again` names the key that saves anyway) likewise."""
        lines = [say(p) if again is None else saved_anyway(p, again) for p in problems[:4]]
        self.query_one("#problems", Static).update("\n".join(lines))
        first = problems[0]
        table = {"items": "#meeting-items", "attendees": "#meeting-attendees"}.get(first.within)
        if first.row is not None and table is not None:
            lines_table = self.query_one(table, DataTable)
            lines_table.move_cursor(row=first.row - 1)
            self.set_focus(lines_table)
            return
        self._focus_field(first.field)

    def _focus_field(self, field: str) -> None:
        if field == "attendees":
            self.set_focus(self.query_one("#meeting-attendees", DataTable))
            return
        for widget in self.query(f"#box-{field}, #row-{field}"):
            self.set_focus(widget.box if isinstance(widget, FormRow) else widget)
            return

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self.show_title()
        self._show_lists()
        self.refresh_bindings()


def carried_key(form: MeetingForm) -> CarriedKey | None:
    """What the carried items depend on: kind, unit, date and time (the day's end while
    no time is typed), or None while the date is not one."""
    try:
        held_on = parse_date(form.held_on)
        starts_at = parse_time(form.starts_at) if form.starts_at.strip() else time.max
    except ValueError:
        return None
    return form.kind, form.org_code, held_on.isoformat(), starts_at.isoformat()
