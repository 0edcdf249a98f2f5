"""Asking why: seeing a full identifier needs a stated purpose, which the trail keeps."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.i18n import N_, _
from tui.widgets.boxes import TextBox

PURPOSE_MAX = 200  # audit_log's AccessEvent.purpose limit


class PurposeModal(ModalScreen[str | None]):
    """Returns the purpose typed, or None when the user backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="purpose") as box:
            box.border_title = _("Show the full number")
            yield Static(self.what, markup=False)
            yield TextBox(
                placeholder=_("Purpose, e.g. verifying identity for a residence permit"),
                max_length=PURPOSE_MAX,
                id="purpose-text",
            )
            yield Static(_("Enter shows it; Esc cancels. The purpose is recorded."), markup=False)
            yield Static("", id="purpose-error", markup=False)

    @on(Input.Submitted, "#purpose-text")
    def submit(self, event: Input.Submitted) -> None:
        purpose = event.value.strip()
        if not purpose:
            self.query_one("#purpose-error", Static).update(
                _("Purpose: say why you need the full number.")
            )
            return
        self.dismiss(purpose)

    def action_cancel(self) -> None:
        self.dismiss(None)
