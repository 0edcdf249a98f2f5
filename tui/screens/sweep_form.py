"""The month's dispute sweep of a community (or grid): a nil return or the cases found,
and a re-check of every case still open, each with its status and a dated note.

A form on the shared submission base (tui/screens/submission_form.py): ctrl+s keeps it
as a draft, ctrl+t files it for review. Enter on an open case re-checks it; ctrl+n adds
a case found this month (the sweep is kept as a draft first, so the case joins it) and
Enter on a new case opens it. A filed sweep opens read-only, with the review keys when
a supervisor opens it from the queue.
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
from textual.widgets import Checkbox, DataTable, Input, Static

from db.core.clock import today
from db.core.connect import Connection
from db.core.problems import Problem, problems_of
from db.disputes.cases import CaseLine
from db.disputes.months import MonthStatus, month_status
from db.disputes.steps import StepForm, StepRules
from db.disputes.sweep_form import SweepForm, SweepInput, SweepRules
from db.disputes.sweeps import (
    SweepView,
    cases_found,
    cases_to_recheck,
    load_sweep,
    open_sweep,
    save_sweep,
    sweep_stamp,
)
from db.drafts import drafts_of, find_draft
from db.workflow import EDITABLE, SubmissionState, Waiting
from tui.dialogs.case_step import StepModal
from tui.dialogs.notice import DraftChoice, DraftOfferModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import DISPUTE_STAGES, label
from tui.messages import LanguageChanged, SubmissionSaved, SweepCasesLoaded, SweepFormLoaded
from tui.problem_text import say
from tui.screens.failures import Failure
from tui.screens.submission_form import LOAD_GROUP, SAVE_GROUP, SubmissionFormScreen
from tui.session import Session
from tui.widgets.boxes import TextBox
from tui.widgets.dispute_tables import (
    CaseTable,
    RecheckRow,
    RecheckTable,
    sweep_month,
    sweep_state,
)
from tui.widgets.form_row import FormLabel, FormRow, relabel_all
from tui.widgets.tick_box import TickBox

CASES_GROUP = "sweep-form-cases"
# The headings over the two lists: (read-only, editable), the latter naming the keys.
RECHECK_HEADINGS = (N_("Open cases re-checked (Enter opens one)"),
                    N_("Open cases to re-check (Enter re-checks one)"))  # fmt: skip
NEW_HEADINGS = (N_("New cases this month (Enter opens one)"),
                N_("New cases this month (ctrl+n adds one, Enter opens it)"))  # fmt: skip
NIL_LABEL = N_("No new dispute found this month")
CONFLICT_LABELS = {"nil_return": N_("Nil return"), "notes": N_("Notes"),
                   "rechecks": N_("Re-check")}  # fmt: skip


class SweepFormScreen(SubmissionFormScreen[SweepInput]):
    """A stored sweep (`subject`), or the sweep of `unit` for `month`, stored or new."""

    FORM = "sweep"
    KIND = "sweep"
    HEADING = N_("Dispute sweep · {status}")
    AUTO_FOCUS = "#box-nil_return"
    FAILURES: ClassVar[dict[str, Failure]] = {
        **SubmissionFormScreen.FAILURES,
        CASES_GROUP: Failure(N_("The cases were not shown again: {reason}"), "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "add_case", N_("Add case"), tooltip=N_("Add a case found this month")),
    ]  # fmt: skip

    def __init__(
        self,
        session: Session,
        city_code: str,
        subject: UUID,
        *,
        unit: str | None = None,
        month: date | None = None,
        review: Waiting | None = None,
    ) -> None:
        super().__init__(session, city_code, subject, review=review)
        self.unit, self.month = unit, month
        self.view: SweepView | None = None
        self.month_status: MonthStatus | None = None
        self.rechecks: dict[UUID, StepForm] = {}
        self.adding_case = False  # kept as a draft so that a case can join it
        translate_bindings(self)

    @classmethod
    def for_month(cls, session: Session, unit: str, month: date) -> SweepFormScreen:
        """The sweep of `unit` for `month` (a home-screen line opens it so)."""
        return cls(session, unit[:4], uuid4(), unit=unit, month=month.replace(day=1))

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        yield Static("", id="sweep-what", markup=False)
        with VerticalScroll(id="sweep-form"):
            nil = TickBox(_(NIL_LABEL), compact=True, id="box-nil_return")
            yield FormRow(N_("Nil return"), nil, field="nil_return")
            yield FormRow(N_("Notes"), TextBox(compact=True, max_length=2000, id="box-notes"),
                          field="notes")  # fmt: skip
            yield FormLabel(RECHECK_HEADINGS[1], classes="form-heading", id="recheck-heading")
            yield RecheckTable(id="sweep-open")
            yield FormLabel(NEW_HEADINGS[1], classes="form-heading", id="new-heading")
            yield CaseTable(id="sweep-new")
        yield from self.compose_foot()

    def on_mount(self) -> None:
        self.query_one("#submission-review").display = False
        hold_keys(self)  # what is typed before the form is filled waits for it
        self.load_form()

    # Loading.

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_form(self) -> None:
        session, draft = self.session, None
        async with session.transaction() as conn:
            if self.unit is not None and self.month is not None:
                view = await open_sweep(conn, self.city_code, self.unit, self.month)
            else:
                view = await load_sweep(conn, self.city_code, self.subject)
            if view.state is not None:
                draft = await find_draft(conn, session.keyring, "sweep", view.form.id)
            else:
                for kept in await drafts_of(conn, session.keyring, "sweep"):
                    values = kept.values
                    if (kept.base_version is None and values.get("org_code") == view.form.org_code
                            and values.get("month") == view.form.month.isoformat()):  # fmt: skip
                        draft = kept
                        break
            month = await month_status(conn, view.form.org_code, view.form.month, today())
        status = next((m for m in month if m.org_code == view.form.org_code), None)
        self.post_message(SweepFormLoaded(view, status, draft))

    def on_sweep_form_loaded(self, message: SweepFormLoaded) -> None:
        self.view, self.month_status = message.view, message.month
        self.fill(message.view.form)
        editable = self.show_state(message.view.state)
        self._headings(editable)
        if editable and message.draft is not None:
            self._offer_draft(message.draft)
            return
        release_keys(self)

    def _offer_draft(self, draft: Any) -> None:
        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.subject, self.base_version = draft.subject, draft.base_version
                self.fill(SweepForm.model_validate(draft.values))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s or ctrl+t"))
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)

        self.app.push_screen(DraftOfferModal(draft.saved_at, _("a dispute sweep")), chosen)

    def _headings(self, editable: bool) -> None:
        for heading, msgids in (("#recheck-heading", RECHECK_HEADINGS),
                                ("#new-heading", NEW_HEADINGS)):  # fmt: skip
            line = self.query_one(heading, FormLabel)
            line.msgid = msgids[editable]
            line.relabel()

    @work(exclusive=True, group=CASES_GROUP, exit_on_error=False)
    async def reload_cases(self) -> None:
        """The cases again, once a case form closes: one may have been added or changed."""
        form, editable = self.current_form(), self.status in EDITABLE
        async with self.session.transaction() as conn:
            open_cases = await cases_to_recheck(conn, form, editable=editable)
            new_cases = await cases_found(conn, form.org_code, form.month)
        self.post_message(SweepCasesLoaded(open_cases, new_cases))

    def on_sweep_cases_loaded(self, message: SweepCasesLoaded) -> None:
        if self.view is not None:
            self.view = self.view.model_copy(
                update={"open_cases": message.open_cases, "new_cases": message.new_cases}
            )
        self._show_lists()
        release_keys(self)

    # The boxes.

    def fill(self, form: SweepForm) -> None:
        self.subject = form.id
        self.query_one("#box-nil_return", Checkbox).value = form.nil_return
        self.query_one("#box-notes", Input).value = form.notes
        self.rechecks = {UUID(r.id): r for r in form.rechecks}
        self._show_lists()

    def current_form(self) -> SweepForm:
        assert self.view is not None
        listed = {c.id for c in self.view.open_cases}
        return self.view.form.model_copy(update={
            "id": self.subject,
            "nil_return": self.query_one("#box-nil_return", Checkbox).value,
            "notes": self.query_one("#box-notes", Input).value,
            "rechecks": [r for case_id, r in self.rechecks.items() if case_id in listed],
        })  # fmt: skip

    def form_values(self) -> dict[str, Any]:
        if self.view is None:
            return {}
        return self.current_form().model_dump(mode="json")

    def _show_lists(self) -> None:
        view = self.view
        if view is None:
            return
        if self.month_status is not None:
            due = sweep_state(self.month_status, today())
        else:
            due = _("due {day}").format(day=view.due_on.isoformat())
        self.query_one("#sweep-what", Static).update(
            f"{view.unit_name} · {sweep_month(view.form.month)} · {due}"
        )
        rows = [RecheckRow(case, self.rechecks.get(case.id)) for case in view.open_cases]
        self.query_one(RecheckTable).show(rows)
        self.query_one(CaseTable).show(view.new_cases)

    # Re-checks and cases.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_case":
            return self.ready
        return super().check_action(action, parameters)

    @on(DataTable.RowSelected, "#sweep-open")
    def open_case_chosen(self, event: DataTable.RowSelected) -> None:
        if self.view is None or event.cursor_row >= len(self.view.open_cases):
            return
        case = self.view.open_cases[event.cursor_row]
        if not self.ready:
            self._open_case(case)
            return
        step = self.rechecks.get(case.id) or StepForm(id=str(case.id), on=today().isoformat())
        first = max(self.view.form.month, case.opened_on, case.mediated_on or case.opened_on)

        def kept(result: StepForm | None) -> None:
            if result is not None:
                self.rechecks[case.id] = result
                self._show_lists()

        title = _("Re-check: {parties}").format(parties=case.party_names)
        self.app.push_screen(StepModal(title, step, StepRules(today(), first, case.stage)), kept)

    @on(DataTable.RowSelected, "#sweep-new")
    def new_case_chosen(self, event: DataTable.RowSelected) -> None:
        if self.view is not None and event.cursor_row < len(self.view.new_cases):
            self._open_case(self.view.new_cases[event.cursor_row])

    def _open_case(self, case: CaseLine) -> None:
        from tui.screens.case_form import CaseFormScreen

        screen = CaseFormScreen(self.session, case.city_code, case.id)
        self.app.push_screen(screen, lambda _done: self._after_case())

    def _after_case(self) -> None:
        hold_keys(self)  # keys typed as the case form closes act on the lists shown again
        self.reload_cases()

    def action_add_case(self) -> None:
        if not self.ready:
            return
        if self.base_version is not None:
            self._new_case()
            return
        data = self.checked(False)
        if data is None:
            return
        self.adding_case = True
        self.query_one("#problems", Static).update(_("Saving…"))
        hold_keys(self)
        self.store(data, False)

    def on_submission_saved(self, message: SubmissionSaved) -> None:
        """Kept so that a case can join it: the case form opens once the base's handler
        (Textual runs it next, every class's handler of a message runs) has taken the
        version stored."""
        if self.adding_case:
            self.adding_case = False
            self.call_later(self._new_case)

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if group == SAVE_GROUP:
            self.adding_case = False  # not kept: no case joins it yet
        return super().answer_failure(group, error)

    def _new_case(self) -> None:
        from tui.screens.case_form import CaseFormScreen

        unit_name = self.view.unit_name if self.view is not None else ""
        screen = CaseFormScreen.new_in_sweep(self.session, self.current_form(), unit_name)
        self.app.push_screen(screen, lambda _done: self._after_case())

    # Saving, and comparing with what someone else saved meanwhile.

    def checked(self, submit: bool) -> SweepInput | None:
        assert self.view is not None
        try:
            sweep = SweepInput.from_form(
                self.current_form(), SweepRules(today(), self.view.open_cases)
            )
        except ValidationError as error:
            self._problems(problems_of(error))
            return None
        if submit:
            problems = sweep.submit_problems(self.view.open_cases, len(self.view.new_cases))
            if problems:
                self._problems(problems)
                return None
        return sweep

    async def write(self, conn: Connection, data: SweepInput, submit: bool) -> SubmissionState:
        return await save_sweep(conn, data, base_version=self.base_version, submit=submit)

    async def fetch_stored(self, conn: Connection) -> tuple[dict[str, Any], Any, Any]:
        view = await load_sweep(conn, self.city_code, self.subject)
        who, when = await sweep_stamp(conn, self.city_code, self.subject)
        return _comparable(view.form), who, when

    def conflict_values(self) -> tuple[dict[str, str], dict[str, Any]]:
        return CONFLICT_LABELS, _comparable(self.current_form())

    def fill_values(self, values: dict[str, Any]) -> None:
        assert self.view is not None
        rechecks = [StepForm.model_validate(r) for r in values["rechecks"]]
        self.fill(self.view.form.model_copy(update={
            "id": self.subject, "nil_return": values["nil_return"], "notes": values["notes"],
            "rechecks": rechecks,
        }))  # fmt: skip

    def shown_value(self, name: str, value: Any) -> str:
        if name == "nil_return":
            return _("Nil return") if value else _("New cases found")
        if name == "rechecks":
            return "；".join(f"{label(DISPUTE_STAGES, r['stage'])} {r['on']}" for r in value)
        return str(value)

    def editable_boxes(self) -> Iterator[Widget]:
        yield from self.query("#sweep-form Checkbox, #sweep-form Input")

    def _problems(self, problems: list[Problem]) -> None:
        """The first problems, a line each, and the cursor to the first."""
        self.query_one("#problems", Static).update("\n".join(say(p) for p in problems[:4]))
        first = problems[0]
        if first.row is not None:  # a case's re-check: the cursor on that case
            table = self.query_one("#sweep-open", DataTable)
            table.move_cursor(row=first.row - 1)
            self.set_focus(table)
            return
        for widget in self.query(f"#row-{first.field}"):
            if isinstance(widget, FormRow):
                self.set_focus(widget.box)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self.query_one("#box-nil_return", Checkbox).label = _(NIL_LABEL)
        self.show_title()
        self._show_lists()
        self.refresh_bindings()


def _comparable(form: SweepForm) -> dict[str, Any]:
    rechecks = sorted((r.model_dump() for r in form.rechecks), key=lambda r: str(r["id"]))
    return {"nil_return": form.nil_return, "notes": form.notes, "rechecks": rechecks}


def open_sweep_screen(session: Session, unit: str, month: date) -> SweepFormScreen:
    """The sweep of `unit` (a community, or a grid where the city files by grid) for the
    month of `month`: as stored, or a new one. A home-screen line (db.disputes.months
    SweepDue: its status's org_code and month) opens it so."""
    return SweepFormScreen.for_month(session, unit, month)
