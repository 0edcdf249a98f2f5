"""The base of every form of a record that goes through review (a visit, and the kinds
that follow): its status line and the reviewer's comment, ctrl+s to keep it as a
draft and ctrl+t to submit it, the review keys when a reviewer opens it from the
queue, and what follows a save: submitted, kept, refused, or changed meanwhile by
someone else (compare, then merge or reload).

A kind's form says how it is checked (`checked`), stored (`write`), shown (`fill`,
`current_form`) and compared (`conflict_values`); the workflow itself is the
database's and db/workflow.py's.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message_pump import _MessagePumpMeta
from textual.widget import Widget
from textual.widgets import Header, Static

from db import workflow
from db.core.connect import Connection
from db.drafts import discard_draft
from db.workflow import EDITABLE, Conflict, Decision, SubmissionState, Waiting
from tui.dialogs.conflict import ConflictChoice, ConflictModal, merged
from tui.dialogs.review import Review, ask_review
from tui.i18n import N_, _
from tui.keys import hold_keys, release_keys
from tui.labels import VISIT_STATUSES, label
from tui.messages import ConflictLoaded, SubmissionSaved
from tui.screens.drafting import DraftingScreen
from tui.screens.failures import Failure
from tui.session import Session
from tui.widgets.key_footer import KeyFooter

Checked = TypeVar("Checked")
LOAD_GROUP, SAVE_GROUP = "submission-form-load", "submission-form-save"
CONFLICT_GROUP = "submission-form-conflict"
NOT_SAVED = N_("Not saved: {reason}. What you typed is still here.")


class _FormMeta(_MessagePumpMeta, ABCMeta):
    """Textual's screens have a metaclass of their own; this adds abstract methods."""


