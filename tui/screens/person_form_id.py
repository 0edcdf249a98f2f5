"""The ID number box of the person form, checked as soon as it is left.

Left holding a valid number, the box fills an empty sex and birth date from it
(never what the user entered: a disagreement stays a problem to report) and looks
the number up in a worker, so a duplicate shows before the rest is typed. Saving
still checks, as another registrar may store the same number meanwhile.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar
from uuid import UUID

from pydantic_core import PydanticCustomError
from textual import on, work
from textual.widgets import Input, Select, Static

from db.persons import idcard
from db.persons.form import FormContext, read_id
from db.persons.save import IdHolder, id_holder
from tui.i18n import N_
from tui.messages import IdChecked
from tui.problem_text import holder_notice, holder_problem, say
from tui.screens.drafting import DraftingScreen
from tui.screens.failures import Failure
from tui.session import Session

ID_GROUP = "person-form-id"
ResultType = TypeVar("ResultType")


class IdCheckingForm(DraftingScreen[ResultType]):
    """A person form (create: no `target`, or edit) whose ID box is checked when left."""

    FAILURES: ClassVar[dict[str, Failure]] = {
        **DraftingScreen.FAILURES,
        ID_GROUP: Failure(
            N_("The ID number was not checked for a duplicate: {reason}. Saving checks it."),
            "release",
        ),
    }

    def __init__(self, session: Session, subject: UUID) -> None:
        super().__init__(session, subject)
        self.target: tuple[str, UUID] | None = None
        self.context: FormContext | None = None  # set once the form has loaded
        self.id_check: tuple[str, IdHolder | None] | None = None  # the last number looked up
        self.showing_holder = False  # #problems says where the typed number is registered

    def typed_id(self, text: str) -> str | None:
        """The valid ID number `text` holds, if it holds one (not the stored one kept)."""
        if not self.ready or self.context is None:
            return None
        try:
            return read_id(text, self.context) or None
        except PydanticCustomError:
            return None

    @on(Input.Blurred, "#box-id_number")
    def id_left(self, event: Input.Blurred) -> None:
        number = self.typed_id(event.value)
        if number is None:
            return
        self._fill_from_id(number)
        if self.id_check is None or self.id_check[0] != number:
            self.check_id(number)

    def _fill_from_id(self, number: str) -> None:
        """Sex and birth date as the ID number says, where they are still empty."""
        sex = self.query_one("#box-sex", Select)
        if sex.is_blank():
            sex.value = str(idcard.sex_of(number))
        born = self.query_one("#box-birth_date", Input)
        if not born.value.strip():
            born.value = idcard.birth_date_of(number).isoformat()

    @work(exclusive=True, group=ID_GROUP, exit_on_error=False)
    async def check_id(self, number: str) -> None:
        holder = await id_holder(self.session.transaction, self.session.keyring, number)
        self.post_message(IdChecked(number, holder))

    def on_id_checked(self, message: IdChecked) -> None:
        holder = message.holder
        if holder is not None and holder.id == self.subject:
            holder = None  # this very record
        self.id_check = (message.number, holder)
        if self.typed_id(self.query_one("#box-id_number", Input).value) != message.number:
            return  # changed meanwhile; leaving the box checks it again
        self.show_holder(holder)

    def show_holder(self, holder: IdHolder | None) -> None:
        """Say where the number is registered, or clear what was said of an earlier one."""
        problems = self.query_one("#problems", Static)
        if holder is not None:
            lines = [say(holder_problem(holder, opens=self.target is None))]
            if not (holder.visible and self.target is None):
                lines += holder_notice(holder)[1:]  # whom to contact
            problems.update("\n".join(lines))
            self.showing_holder = True
        elif self.showing_holder:
            problems.update("")
            self.showing_holder = False

    def holder_of(self, text: str) -> IdHolder | None:
        """Who holds the ID number in the box, as found when the box was left."""
        number = self.typed_id(text)
        known = self.id_check
        return known[1] if known is not None and number is not None and known[0] == number else None
