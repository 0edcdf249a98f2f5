"""Small dialogs: a notice to read, the offer of a draft left from before, a line to
type, a step to confirm."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from db.core.clock import OFFICE_TZ
from tui.i18n import N_, _
from tui.widgets.boxes import TextBox

DraftChoice = Literal["restore", "discard", "later"]


class NoticeModal(ModalScreen[None]):
    """A titled message; Enter or Esc closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", N_("Close"), key_display="Enter"),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text, self.lines = title, lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            for line in self.lines:
                yield Static(line, markup=False)
            yield Static(_("Enter closes this"), classes="dialog-hint", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)


class DraftOfferModal(ModalScreen[DraftChoice]):
    """A draft of this form was left (a closed window, a dropped line): take it up?"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,r", "choose('restore')", N_("Restore"), key_display="Enter"),
        Binding("d", "choose('discard')", N_("Discard")),
        Binding("escape", "choose('later')", N_("Not now")),
    ]

    def __init__(self, saved_at: datetime, what: str) -> None:
        super().__init__()
        self.saved_at, self.what = saved_at, what

    def compose(self) -> ComposeResult:
        moment = self.saved_at.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
        with Vertical(classes="dialog") as box:
            box.border_title = _("Unsaved draft")
            yield Static(
                _("A draft of {what} from {time} was kept.").format(what=self.what, time=moment),
                markup=False,
            )
            yield Static(
                _("Enter restores it · d discards it · Esc starts afresh and keeps it"),
                classes="dialog-hint",
                markup=False,
            )

    def action_choose(self, choice: DraftChoice) -> None:
        self.dismiss(choice)


class TextPromptModal(ModalScreen[str | None]):
    """Asks for one line of text that may not be empty; Enter gives it, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, prompt: str, required: str, limit: int = 1000) -> None:
        super().__init__()
        self.title_text, self.prompt, self.required, self.limit = title, prompt, required, limit

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static(self.prompt, markup=False)
            yield TextBox(max_length=self.limit, id="prompt-text")
            yield Static("", id="prompt-problem", markup=False)
            yield Static(_("Enter confirms · Esc cancels"), classes="dialog-hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#prompt-problem", Static).update(self.required)
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """A step to confirm: Enter or y goes ahead, Esc or n does not."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "answer(True)", N_("Yes"), key_display="Enter"),
        Binding("escape,n", "answer(False)", N_("Cancel"), key_display="Esc"),
    ]

    def __init__(self, title: str, lines: list[str], hint: str) -> None:
        super().__init__()
        self.title_text, self.lines, self.hint = title, lines, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            for line in self.lines:
                yield Static(line, markup=False)
            yield Static(self.hint, classes="dialog-hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
