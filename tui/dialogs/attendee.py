"""One line of a meeting's attendance: present (出席), apologies (请假) or observer (列席);
a member department, a registered person (ctrl+o picks one) or a name, or several."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.core.problems import problems_of
from db.meetings.form import ATTENDANCES, AttendeeForm, AttendeeInput
from db.visits.form import VisitPerson
from tui.dialogs.person_picker import PersonPickerModal
from tui.i18n import N_, _
from tui.labels import ATTENDANCES as ATTENDANCE_LABELS
from tui.problem_text import say
from tui.session import Session
from tui.widgets.boxes import TextBox

FIELD_BOXES = {"attendance": "#att-attendance", "name": "#att-name"}


class MeetingPersonPicker(PersonPickerModal):
    """The person picker, titled for a meeting."""

    def __init__(self, session: Session, exclude: set[UUID], title: str) -> None:
        super().__init__(session, exclude)
        self.title_msgid = title

    def on_mount(self) -> None:
        # Textual runs the picker's own on_mount too (it fills the results).
        self.query_one(".dialog").border_title = _(self.title_msgid)


class AttendeeModal(ModalScreen[AttendeeForm | None]):
    """Returns the line as entered (checked), or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "keep", N_("Keep"), tooltip=N_("Keep this line of attendance")),
        Binding("ctrl+o", "pick_person", N_("Registered person"),
                tooltip=N_("Choose a registered person")),
        Binding("escape", "cancel", N_("Cancel")),
    ]  # fmt: skip

    def __init__(
        self,
        attendee: AttendeeForm,
        departments: list[tuple[str, str]],
        session: Session,
        exclude: set[UUID],
    ) -> None:
        super().__init__()
        self.attendee, self.departments = attendee, departments
        self.session, self.exclude = session, exclude
        self.person = (
            VisitPerson(city_code=session.user.org_code[:4], id=attendee.person_id,
                        name=attendee.person_name)
            if attendee.person_id else None
        )  # fmt: skip

    def compose(self) -> ComposeResult:
        a = self.attendee
        with Vertical(classes="dialog") as box:
            box.border_title = _("Attendance")
            yield Label(_("Present, apologies or observer"))
            yield Select(
                [(_(ATTENDANCE_LABELS[code]), code) for code in ATTENDANCES],
                value=a.attendance if a.attendance in ATTENDANCES else "present",
                allow_blank=False, compact=True, id="att-attendance",
            )  # fmt: skip
            yield Label(_("Department"))
            yield Select(
                [(name, code) for code, name in self.departments],
                value=a.department or Select.NULL, prompt=_("None"), compact=True,
                id="att-department",
            )  # fmt: skip
            yield Label(_("Registered person (ctrl+o chooses)"))
            yield Static(self._person_text(), id="att-person", markup=False)
            yield Label(_("Name (or post and name)"))
            yield TextBox(a.name, max_length=100, compact=True, id="att-name")
            yield Static("", id="att-problem", markup=False)
            yield Static(_("ctrl+s keeps it · Esc cancels"), classes="dialog-hint", markup=False)

    def _person_text(self) -> str:
        return self.person.name if self.person else _("None")

    def action_pick_person(self) -> None:
        def chosen(person: VisitPerson | None) -> None:
            if person is not None:
                self.person = person
                self.query_one("#att-person", Static).update(self._person_text())

        picker = MeetingPersonPicker(self.session, self.exclude, N_("Who attended"))
        self.app.push_screen(picker, chosen)

    def action_keep(self) -> None:
        def chosen(select_id: str) -> str:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else ""

        attendee = AttendeeForm(
            id=self.attendee.id,
            attendance=chosen("#att-attendance"),
            department=chosen("#att-department"),
            person_id=self.person.id if self.person else None,
            person_name=self.person.name if self.person else "",
            name=self.query_one("#att-name", Input).value,
        )
        try:
            AttendeeInput.model_validate(AttendeeInput.prepare(attendee))
        except ValidationError as error:
            problems = problems_of(error)
            self.query_one("#att-problem", Static).update("\n".join(say(p) for p in problems))
            box = FIELD_BOXES.get(problems[0].field) if problems else None
            if box:
                self.query_one(box).focus()
            return
        self.dismiss(attendee)

    def action_cancel(self) -> None:
        self.dismiss(None)
