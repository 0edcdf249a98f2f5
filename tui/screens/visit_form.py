"""Logging a visit or contact: with whom, how, when, what was said, the needs found.

A form on the shared submission base (tui/screens/submission_form.py): ctrl+s keeps
it as a draft, ctrl+t submits it for review; a returned visit shows the reviewer's
comment and is fixed and submitted again. Submitted and approved visits open
read-only; opened from the review queue, a submitted visit offers the review keys.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from db.drafts import drafts_of, find_draft
from db.persons.free_text import in_visit
from db.persons.models import PersonDetail
from db.referrals.categories import NeedDefault, need_defaults
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson
from db.visits.store import departments, load_visit, save_visit, visit_stamp
from db.workflow import SubmissionState, Waiting
from tui.dialogs.need import NeedModal
from tui.dialogs.notice import DraftChoice, DraftOfferModal
from tui.dialogs.person_picker import PersonPickerModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import NEED_CATEGORIES, VISIT_KINDS, label
from tui.messages import LanguageChanged, VisitFormLoaded
from tui.problem_text import saved_anyway, say
from tui.screens.submission_form import LOAD_GROUP, SubmissionFormScreen
from tui.session import Session
from tui.widgets.boxes import NotesBox, TextBox
from tui.widgets.form_row import FormLabel, FormRow, relabel_all
from tui.widgets.visit_lists import show_needs, show_persons

# The headings over the two lists: (read-only, editable), the latter naming the keys.
PERSONS_HEADINGS = (N_("Persons"), N_("Persons (ctrl+o adds, Del removes)"))
NEEDS_HEADINGS = (N_("Needs found"), N_("Needs found (ctrl+n adds, Enter edits, Del removes)"))


class VisitFormScreen(SubmissionFormScreen[VisitInput]):
    """A new visit (`seed` given) or a stored one (see SubmissionFormScreen)."""

    FORM = "visit"
    KIND = "visit"
    HEADING = N_("Visit · {status}")
    AUTO_FOCUS = "#box-kind"
    BINDINGS: ClassVar[list[BindingType]] = [
        # The headings over the persons and the needs name these keys; help lists them.
        Binding("ctrl+o", "add_person", N_("Add person"), show=False,
                tooltip=N_("Add a person to the visit")),
        Binding("ctrl+n", "add_need", N_("Add need"), show=False,
                tooltip=N_("Record a need found")),
        Binding("delete", "remove", N_("Remove"), show=False,
                tooltip=N_("Remove the chosen person or need")),
    ]  # fmt: skip

    def __init__(
        self,
        session: Session,
        city_code: str,
        visit_id: UUID,
        *,
        seed: VisitForm | None = None,
        review: Waiting | None = None,
    ) -> None:
        super().__init__(session, city_code, visit_id, review=review)
        self.seed = seed
        self.persons: list[VisitPerson] = []
        self.needs: list[NeedForm] = []
        self.departments: list[tuple[str, str]] = []
        self.defaults: dict[str, NeedDefault] = {}
        self.confirmed: dict[str, Any] | None = None  # warned of: saved as it is next time
        translate_bindings(self)

    @classmethod
    def for_person(cls, session: Session, person: PersonDetail) -> VisitFormScreen:
        visit_id = uuid4()
        seed = VisitForm(
            id=visit_id, visited_on=today().isoformat(),
            persons=[VisitPerson(city_code=person.city_code, id=person.id, name=person.name)],
        )  # fmt: skip
        return cls(session, person.city_code, visit_id, seed=seed)

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        with VerticalScroll(id="visit-form"):
            kinds = [(_(text), code) for code, text in VISIT_KINDS.items()]
            kind = Select(kinds, value="home_visit", allow_blank=False, compact=True, id="box-kind")
            yield FormRow(N_("Kind"), kind, field="kind")
            yield FormRow(N_("Date"), TextBox(placeholder="YYYY-MM-DD", compact=True,
                                            id="box-visited_on"), field="visited_on")  # fmt: skip
            yield FormRow(N_("Place"), TextBox(compact=True, max_length=200, id="box-place"),
                          field="place")  # fmt: skip
            editing = int(self.seed is not None)  # a new visit is edited from the start
            yield FormLabel(PERSONS_HEADINGS[editing], classes="form-heading", id="persons-heading")
            yield DataTable(id="visit-persons", cursor_type="row", show_header=False)
            yield FormLabel(N_("What was talked about"), classes="form-heading")
            yield NotesBox(id="box-notes", soft_wrap=True, show_line_numbers=False, compact=True)
            yield FormLabel(NEEDS_HEADINGS[editing], classes="form-heading", id="needs-heading")
            yield DataTable(id="visit-needs", cursor_type="row", show_header=False)
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
            defaults = await need_defaults(conn)
            if self.seed is None:
                form, state = await load_visit(conn, self.city_code, self.subject)
                draft = await find_draft(conn, session.keyring, "visit", self.subject)
            else:
                form = self.seed
                wanted = {p.id for p in form.persons}
                for kept in await drafts_of(conn, session.keyring, "visit"):
                    people = {UUID(p["id"]) for p in kept.values.get("persons", [])}
                    if kept.base_version is None and wanted <= people:
                        draft = kept
                        break
        self.post_message(VisitFormLoaded(form, state, draft, names, defaults))

    def on_visit_form_loaded(self, message: VisitFormLoaded) -> None:
        self.departments, self.defaults = message.departments, message.defaults
        if self.seed is None:
            self.fill(message.form)
        editable = self.show_state(message.state)
        self._headings(editable)
        if editable and message.draft is not None:
            self._offer_draft(message.draft)
            return
        release_keys(self)

    def _offer_draft(self, draft: Any) -> None:
        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.subject, self.base_version = draft.subject, draft.base_version
                self.fill(VisitForm.model_validate(draft.values))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s or ctrl+t"))
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)  # what was typed ahead goes into the form as now filled

        self.app.push_screen(DraftOfferModal(draft.saved_at, _("a visit")), chosen)

    def _headings(self, editable: bool) -> None:
        for heading, msgids in (("#persons-heading", PERSONS_HEADINGS),
                                ("#needs-heading", NEEDS_HEADINGS)):  # fmt: skip
            label_ = self.query_one(heading, FormLabel)
            label_.msgid = msgids[editable]
            label_.relabel()

    # The boxes.

    def fill(self, form: VisitForm) -> None:
        self.subject = form.id
        self.query_one("#box-kind", Select).value = form.kind
        self.query_one("#box-visited_on", Input).value = form.visited_on
        self.query_one("#box-place", Input).value = form.place
        self.query_one("#box-notes", TextArea).text = form.notes
        self.persons, self.needs = list(form.persons), list(form.needs)
        self._show_lists()

    def current_form(self) -> VisitForm:
        kind = self.query_one("#box-kind", Select).value
        return VisitForm(
            id=self.subject,
            kind=kind if isinstance(kind, str) else "",
            visited_on=self.query_one("#box-visited_on", Input).value,
            place=self.query_one("#box-place", Input).value,
            notes=self.query_one("#box-notes", TextArea).text,
            persons=self.persons,
            needs=self.needs,
        )

    def form_values(self) -> dict[str, Any]:
        return self.current_form().model_dump(mode="json")

    def _show_lists(self) -> None:
        show_persons(self.query_one("#visit-persons", DataTable), self.persons)
        needs = self.query_one("#visit-needs", DataTable)
        show_needs(needs, self.needs, self.persons, needs.size.width or self.app.size.width)

    # Persons and needs.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_person", "add_need", "remove"):
            return self.ready
        return super().check_action(action, parameters)

    def action_add_person(self) -> None:
        def chosen(person: VisitPerson | None) -> None:
            if person is not None:
                self.persons.append(person)
                self._show_lists()

        exclude = {p.id for p in self.persons}
        self.app.push_screen(PersonPickerModal(self.session, exclude), chosen)

    def action_add_need(self) -> None:
        if not self.persons:
            self._problems([Problem("persons", N_("add at least one person"))])
            return
        self._edit_need(NeedForm(id=uuid4()), None)

    @on(DataTable.RowSelected, "#visit-needs")
    def need_chosen(self, event: DataTable.RowSelected) -> None:
        if self.ready and event.cursor_row < len(self.needs):
            self._edit_need(self.needs[event.cursor_row], event.cursor_row)

    def _edit_need(self, need: NeedForm, index: int | None) -> None:
        def kept(result: NeedForm | None) -> None:
            if result is None:
                return
            if index is None:
                self.needs.append(result)
            else:
                self.needs[index] = result
            self._show_lists()

        modal = NeedModal(need, self.persons, self.departments, self.defaults)
        self.app.push_screen(modal, kept)

    def action_remove(self) -> None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.row_count == 0:
            return
        row = focused.cursor_row
        if focused.id == "visit-needs":
            del self.needs[row]
        elif focused.id == "visit-persons":
            person = self.persons[row]
            if any(n.person_id == person.id for n in self.needs):
                self._problems([Problem("persons", N_("remove that person's needs first"))])
                return
            del self.persons[row]
        self._show_lists()

    # Saving, and comparing with what someone else saved meanwhile.

    def checked(self, submit: bool) -> VisitInput | None:
        try:
            visit = VisitInput.from_form(self.current_form(), today())
        except ValidationError as error:
            self._problems(problems_of(error))
            return None
        if submit and (reason := visit.submit_problem()):
            self.query_one("#problems", Static).update(_(reason))
            self.query_one("#box-notes", TextArea).focus()
            return None
        warnings = in_visit(visit)
        if warnings and self.confirmed != self.form_values():
            self.confirmed = self.form_values()  # warned of: the same key again saves it
            self._problems(warnings, again="ctrl+t" if submit else "ctrl+s")
            return None
        return visit

    async def write(self, conn: Connection, data: VisitInput, submit: bool) -> SubmissionState:
        return await save_visit(conn, data, base_version=self.base_version, submit=submit)

    async def fetch_stored(self, conn: Connection) -> tuple[dict[str, Any], Any, Any]:
        form, _state = await load_visit(conn, self.city_code, self.subject)
        who, when = await visit_stamp(conn, self.city_code, self.subject)
        return _comparable(form), who, when

    def conflict_values(self) -> tuple[dict[str, str], dict[str, Any]]:
        return CONFLICT_LABELS, _comparable(self.current_form())

    def fill_values(self, values: dict[str, Any]) -> None:
        self.fill(VisitForm.model_validate({**values, "id": self.subject}))

    def shown_value(self, name: str, value: Any) -> str:
        if name == "kind":
            return label(VISIT_KINDS, value)
        if name == "persons":
            return "、".join(p["name"] for p in value)
        if name == "needs":
            return "；".join(f"{label(NEED_CATEGORIES, n['category'])}：{n['description']}"
                            for n in value)  # fmt: skip
        return str(value)

    def editable_boxes(self) -> Iterator[Widget]:
        yield from self.query("#visit-form Input, #visit-form Select, #visit-form TextArea")

    def _problems(self, problems: list[Problem], *, again: str | None = None) -> None:
        """The first problems, a line each, and the cursor to the first; warnings
        (`again` names the key that saves anyway) likewise."""
        lines = [say(p) if again is None else saved_anyway(p, again) for p in problems[:4]]
        self.query_one("#problems", Static).update("\n".join(lines))
        first = problems[0]
        if first.row is not None:  # a need's problem: put the cursor on that need
            needs = self.query_one("#visit-needs", DataTable)
            needs.move_cursor(row=first.row - 1)
            self.set_focus(needs)
            return
        box = {"persons": "#visit-persons", "notes": "#box-notes"}.get(first.field)
        for widget in self.query(box or f"#row-{first.field}"):
            self.set_focus(widget.box if isinstance(widget, FormRow) else widget)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self.show_title()
        self._show_lists()
        self.refresh_bindings()


CONFLICT_LABELS = {
    "kind": N_("Kind"), "visited_on": N_("Date"), "place": N_("Place"),
    "notes": N_("What was talked about"), "persons": N_("Persons"), "needs": N_("Needs found"),
}  # fmt: skip


def _comparable(form: VisitForm) -> dict[str, Any]:
    values = form.model_dump(mode="json")
    del values["id"]
    return values
