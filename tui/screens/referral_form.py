"""The referral of one need: to which department and when, by when, the department's
acknowledgement, dated progress notes, and the close with its outcome.

A form on the shared submission base (tui/screens/submission_form.py), whose record
under review is the need's close: ctrl+s keeps the referral and the close as a draft
(a progress note typed is added), ctrl+t submits the close for review; a returned close
shows the reviewer's comment. A closed need, or one whose close waits for review, opens
read-only; opened from the review queue, a submitted close offers the review keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from db.core.clock import today
from db.core.connect import Connection
from db.core.problems import Problem, problems_of
from db.drafts import find_draft
from db.referrals.form import ReferralForm, ReferralInput
from db.referrals.store import (
    KIND,
    NeedRecord,
    ReferralNote,
    load_referral,
    referral_stamp,
    save_referral,
)
from db.visits.store import departments
from db.workflow import SubmissionState, Waiting
from tui.dialogs.notice import DraftChoice, DraftOfferModal
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.labels import NEED_STATUSES, OUTCOME_RESULTS, VISIT_STATUSES, label
from tui.messages import LanguageChanged, ReferralLoaded, SubmissionSaved
from tui.problem_text import saved_anyway, say
from tui.screens.referral_boxes import (
    BOXES,
    CONFLICT_LABELS,
    need_lines,
    notes_text,
    referral_rows,
)
from tui.screens.submission_form import LOAD_GROUP, SubmissionFormScreen
from tui.session import Session
from tui.widgets.form_row import FormRow, relabel_all


class ReferralFormScreen(SubmissionFormScreen[ReferralInput]):
    """The referral of a stored need (see SubmissionFormScreen)."""

    FORM = "referral"
    KIND = KIND
    HEADING = N_("Referral · close: {status}")
    AUTO_FOCUS = "#box-department_code"

    def __init__(
        self, session: Session, city_code: str, need_id: UUID, *, review: Waiting | None = None
    ) -> None:
        super().__init__(session, city_code, need_id, review=review)
        self.need: NeedRecord | None = None
        self.need_version = 0
        self.saved_need_version: int | None = None  # the save under way's, once written
        self.their_need_version: int | None = None  # of the version saved meanwhile
        self.notes: list[ReferralNote] = []
        self.note_id = uuid4()
        self.departments: list[tuple[str, str]] = []
        self.confirmed: dict[str, Any] | None = None  # warned of: saved as it is next time
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield from self.compose_head()
        with VerticalScroll(id="referral-form"):
            yield Static("", id="referral-need", markup=False)
            yield from referral_rows()
        yield from self.compose_foot()

    def on_mount(self) -> None:
        self.query_one("#submission-review").display = False
        hold_keys(self)  # what is typed before the form is filled waits for it
        self.load_form()

    # Loading.

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_form(self) -> None:
        session = self.session
        async with session.transaction() as conn:
            opened = await load_referral(conn, self.city_code, self.subject, self.note_id)
            names = await departments(conn)
            draft = await find_draft(conn, session.keyring, "referral", self.subject)
        self.post_message(ReferralLoaded(opened, names, draft))

    def on_referral_loaded(self, message: ReferralLoaded) -> None:
        opened = message.opened
        self.need, self.notes = opened.need, opened.notes
        self.need_version, self.org_code = opened.need.version, opened.need.org_code
        self.departments = message.departments
        department = self.query_one("#box-department_code", Select)
        department.set_options([(name, code) for code, name in self.departments])
        self.fill(opened.form)
        editable = self.show_state(opened.state)
        if editable and message.draft is not None:
            self._offer_draft(message.draft)
            return
        release_keys(self)

    def show_state(self, state: SubmissionState | None) -> bool:
        """Editable only while the need is followed up and its close is not under review."""
        editable = super().show_state(state)
        if editable and self.need is not None and not self.need.followed:
            for box in self.editable_boxes():
                box.disabled = True
            self.ready = False
            self.refresh_bindings()
            return False
        return editable

    def _offer_draft(self, draft: Any) -> None:
        def chosen(choice: DraftChoice | None) -> None:
            if choice == "restore":
                self.base_version = draft.base_version
                self.need_version = draft.values.get("need_version", self.need_version)
                self.fill(ReferralForm.model_validate(draft.values))
                self.show_draft_state(_("Draft restored: check it, then ctrl+s or ctrl+t"))
            elif choice == "discard":
                self.drop_draft(draft.subject)
            release_keys(self)

        self.app.push_screen(DraftOfferModal(draft.saved_at, _("a referral")), chosen)

    # The boxes.

    def fill(self, form: ReferralForm) -> None:
        self.note_id = form.note_id
        for name, attribute in BOXES.items():
            box = self.query_one(f"#box-{name}")
            value = getattr(form, attribute)
            if isinstance(box, Select):
                box.value = value if value else Select.NULL
            elif isinstance(box, Input):
                box.value = value
        self._show_need()

    def current_form(self) -> ReferralForm:
        values: dict[str, str] = {}
        for name, attribute in BOXES.items():
            box = self.query_one(f"#box-{name}")
            if isinstance(box, Select):
                values[attribute] = box.value if isinstance(box.value, str) else ""
            elif isinstance(box, Input):
                values[attribute] = box.value
        return ReferralForm(need_id=self.subject, note_id=self.note_id, **values)

    def form_values(self) -> dict[str, Any]:
        return {**self.current_form().model_dump(mode="json"), "need_version": self.need_version}

    def _show_need(self) -> None:
        need = self.need
        if need is None:
            return
        lines = need_lines(need, today())
        lines.append(notes_text(self.notes))
        self.query_one("#referral-need", Static).update("\n".join(lines))

    def show_title(self) -> None:
        super().show_title()
        if self.need is not None:
            title = _("Referral · {need} · close: {status}").format(
                need=label(NEED_STATUSES, self.need.status),
                status=label(VISIT_STATUSES, self.status),
            )
            self.query_one("#submission-title", Static).update(title)

    def editable_boxes(self) -> Iterator[Widget]:
        yield from self.query("#referral-form Input, #referral-form Select")

    # Saving.

    def checked(self, submit: bool) -> ReferralInput | None:
        if self.need is None:
            return None
        try:
            data = ReferralInput.from_form(self.current_form(), self.need.dates(today()))
        except ValidationError as error:
            self._problems(problems_of(error))
            return None
        if submit and (lacking := data.submit_problems()):
            self._problems(lacking)
            return None
        warnings = data.warnings()
        if warnings and self.confirmed != self.form_values():
            self.confirmed = self.form_values()  # warned of: the same key again saves it
            self._problems(warnings, again="ctrl+t" if submit else "ctrl+s")
            return None
        return data

    async def write(self, conn: Connection, data: ReferralInput, submit: bool) -> SubmissionState:
        assert self.need is not None
        saved = await save_referral(
            conn, self.need, data, need_version=self.need_version,
            base_version=self.base_version, submit=submit,
        )  # fmt: skip
        self.saved_need_version = saved.need_version
        return saved.state

    def on_submission_saved(self, message: SubmissionSaved) -> None:
        """The need as saved; the note stored joins the list. Textual then runs the base's
        handler (every class's handler of a message runs, the subclass's first)."""
        form = self.current_form()
        if self.need is not None and self.saved_need_version is not None:
            referred = self.need.status == "open" and bool(form.referred_on.strip())
            status = "referred" if referred else self.need.status
            self.need = self.need.model_copy(update={"status": status})
            self.need_version = self.saved_need_version
        self.saved_need_version = None
        if message.state.status != "submitted" and form.note.strip():
            self._note_kept(form)
            message.values = self.form_values()  # kept as the boxes are now

    def _note_kept(self, form: ReferralForm) -> None:
        """The note just stored joins the list; the boxes are ready for the next one."""
        writer = self.session.user.display_name or self.session.user.name
        noted = ReferralNote(id=form.note_id, noted_on=date.fromisoformat(form.noted_on.strip()),
                             note=form.note.strip(), writer=writer)  # fmt: skip
        self.notes.append(noted)
        self.note_id = uuid4()
        self.query_one("#box-note", Input).value = ""
        self._show_need()

    # Saved meanwhile by someone else.

    async def fetch_stored(self, conn: Connection) -> tuple[dict[str, Any], Any, Any]:
        opened = await load_referral(conn, self.city_code, self.subject, self.note_id)
        who, when = await referral_stamp(conn, self.city_code, self.subject)
        self.their_need_version = opened.need.version
        return _comparable(opened.form), who, when

    def conflict_values(self) -> tuple[dict[str, str], dict[str, Any]]:
        return CONFLICT_LABELS, _comparable(self.current_form())

    def fill_values(self, values: dict[str, Any]) -> None:
        current = self.current_form()
        if self.their_need_version is not None:
            self.need_version = self.their_need_version
        self.fill(current.model_copy(update=values))

    def shown_value(self, name: str, value: Any) -> str:
        if name == "department":
            return dict(self.departments).get(str(value), str(value))
        if name == "result":
            return label(OUTCOME_RESULTS, value) if value else ""
        return str(value)

    def _problems(self, problems: list[Problem], *, again: str | None = None) -> None:
        lines = [say(p) if again is None else saved_anyway(p, again) for p in problems[:4]]
        self.query_one("#problems", Static).update("\n".join(lines))
        for row in self.query(f"#row-{problems[0].field}").results(FormRow):
            self.set_focus(row.box)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        relabel_all(self)
        self.show_title()
        self._show_need()
        self.refresh_bindings()


def _comparable(form: ReferralForm) -> dict[str, Any]:
    """What two saves of the referral compare: its boxes, without the note being typed."""
    values = form.model_dump(mode="json")
    for name in ("need_id", "note_id", "noted_on", "note"):
        del values[name]
    return values
