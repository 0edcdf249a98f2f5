"""A dispute case: its kind, when it was taken in, what it is about, its parties, the
mediation plan, who is responsible, its dated history, how it ended, an escalation.

A form on the shared submission base (tui/screens/submission_form.py): ctrl+s keeps it
as a draft while it is worked on, ctrl+t submits its conclusion for review. ctrl+o adds
a registered person as a party, ctrl+b someone by name; ctrl+n adds a step (the status
now and a dated note); ctrl+g escalates it to the supervisor. The stored history is not
edited; steps added since it was opened are, until saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
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
from db.disputes.case_form import CaseForm, CaseInput, CaseStanding, PartyForm
from db.disputes.cases import HistoryLine, case_stamp, load_case, save_case
from db.disputes.codes import CASE_KINDS
from db.disputes.steps import StepForm, StepRules
from db.disputes.sweep_form import SweepForm
from db.drafts import drafts_of, find_draft
from db.persons.form import parse_date
from db.visits.form import VisitPerson
from db.visits.store import departments
from db.workflow import SubmissionState, Waiting
from tui.dialogs.case_step import StepModal
from tui.dialogs.notice import DraftChoice, DraftOfferModal, TextPromptModal
from tui.dialogs.party import PartyModal, PartyPickerModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import DISPUTE_KINDS, DISPUTE_STAGES, PARTY_ROLES, label
from tui.messages import CaseFormLoaded, CaseHistoryLoaded, LanguageChanged, SubmissionSaved
from tui.problem_text import say
from tui.screens.failures import Failure
from tui.screens.submission_form import LOAD_GROUP, SubmissionFormScreen
from tui.session import Session
from tui.widgets.boxes import NotesBox, TextBox
from tui.widgets.dispute_tables import HistoryRow, HistoryTable, PartyTable, sweep_month
from tui.widgets.form_row import FormLabel, FormRow, relabel_all

PARTY_HEADINGS = (N_("Parties"),
                  N_("Parties (ctrl+o a registered person, ctrl+b by name, Enter edits, "
                     "Del removes)"))  # fmt: skip
HISTORY_HEADINGS = (N_("Status: {stage} · history"),
                    N_("Status: {stage} · history (ctrl+n adds a step)"))  # fmt: skip
CONFLICT_LABELS = {
    "kind": N_("Dispute kind"), "opened_on": N_("Taken in"), "summary": N_("What it is about"),
    "mediation_plan": N_("Mediation plan"), "department": N_("Department"),
    "responsible_person": N_("Responsible person"), "outcome_note": N_("How it ended"),
    "parties": N_("Parties"), "steps": N_("Steps"), "escalation_note": N_("Why escalated"),
}  # fmt: skip
HISTORY_GROUP = "case-form-history"
BOXES = {"summary": "#box-summary", "mediation_plan": "#box-mediation_plan",
         "parties": "#case-parties", "escalation_note": "#case-history"}  # fmt: skip


class CaseFormScreen(SubmissionFormScreen[CaseInput]):
    """A new case (`seed` given) or a stored one (see SubmissionFormScreen)."""

    FORM = "dispute_case"
    KIND = "dispute_case"
    HEADING = N_("Dispute case · {status}")
    AUTO_FOCUS = "#box-kind"
    FAILURES: ClassVar[dict[str, Failure]] = {
        **SubmissionFormScreen.FAILURES,
        HISTORY_GROUP: Failure(N_("Saved; its history was not shown again: {reason}"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        # The headings over the parties and the history name these keys; help lists them.
        Binding("ctrl+o", "add_person", N_("Add person"), show=False,
                tooltip=N_("Add a registered person as a party")),
        Binding("ctrl+b", "add_outsider", N_("Add by name"), show=False,
                tooltip=N_("Add a party who is not registered, by name")),
        Binding("ctrl+n", "add_step", N_("Add step"), show=False,
                tooltip=N_("Add a step: the status now and a dated note")),
        Binding("ctrl+g", "escalate", N_("Escalate"), show=False,
                tooltip=N_("Escalate the case to the supervisor")),
        Binding("delete", "remove", N_("Remove"), show=False,
                tooltip=N_("Remove the chosen party or new step")),
    ]  # fmt: skip

    def __init__(
        self,
        session: Session,
        city_code: str,
        case_id: UUID,
        *,
        seed: CaseForm | None = None,
        review: Waiting | None = None,
    ) -> None:
        super().__init__(session, city_code, case_id, review=review)
        self.seed = seed
        self.form: CaseForm | None = seed
        self.parties: list[PartyForm] = []
        self.steps: list[StepForm] = []
        self.standing = CaseStanding()
        self.history: list[HistoryLine] = []
        self.unit_name = ""
        translate_bindings(self)

    @classmethod
    def new_in_sweep(cls, session: Session, sweep: SweepForm, unit_name: str) -> CaseFormScreen:
        """A case found in the sweep's month, joining the sweep of `unit_name`."""
        month_end = date(sweep.month.year + sweep.month.month // 12, sweep.month.month % 12 + 1, 1)
        opened = min(today(), date.fromordinal(month_end.toordinal() - 1))
        seed = CaseForm(id=uuid4(), city_code=sweep.city_code, org_code=sweep.org_code,
                        sweep_id=sweep.id, opened_on=opened.isoformat())  # fmt: skip
        screen = cls(session, sweep.city_code, seed.id, seed=seed)
        screen.unit_name = unit_name
        return screen

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        yield Static("", id="case-where", markup=False)
        editing = int(self.seed is not None)
        with VerticalScroll(id="case-form"):
            kinds = [(_(DISPUTE_KINDS[k]), k) for k in CASE_KINDS]
            yield FormRow(N_("Dispute kind"), Select(kinds, prompt=_("Choose"), compact=True,
                                             id="box-kind"), field="kind")  # fmt: skip
            opened = TextBox(placeholder="YYYY-MM-DD", compact=True, id="box-opened_on")
            yield FormRow(N_("Taken in"), opened, field="opened_on")
            yield FormLabel(N_("What it is about"), classes="form-heading")
            yield NotesBox(id="box-summary", soft_wrap=True, show_line_numbers=False, compact=True)
            yield FormLabel(PARTY_HEADINGS[editing], classes="form-heading", id="party-heading")
            yield PartyTable(id="case-parties")
            yield FormLabel(N_("Mediation plan"), classes="form-heading")
            yield NotesBox(id="box-mediation_plan", soft_wrap=True, show_line_numbers=False,
                           compact=True)  # fmt: skip
            yield FormRow(
                N_("Department"),
                Select([], prompt=_("No department yet"), compact=True, id="box-department"),
                field="department",
            )
            yield FormRow(N_("Responsible person"), TextBox(compact=True, max_length=60,
                          id="box-responsible_person"), field="responsible_person")  # fmt: skip
            yield FormLabel(HISTORY_HEADINGS[editing], classes="form-heading",
                            id="history-heading")  # fmt: skip
            yield HistoryTable(id="case-history")
            yield FormRow(N_("How it ended"), TextBox(compact=True, max_length=1000,
                          id="box-outcome_note"), field="outcome_note")  # fmt: skip
            yield Static("", id="case-escalation", markup=False)
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
        session, view, draft = self.session, None, None
        async with session.transaction() as conn:
            names = await departments(conn)
            if self.seed is None:
                view = await load_case(conn, self.city_code, self.subject)
                form = view.form
                draft = await find_draft(conn, session.keyring, "dispute_case", self.subject)
            else:
                form = self.seed
                for kept in await drafts_of(conn, session.keyring, "dispute_case"):
                    if kept.base_version is None and kept.values.get("sweep_id") == (
                        str(form.sweep_id) if form.sweep_id else None
                    ) and kept.values.get("org_code") == form.org_code:  # fmt: skip
                        draft = kept
                        break
        self.post_message(CaseFormLoaded(view, form, draft, names))

    def on_case_form_loaded(self, message: CaseFormLoaded) -> None:
        self.query_one("#box-department", Select).set_options(
            [(name, code) for code, name in message.departments]
        )
        if message.view is not None:
            self.standing, self.history = message.view.standing, message.view.history
            self.unit_name = message.view.unit_name
        self.fill(message.form)
        editable = self.show_state(message.view.state if message.view else None)
        self._headings(editable)
        if editable and message.draft is not None:
            self._offer_draft(message.draft)
            return
        release_keys(self)

    def _offer_draft(self, draft: Any) -> None:
        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.subject, self.base_version = draft.subject, draft.base_version
                self.fill(CaseForm.model_validate(draft.values))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s or ctrl+t"))
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)

        self.app.push_screen(DraftOfferModal(draft.saved_at, _("a dispute case")), chosen)

    def _headings(self, editable: bool) -> None:
        party = self.query_one("#party-heading", FormLabel)
        party.msgid = PARTY_HEADINGS[editable]
        party.relabel()
        self.query_one("#history-heading", FormLabel).msgid = HISTORY_HEADINGS[editable]
        self._show_stage()

    def _show_stage(self) -> None:
        history = self.query_one("#history-heading", FormLabel)
        history.update(_(history.msgid).format(stage=label(DISPUTE_STAGES, self.stage)))

    # The boxes.

    @property
    def stage(self) -> str:
        return self.steps[-1].stage if self.steps else self.standing.stage

    def fill(self, form: CaseForm) -> None:
        self.subject, self.form = form.id, form
        self.query_one("#box-kind", Select).value = form.kind or Select.NULL
        self.query_one("#box-opened_on", Input).value = form.opened_on
        self.query_one("#box-summary", TextArea).text = form.summary
        self.query_one("#box-mediation_plan", TextArea).text = form.mediation_plan
        department = self.query_one("#box-department", Select)
        known = {value for _label, value in department._options}
        department.value = form.department if form.department in known else Select.NULL
        self.query_one("#box-responsible_person", Input).value = form.responsible_person
        self.query_one("#box-outcome_note", Input).value = form.outcome_note
        self.parties, self.steps = list(form.parties), list(form.steps)
        self._show_lists()

    def current_form(self) -> CaseForm:
        assert self.form is not None

        def chosen(select_id: str) -> str:
            value = self.query_one(select_id, Select).value
            return value if isinstance(value, str) else ""

        return self.form.model_copy(update={
            "id": self.subject, "kind": chosen("#box-kind"),
            "opened_on": self.query_one("#box-opened_on", Input).value,
            "summary": self.query_one("#box-summary", TextArea).text,
            "mediation_plan": self.query_one("#box-mediation_plan", TextArea).text,
            "department": chosen("#box-department"),
            "responsible_person": self.query_one("#box-responsible_person", Input).value,
            "outcome_note": self.query_one("#box-outcome_note", Input).value,
            "parties": list(self.parties), "steps": list(self.steps),
        })  # fmt: skip

    def form_values(self) -> dict[str, Any]:
        return {} if self.form is None else self.current_form().model_dump(mode="json")

    def _show_lists(self) -> None:
        self.query_one(PartyTable).show(self.parties)
        rows = [HistoryRow(h.day.isoformat(), h.stage, h.note,
                           _("Sweep {month}").format(month=sweep_month(h.sweep_month))
                           if h.sweep_month else _("This case"))
                for h in self.history]  # fmt: skip
        rows += [HistoryRow(s.on, s.stage, s.note, _("New")) for s in self.steps]
        self.query_one(HistoryTable).show(rows)
        self._show_stage()
        self._show_where()

    def _show_where(self) -> None:
        form = self.form
        where = self.query_one("#case-where", Static)
        where.update(self.unit_name)
        escalation = self.query_one("#case-escalation", Static)
        if form is not None and form.escalated_on:
            escalation.update(_("Escalated to the supervisor on {day}: {why}").format(
                day=form.escalated_on, why=form.escalation_note))  # fmt: skip
        else:
            escalation.update(_("ctrl+g escalates it to the supervisor") if self.ready else "")

    # Parties, steps, escalation.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_person", "add_outsider", "add_step", "remove"):
            return self.ready
        if action == "escalate":
            return self.ready and self.form is not None and not self.form.escalated_on
        return super().check_action(action, parameters)

    def action_add_person(self) -> None:
        def chosen(person: VisitPerson | None) -> None:
            if person is not None:
                self._edit_party(PartyForm(id=uuid4(), person_id=person.id, name=person.name,
                                           role=self._next_role()), None)  # fmt: skip

        exclude = {p.person_id for p in self.parties if p.person_id is not None}
        self.app.push_screen(PartyPickerModal(self.session, exclude), chosen)

    def action_add_outsider(self) -> None:
        self._edit_party(PartyForm(id=uuid4(), role=self._next_role()), None)

    def _next_role(self) -> str:
        roles = [p.role for p in self.parties]
        return "applicant" if "applicant" not in roles else (
            "respondent" if "respondent" not in roles else "other")  # fmt: skip

    @on(DataTable.RowSelected, "#case-parties")
    def party_chosen(self, event: DataTable.RowSelected) -> None:
        if self.ready and event.cursor_row < len(self.parties):
            self._edit_party(self.parties[event.cursor_row], event.cursor_row)

    def _edit_party(self, party: PartyForm, index: int | None) -> None:
        def kept(result: PartyForm | None) -> None:
            if result is None:
                return
            if index is None:
                self.parties.append(result)
            else:
                self.parties[index] = result
            self._show_lists()

        self.app.push_screen(PartyModal(party), kept)

    def _step_rules(self, before: list[StepForm]) -> StepRules:
        """What a step after `before` (the new steps ahead of it) is checked against."""
        days = [d for d in (self._opened(), self.standing.last_step_on) if d is not None]
        days += [d for d in (_day(s.on) for s in before) if d is not None]
        stage = before[-1].stage if before else self.standing.stage
        return StepRules(today(), max(days, default=today()), stage)

    def _opened(self) -> date | None:
        return _day(self.query_one("#box-opened_on", Input).value)

    def action_add_step(self) -> None:
        step = StepForm(id=str(uuid4()), on=today().isoformat(), stage=self.stage)
        self._edit_step(step, None)

    @on(DataTable.RowSelected, "#case-history")
    def step_chosen(self, event: DataTable.RowSelected) -> None:
        index = event.cursor_row - len(self.history)
        if self.ready and 0 <= index < len(self.steps):
            self._edit_step(self.steps[index], index)

    def _edit_step(self, step: StepForm, index: int | None) -> None:
        before = self.steps if index is None else self.steps[:index]

        def kept(result: StepForm | None) -> None:
            if result is None:
                return
            if index is None:
                self.steps.append(result)
            else:
                self.steps[index] = result
            self._show_lists()

        modal = StepModal(_("A step of the case"), step, self._step_rules(before))
        self.app.push_screen(modal, kept)

    def action_remove(self) -> None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.row_count == 0:
            return
        row = focused.cursor_row
        if focused.id == "case-parties":
            del self.parties[row]
        elif focused.id == "case-history" and row >= len(self.history):
            del self.steps[row - len(self.history)]
        self._show_lists()

    def action_escalate(self) -> None:
        if self.form is None or self.form.escalated_on:
            return

        def said(reason: str | None) -> None:
            if reason and self.form is not None:
                self.form = self.form.model_copy(
                    update={"escalated_on": today().isoformat(), "escalation_note": reason}
                )
                self._show_where()
                self.action_save(False)  # it is said at once, kept with the case

        prompt = _("Why must the supervisor know of it now?")
        self.app.push_screen(TextPromptModal(_("Escalate to the supervisor"), prompt,
                                             _("Say why it is escalated."), 500), said)  # fmt: skip

    # Saving, and comparing with what someone else saved meanwhile.

    def checked(self, submit: bool) -> CaseInput | None:
        try:
            case = CaseInput.from_form(self.current_form(), today(), self.standing)
        except ValidationError as error:
            self._problems(problems_of(error))
            return None
        if submit and (reason := case.submit_problem()):
            self._problems([Problem("steps", reason, model="CaseInput")])
            return None
        return case

    async def write(self, conn: Connection, data: CaseInput, submit: bool) -> SubmissionState:
        return await save_case(conn, data, base_version=self.base_version, submit=submit)

    def on_submission_saved(self, message: SubmissionSaved) -> None:
        """The new steps are the case's history now. Textual runs the base's handler
        next (every class's handler of a message runs, the subclass's first); the
        history is read again after it."""
        self.steps = []
        if self.form is not None:
            self.form = self.form.model_copy(update={"steps": []})
        message.values["steps"] = []
        if message.state.status != "submitted":
            self.call_later(self._reload_after_save)

    def _reload_after_save(self) -> None:
        hold_keys(self)  # until the history shows what was stored
        self.reload_history()

    @work(exclusive=True, group=HISTORY_GROUP, exit_on_error=False)
    async def reload_history(self) -> None:
        async with self.session.transaction() as conn:
            view = await load_case(conn, self.city_code, self.subject)
        self.post_message(CaseHistoryLoaded(view.standing, view.history))

    def on_case_history_loaded(self, message: CaseHistoryLoaded) -> None:
        self.standing, self.history = message.standing, message.history
        self.base_values = self.conflict_values()[1]
        self._show_lists()
        release_keys(self)

    async def fetch_stored(self, conn: Connection) -> tuple[dict[str, Any], Any, Any]:
        view = await load_case(conn, self.city_code, self.subject)
        who, when = await case_stamp(conn, self.city_code, self.subject)
        values = _comparable(view.form)
        values["standing"] = view.standing.model_dump(mode="json")
        values["history"] = [h.model_dump(mode="json") for h in view.history]
        return values, who, when

    def conflict_values(self) -> tuple[dict[str, str], dict[str, Any]]:
        values = _comparable(self.current_form())
        values["standing"] = self.standing.model_dump(mode="json")
        values["history"] = [h.model_dump(mode="json") for h in self.history]
        return CONFLICT_LABELS, values

    def fill_values(self, values: dict[str, Any]) -> None:
        assert self.form is not None
        self.standing = CaseStanding.model_validate(values["standing"])
        self.history = [HistoryLine.model_validate(h) for h in values["history"]]
        kept = {k: v for k, v in values.items() if k not in ("standing", "history")}
        self.fill(CaseForm.model_validate({**self.form.model_dump(mode="json"), **kept}))

    def shown_value(self, name: str, value: Any) -> str:
        if name == "kind":
            return label(DISPUTE_KINDS, value)
        if name == "parties":
            return "、".join(f"{p['name']}（{label(PARTY_ROLES, p['role'])}）" for p in value)
        if name == "steps":
            return "；".join(f"{s['on']} {label(DISPUTE_STAGES, s['stage'])}" for s in value)
        return str(value)

    def editable_boxes(self) -> Iterator[Widget]:
        yield from self.query("#case-form Input, #case-form Select, #case-form TextArea")

    def _problems(self, problems: list[Problem]) -> None:
        """The first problems, a line each, and the cursor to the first."""
        self.query_one("#problems", Static).update("\n".join(say(p) for p in problems[:4]))
        first = problems[0]
        if first.row is not None:  # a party's or a step's problem: the cursor on it
            party = first.within == "parties"
            table = self.query_one("#case-parties" if party else "#case-history", DataTable)
            table.move_cursor(row=first.row - 1 + (0 if party else len(self.history)))
            self.set_focus(table)
            return
        box = BOXES.get(first.field)
        for widget in self.query(box or f"#row-{first.field}"):
            self.set_focus(widget.box if isinstance(widget, FormRow) else widget)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self.show_title()
        self._show_lists()
        self.refresh_bindings()


def _day(text: str) -> date | None:
    try:
        return parse_date(text) if text.strip() else None
    except ValueError:
        return None


def _comparable(form: CaseForm) -> dict[str, Any]:
    values = form.model_dump(mode="json")
    for key in ("id", "city_code", "org_code", "sweep_id", "escalated_on"):
        del values[key]
    return values


def open_case_screen(session: Session, city_code: str, case_id: UUID) -> CaseFormScreen:
    """A stored dispute case (a home-screen line, a list or a record opens it so)."""
    return CaseFormScreen(session, city_code, case_id)
