"""Forms that lose nothing: their boxes are kept as a draft in the database.

A `DraftingScreen` stores what its boxes hold every few seconds when it changed,
and the app stores every open form's draft when the user quits or the terminal
hangs up (tui/app.py). Saving the record for real removes the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from textual import work
from textual.screen import Screen
from textual.widgets import Static

from db.core.clock import OFFICE_TZ
from db.drafts import FormName, discard_draft, save_draft
from tui.errors import reason
from tui.i18n import N_, _
from tui.keys import hold_keys, release_keys
from tui.messages import DraftKept
from tui.screens.failures import Failure, ReportsFailures
from tui.session import Session

AUTOSAVE_SECONDS = 3.0
DRAFT_GROUP, LEAVE_GROUP, DROP_GROUP = "form-draft", "form-leave", "form-draft-drop"
ResultType = TypeVar("ResultType")


@dataclass(frozen=True, slots=True)
class PendingDraft:
    """What a form holds that is not stored yet."""

    form: FormName
    subject: UUID
    org_code: str
    base_version: int | None
    values: dict[str, Any]


async def keep_drafts(session: Session, drafts: list[PendingDraft]) -> None:
    """Store several forms' drafts in one transaction (on quit or hang-up)."""
    if not drafts:
        return
    async with session.transaction() as conn:
        for d in drafts:
            await save_draft(
                conn, session.keyring, d.form, d.subject, d.org_code, d.base_version, d.values
            )


class DraftingScreen(ReportsFailures, Screen[ResultType]):
    """A form screen with autosave.

    A subclass sets `subject` (the record's id, client-made for a new one),
    `org_code` and `base_version` once its boxes are filled, then `ready`, and
    defines `form_values()`: what the boxes hold, JSON-ready.
    """

    FORM: ClassVar[FormName]
    # Storing a draft says so itself; these stand for what escapes it.
    FAILURES: ClassVar[dict[str, Failure]] = {
        DRAFT_GROUP: Failure(N_("Draft not saved: {reason}"), "release"),
        LEAVE_GROUP: Failure(N_("Draft not saved: {reason}"), "release"),
        DROP_GROUP: Failure(N_("The draft was not discarded: {reason}"), "release"),
    }

    def __init__(self, session: Session, subject: UUID) -> None:
        super().__init__()
        self.session = session
        self.subject = subject
        self.org_code = session.user.org_code
        self.base_version: int | None = None
        self.ready = False  # the boxes hold the record (or draft) they were opened for
        self.kept: dict[str, Any] | None = None  # as last stored (or as loaded)

    def show_failure(self, failure: Failure, why: str) -> None:
        """In the form's problems line: the boxes stay as they are."""
        self.query_one("#problems", Static).update(_(failure.title).format(reason=why))

    def pending_draft(self) -> PendingDraft | None:
        if not self.ready:
            return None
        values = self.form_values()  # type: ignore[attr-defined]
        if values == self.kept:
            return None
        return PendingDraft(self.FORM, self.subject, self.org_code, self.base_version, values)

    def start_autosave(self) -> None:
        self.set_interval(AUTOSAVE_SECONDS, self.autosave)

    def autosave(self) -> None:
        pending = self.pending_draft()
        if pending is not None:
            self.store_draft(pending)

    @work(exclusive=True, group=DRAFT_GROUP, exit_on_error=False)
    async def store_draft(self, pending: PendingDraft) -> None:
        try:
            await keep_drafts(self.session, [pending])
        except Exception as exc:  # noqa: BLE001 - the form stays open; the next tick retries
            self.show_draft_state(_("Draft not saved: {reason}").format(reason=reason(exc)))
            return
        self.post_message(DraftKept(pending.values))

    def on_draft_kept(self, message: DraftKept) -> None:
        self.kept = message.values
        moment = datetime.now(OFFICE_TZ).strftime("%H:%M:%S")
        self.show_draft_state(_("Draft saved {time}").format(time=moment))

    def show_draft_state(self, text: str) -> None:
        for box in self.query("#draft-state").results(Static):
            box.update(text)

    @work(group=LEAVE_GROUP, exit_on_error=False)
    async def leave_keeping_draft(self, result: ResultType) -> None:
        """Close the form with `result`, storing what it holds first; stay if that fails.

        Keys typed meanwhile go to the screen the form returns to.
        """
        pending = self.pending_draft()
        if pending is not None:
            hold_keys(self)
            try:
                await keep_drafts(self.session, [pending])
            except Exception as exc:  # noqa: BLE001 - stay, so nothing typed is lost
                self.show_draft_state(_("Draft not saved: {reason}").format(reason=reason(exc)))
                release_keys(self)
                return
            self.ready = False
            self.app.notify(_("Draft kept: it is offered when you open this form again."))
        self.dismiss(result)

    @work(group=DROP_GROUP, exit_on_error=False)
    async def drop_draft(self, subject: UUID) -> None:
        async with self.session.transaction() as conn:
            await discard_draft(conn, self.FORM, subject)