class SubmissionFormScreen(DraftingScreen[bool | Review], Generic[Checked], metaclass=_FormMeta):
    """Dismissed with True once submitted, or with the reviewer's `Review` when opened
    for review (`review` given); otherwise with False."""

    KIND: ClassVar[str]
    HEADING: ClassVar[str]  # msgid with {status}; not TITLE, which is Textual's header title
    FAILURES: ClassVar[dict[str, Failure]] = {
        **DraftingScreen.FAILURES,
        LOAD_GROUP: Failure(NOT_SAVED),
        SAVE_GROUP: Failure(NOT_SAVED, "release"),
        CONFLICT_GROUP: Failure(NOT_SAVED, "release"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "save(True)", N_("Submit"), tooltip=N_("Submit for review")),
        Binding("ctrl+s", "save(False)", N_("Save draft"), tooltip=N_("Keep it as a draft")),
        Binding("a", "review('approved')", N_("Approve"), tooltip=N_("Approve it")),
        Binding("x", "review('returned')", N_("Return"),
                tooltip=N_("Return it with a comment on what to fix")),
        Binding("escape", "close", N_("Back"), key_display="Esc",
                tooltip=N_("Leave the form; what you typed is kept as a draft")),
    ]  # fmt: skip

    def __init__(
        self, session: Session, city_code: str, subject: UUID, *, review: Waiting | None = None
    ) -> None:
        super().__init__(session, subject)
        self.city_code, self.under_review = city_code, review
        self.status = "draft"
        self.review_comment = ""
        self.base_values: dict[str, Any] = {}

    # What a kind's form provides.

    @abstractmethod
    def checked(self, submit: bool) -> Checked | None:
        """The form's content checked for saving, or None once its problems are shown."""

    @abstractmethod
    async def write(self, conn: Connection, data: Checked, submit: bool) -> SubmissionState:
        """Store the checked content (and submit it) through db/workflow.py."""

    @abstractmethod
    async def fetch_stored(self, conn: Connection) -> tuple[dict[str, Any], Any, Any]:
        """The stored record as comparable values, who saved it last and when."""

    @abstractmethod
    def conflict_values(self) -> tuple[dict[str, str], dict[str, Any]]:
        """Box labels and the values the form holds now, as `fetch_stored` gives them."""

    @abstractmethod
    def fill_values(self, values: dict[str, Any]) -> None:
        """Show `values` (of `fetch_stored`'s shape) in the boxes."""

    @abstractmethod
    def editable_boxes(self) -> Iterator[Widget]:
        """The boxes that a record no longer editable shows disabled."""

    def writes(self) -> bool:
        """Whether this user writes records of the kind (and so edits an open one)."""
        return self.session.writes_persons

    # Composing and loading.

    def compose_head(self) -> ComposeResult:
        yield Header()
        yield Static(_("Loading…"), id="submission-title", markup=False)
        yield Static("", id="submission-review", markup=False)

    def compose_foot(self) -> ComposeResult:
        yield Static("", id="problems", markup=False)
        yield Static("", id="draft-state", markup=False)
        yield KeyFooter()

    def show_state(self, state: SubmissionState | None) -> bool:
        """The loaded record's place in the workflow; whether this user edits it now."""
        if state is not None:
            self.status, self.base_version = state.status, state.version
            self.review_comment = state.review_comment
        self.show_title()
        editable = self.status in EDITABLE and self.writes()
        for box in self.editable_boxes():
            box.disabled = not editable
        self.ready = editable
        self.kept = self.form_values()  # type: ignore[attr-defined]
        self.base_values = self.conflict_values()[1]
        self.refresh_bindings()
        if editable:
            self.start_autosave()
        return editable

    def show_title(self) -> None:
        status = label(VISIT_STATUSES, self.status)
        self.query_one("#submission-title", Static).update(_(self.HEADING).format(status=status))
        review = self.query_one("#submission-review", Static)
        # Resubmitted, it keeps the comment it was returned with, for the reviewer.
        said = {"returned": _("Returned: {comment}"), "submitted": _("Returned before: {comment}")}
        review.display = bool(self.review_comment) and self.status in said
        review.update(said.get(self.status, "").format(comment=self.review_comment))

    # Reviewing.

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return self.ready
        if action == "review":
            return self.under_review is not None and self.status == "submitted"
        return True

    def action_review(self, decision: Decision) -> None:
        if self.under_review is not None and self.status == "submitted":
            ask_review(self.app, self.under_review, decision, self._reviewed)

    def _reviewed(self, review: Review) -> None:
        self.dismiss(review)  # the queue records it, and says so

    # Saving.

    def action_save(self, submit: bool) -> None:
        if not self.ready:
            return
        data = self.checked(submit)
        if data is None:
            return
        self.query_one("#problems", Static).update(_("Saving…"))
        hold_keys(self)  # the next keys wait for the outcome
        self.store(data, submit)

    @work(exclusive=True, group=SAVE_GROUP, exit_on_error=False)
    async def store(self, data: Checked, submit: bool) -> None:
        async with self.session.transaction() as conn:
            state = await self.write(conn, data, submit)
            await discard_draft(conn, self.FORM, self.subject)
        self.post_message(SubmissionSaved(state, self.form_values()))  # type: ignore[attr-defined]

    def on_submission_saved(self, message: SubmissionSaved) -> None:
        self.status, self.base_version = message.state.status, message.state.version
        self.kept = message.values
        self.base_values = self.conflict_values()[1]
        if self.status == "submitted":
            self.ready = False
            self.app.notify(_("Submitted for review."))
            self.dismiss(True)
            return
        self.show_title()
        self.query_one("#problems", Static).update(_("Saved as a draft."))
        release_keys(self)

    def answer_failure(self, group: str, error: BaseException) -> bool:
        if isinstance(error, Conflict) and group == SAVE_GROUP:
            self.load_conflict()
            return True
        return False

    # Saved meanwhile by someone else.

    @work(exclusive=True, group=CONFLICT_GROUP, exit_on_error=False)
    async def load_conflict(self) -> None:
        async with self.session.transaction() as conn:
            theirs, who, when = await self.fetch_stored(conn)
            state = await self.stored_state(conn)
        self.post_message(ConflictLoaded(theirs, who, when, state))

    async def stored_state(self, conn: Connection) -> SubmissionState | None:
        return await workflow.state(conn, self.KIND, self.city_code, self.subject)

    def on_conflict_loaded(self, message: ConflictLoaded) -> None:
        labels, mine = self.conflict_values()
        theirs: dict[str, Any] = message.values

        def chosen(choice: ConflictChoice | None) -> None:
            if choice is not None and message.state is not None:
                values = merged(self.base_values, mine, theirs) if choice == "merge" else theirs
                self.base_version = message.state.version
                self.base_values = theirs
                self.fill_values(values)
                self.query_one("#problems", Static).update(
                    _("Merged: check it, then ctrl+s or ctrl+t.") if choice == "merge"
                    else _("Reloaded: this is the record as saved.")
                )  # fmt: skip
            release_keys(self)

        self.app.push_screen(
            ConflictModal(labels, self._shown(self.base_values), self._shown(mine),
                          self._shown(theirs), str(message.who), message.when), chosen,
        )  # fmt: skip

    def shown_value(self, name: str, value: Any) -> str:
        """A value as the conflict screen shows it."""
        return str(value)

    def _shown(self, values: dict[str, Any]) -> dict[str, object]:
        return {name: self.shown_value(name, value) for name, value in values.items()}

    def action_close(self) -> None:
        self.leave_keeping_draft(False)
