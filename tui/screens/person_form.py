"""Registering a person or correcting their record: the paper form's boxes, checked on save."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import ValidationError
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, Footer, Header, Input, Select, Static

from db.core.clock import today
from db.core.problems import Problem, problems_of
from db.drafts import discard_draft, drafts_of, find_draft
from db.persons.consent import LegalBasis, LegalBasisForm, record_consent, registration_consent
from db.persons.form import FormContext, PersonForm, PersonInput, load_form_reference
from db.persons.free_text import in_person_notes
from db.persons.save import (
    EditConflict,
    IdHolder,
    Saved,
    create_person,
    grids_under,
    held_elsewhere,
    load_for_edit,
    update_person,
)
from tui.dialogs.conflict import ConflictChoice, ConflictModal, merged
from tui.dialogs.notice import DraftChoice, DraftOfferModal, NoticeModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import LEGAL_BASES
from tui.messages import LanguageChanged, PersonFormLoaded, PersonSaveDone
from tui.problem_text import holder_notice, holder_problem, saved_anyway, say
from tui.screens.failures import Failure
from tui.screens.person_form_boxes import (
    BOX_LABELS,
    TEXT_BOXES,
    box_label,
    box_of,
    person_rows,
    place,
)
from tui.screens.person_form_id import IdCheckingForm
from tui.session import Session
from tui.widgets.form_row import FormRow, relabel_all
from tui.widgets.suggesters import CodeNameSuggester

PROBLEM_LINES = 4  # as #problems is high
LOAD_GROUP, SAVE_GROUP = "person-form-load", "person-form-save"


@dataclass(frozen=True, slots=True)
class FormOutcome:
    """What the form ended with: the record saved, or the one that already held the ID."""

    city_code: str
    person_id: UUID
    duplicate: bool = False


class PersonFormScreen(IdCheckingForm[FormOutcome | None]):
    """Create (no target) or edit a person; ctrl+s saves, Esc leaves with a draft kept."""

    FORM = "person"
    AUTO_FOCUS = "#box-name"
    FAILURES: ClassVar[dict[str, Failure]] = {
        **IdCheckingForm.FAILURES,
        LOAD_GROUP: Failure(N_("Not saved: {reason}. What you typed is still here.")),
        SAVE_GROUP: Failure(N_("Not saved: {reason}. What you typed is still here."), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), tooltip=N_("Check and save the record")),
        Binding("escape", "close", N_("Back"), key_display="Esc",
                tooltip=N_("Leave the form; what you typed is kept as a draft")),
    ]  # fmt: skip

    def __init__(self, session: Session, target: tuple[str, UUID] | None = None) -> None:
        super().__init__(session, target[1] if target else uuid4())
        self.target = target
        self.base_form = PersonForm()
        self.context: FormContext | None = None
        self.theirs_meta: tuple[str, Any] | None = None
        self.confirmed: PersonForm | None = None  # warned of, so ctrl+s saves it as it is
        self.cursor_box: str | None = None  # where a failed save put the cursor
        self.listed: list[Problem] = []  # the problems of the last save, while shown
        self.draft_state = ""
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="form-title", markup=False)
        with VerticalScroll(id="person-form"):
            yield from person_rows()
        yield Static("", id="problems", markup=False)
        yield Static("", id="draft-state", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#row-grid").display = False
        for row in ("#row-basis", "#row-given_on"):
            self.query_one(row).display = self.target is None
        hold_keys(self)  # what is typed before the boxes are filled waits for them
        self.load_form()

    # Loading: reference data, the record, a kept draft.

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_form(self, then: ConflictChoice | None = None) -> None:
        session = self.session
        async with session.transaction() as conn:
            reference = session.reference or await load_form_reference(conn)
            stored = plain_id = draft = None
            grids: list[tuple[str, str]] = []
            if self.target is not None:
                stored, plain_id = await load_for_edit(conn, session.keyring, *self.target)
                if then is None:
                    draft = await find_draft(conn, session.keyring, "person", self.subject)
            else:
                grids = await grids_under(conn, session.user.org_code)
                kept = [d for d in await drafts_of(conn, session.keyring, "person")
                        if d.base_version is None]  # fmt: skip
                draft = kept[0] if kept else None
        self.post_message(PersonFormLoaded(reference, grids, stored, plain_id, draft, then))

    def on_person_form_loaded(self, message: PersonFormLoaded) -> None:
        self.session.reference = reference = message.reference
        stored = message.stored
        self.context = FormContext(
            reference, today(),
            kept_id_masked=stored.id_masked if stored else None,
            kept_id_number=message.plain_id,
            kept_phone_masked=stored.phone_masked if stored else None,
        )  # fmt: skip
        self.query_one("#box-origin", Input).suggester = CodeNameSuggester(reference.divisions)
        groups = {code: name for code, name in reference.ethnic_groups.items()}
        self.query_one("#box-ethnic", Input).suggester = CodeNameSuggester(groups)
        if message.grids:
            self._offer_grids(message.grids)
        if stored is not None:
            shown = stored.form
            if message.then == "merge":
                mine = self.current_form().model_dump()
                both = merged(self.base_form.model_dump(), mine, shown.model_dump())
                shown = PersonForm.model_validate(both)
            self.base_form, self.base_version = stored.form, stored.version
            self.org_code = stored.org_code
            self.fill(shown)
        self._title()
        self.kept = self.form_values() if message.then is None else None
        self.ready = True
        self.start_autosave()
        if message.draft is not None:
            self._offer_draft(message.draft)
        else:
            release_keys(self)

    def _offer_grids(self, grids: list[tuple[str, str]]) -> None:
        select = self.query_one("#box-grid", Select)
        select.set_options([(label, code) for code, label in grids])
        if len(grids) == 1:
            select.value = grids[0][0]
            self.org_code = grids[0][0]
        else:
            self.query_one("#row-grid").display = True

    def _offer_draft(self, draft: Any) -> None:
        what = _("this record") if self.target else _("a new registration")

        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.subject, self.base_version = draft.subject, draft.base_version
                self.org_code = draft.org_code
                self.fill(PersonForm(**draft.values["form"]))
                self.fill_basis(LegalBasisForm(**draft.values.get("basis", {})))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s saves"))
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)  # what was typed ahead goes into the form as now filled

        self.app.push_screen(DraftOfferModal(draft.saved_at, what), chosen)

    def _title(self) -> None:
        title = self.query_one("#form-title", Static)
        if self.target is None:
            title.update(_("New registration · ctrl+s saves · Esc leaves (a draft is kept)"))
        else:
            title.update(_("Correcting the record of {name}").format(name=self.base_form.name))

    # The boxes.

    def fill(self, form: PersonForm) -> None:
        for name, _label, _hint in TEXT_BOXES:
            self.query_one(f"#box-{name}", Input).value = getattr(form, name)
        self.query_one("#box-sex", Select).value = (
            form.sex if form.sex in ("1", "2") else Select.NULL
        )
        self.query_one("#box-residence_permit", Select).value = form.residence_permit
        self.query_one("#box-interpreter_needed", Checkbox).value = form.interpreter_needed

    def fill_basis(self, basis: LegalBasisForm) -> None:
        self.query_one("#box-basis", Select).value = (
            basis.basis if basis.basis in LEGAL_BASES else Select.NULL
        )
        self.query_one("#box-given_on", Input).value = basis.given_on

    def current_basis(self) -> LegalBasisForm:
        basis = self.query_one("#box-basis", Select).value
        given_on = self.query_one("#box-given_on", Input).value
        return LegalBasisForm(basis=basis if isinstance(basis, str) else "", given_on=given_on)

    def current_form(self) -> PersonForm:
        values: dict[str, Any] = {
            name: self.query_one(f"#box-{name}", Input).value for name, _l, _h in TEXT_BOXES
        }
        sex = self.query_one("#box-sex", Select).value
        values["sex"] = sex if isinstance(sex, str) else ""
        permit = self.query_one("#box-residence_permit", Select).value
        values["residence_permit"] = permit if isinstance(permit, str) else "none"
        values["interpreter_needed"] = self.query_one("#box-interpreter_needed", Checkbox).value
        return PersonForm(**values)

    def form_values(self) -> dict[str, Any]:
        values = {"form": self.current_form().model_dump()}
        if self.target is None:
            values["basis"] = self.current_basis().model_dump()
        return values

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "box-grid" and isinstance(event.value, str):
            self.org_code = event.value

    # Saving.

    def action_save(self) -> None:
        if not self.ready or self.context is None:
            return
        self.listed = []
        form = self.current_form()
        holder = self.holder_of(form.id_number)
        if holder is not None and holder.visible and self.target is None:
            self._open_holder(holder)  # told when the ID box was left: ctrl+s opens it
            return
        problems, data, basis = self._check(form, self.context)
        if problems:
            if holder is not None:
                problems.append(holder_problem(holder, opens=self.target is None))
            self.show_problems(problems)
            return
        assert data is not None
        warnings = self._warnings(form, data)
        if warnings and self.confirmed != form:
            self.confirmed = form
            self.query_one("#problems", Static).update("\n".join(warnings))
            return
        self.query_one("#problems", Static).update(_("Saving…"))
        self.showing_holder = False
        hold_keys(self)  # the next keys go where the outcome puts the cursor
        self.save_person(data, form, basis)

    def _warnings(self, form: PersonForm, data: PersonInput) -> list[str]:
        """What is said once before the form is saved as it is: 三必清 fields missing,
        an identifier in the notes."""
        lines = []
        if missing := form.missing_three():
            names = "、".join(_(BOX_LABELS[m]) for m in missing)
            lines.append(_(
                "三必清: {fields} missing. The record will be listed in the data-quality "
                "ledger. ctrl+s again saves anyway."
            ).format(fields=names))  # fmt: skip
        lines += [saved_anyway(p, "ctrl+s") for p in in_person_notes(data)]
        return lines

    def _check(
        self, form: PersonForm, context: FormContext
    ) -> tuple[list[Problem], PersonInput | None, LegalBasis | None]:
        """Every problem of the form, and what it holds once it has none."""
        problems: list[Problem] = []
        if self.target is None and len(self.org_code) != 14:
            problems.append(Problem("grid", N_("choose the grid the person lives in")))
        data = basis = None
        try:
            data = PersonInput.from_form(form, context)
        except ValidationError as error:
            problems += problems_of(error)
        if self.target is None:
            try:
                basis = LegalBasis.from_form(self.current_basis(), context.today)
            except ValidationError as error:
                problems += problems_of(error)
        return problems, data, basis

    def show_problems(self, problems: list[Problem], *, move: bool = True) -> None:
        """Every problem in the form's order, as many as fit; the cursor to the first."""
        ordered = self.listed = sorted(problems, key=lambda p: place(box_of(p.field)))
        lines = [say(p) for p in ordered]
        if len(lines) > PROBLEM_LINES:
            more = len(lines) - PROBLEM_LINES + 1
            lines = [*lines[: PROBLEM_LINES - 1], _("…and {count} more").format(count=more)]
        self.query_one("#problems", Static).update("\n".join(lines))
        self.showing_holder = False
        if move:
            self.put_cursor(box_of(ordered[0].field))

    def show_holder(self, holder: IdHolder | None) -> None:
        if holder is not None and self.listed:  # found after the save began: one more problem
            problem = holder_problem(holder, opens=self.target is None)
            self.show_problems([*self.listed, problem], move=False)  # typing goes on where it is
        else:
            super().show_holder(holder)

    def put_cursor(self, box: str) -> None:
        """Focus `box` and say so in the status line, so typing goes on knowingly there."""
        for row in self.query(f"#row-{box}").results(FormRow):
            row.box.focus()
            self.cursor_box = box
            self._show_status()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.cursor_box is not None and event.widget.id != f"box-{self.cursor_box}":
            self.cursor_box = None  # the user moved on: the note would mislead
            self._show_status()

    def show_draft_state(self, text: str) -> None:
        self.draft_state = text
        self._show_status()

    def _show_status(self) -> None:
        parts = [self.draft_state]
        if self.cursor_box is not None:
            parts.insert(0, _("Cursor in: {box}").format(box=box_label(self.cursor_box)))
        super().show_draft_state(" · ".join(part for part in parts if part))

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def save_person(
        self, data: PersonInput, form: PersonForm, basis: LegalBasis | None
    ) -> None:
        session = self.session
        duplicate = await held_elsewhere(session.transaction, session.keyring, self.subject, data)
        if duplicate is not None:
            self.post_message(PersonSaveDone(Saved(duplicate=duplicate), form.model_dump()))
            return
        async with session.transaction() as conn:
            if self.target is not None:
                saved = await update_person(
                    conn, session.keyring, self.target[0], self.target[1],
                    self.base_version or 0, data,
                )  # fmt: skip
            else:
                saved = await create_person(
                    conn, session.keyring, self.subject, self.org_code, data
                )
                if saved.version is not None and basis is not None:
                    consent = registration_consent(
                        self.org_code[:4], self.subject, self.org_code, basis
                    )
                    await record_consent(conn, consent)
            if saved.version is not None:
                await discard_draft(conn, "person", self.subject)
        self.post_message(PersonSaveDone(saved, form.model_dump()))

    def on_person_save_done(self, message: PersonSaveDone) -> None:
        saved: Saved = message.saved
        holder = saved.duplicate
        if holder is None:
            self.ready = False  # stored: nothing left to keep as a draft
            city = self.target[0] if self.target else self.org_code[:4]
            self.dismiss(FormOutcome(city, self.target[1] if self.target else self.subject))
        elif holder.visible and self.target is None:
            self._open_holder(holder)
        else:
            number = self.typed_id(message.values["id_number"])
            if number is not None:
                self.id_check = (number, holder)
            self.query_one("#problems", Static).update(
                say(holder_problem(holder, opens=self.target is None))
            )
            self.put_cursor("id_number")
            release_keys(self)
            self.app.push_screen(NoticeModal(_("Already registered"), holder_notice(holder)))

    def _open_holder(self, holder: IdHolder) -> None:
        # Visible, so in the user's scope: the answer carries the record's key.
        assert holder.city_code is not None
        assert holder.id is not None
        self.ready = False
        self.drop_draft(self.subject)
        self.dismiss(FormOutcome(holder.city_code, holder.id, duplicate=True))

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if isinstance(error, EditConflict) and group == SAVE_GROUP:
            self._conflict(error)
            return True
        return False

    def _conflict(self, error: EditConflict) -> None:
        mine = self.current_form().model_dump()
        theirs = error.current.form.model_dump()
        if mine == theirs:  # our own earlier save went through; its reply was lost
            self.ready = False
            self.dismiss(FormOutcome(error.current.city_code, error.current.id))
            return

        def chosen(choice: ConflictChoice | None) -> None:
            if choice is None:
                release_keys(self)
                return
            self.ready = False
            self.load_form(choice)

        self.app.push_screen(
            ConflictModal(BOX_LABELS, self.base_form.model_dump(), mine, theirs,
                          error.current.updated_by, error.current.updated_at), chosen,
        )  # fmt: skip

    def action_close(self) -> None:
        self.leave_keeping_draft(None)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self._title()
        self._show_status()
        self.refresh_bindings()
