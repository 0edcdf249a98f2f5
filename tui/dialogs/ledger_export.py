"""Asking how to export a ledger from the screen: the format, the file, and the purpose
(required: the audit trail keeps it with the export)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.ledgers.export import ExportFormat
from tui.i18n import N_, _
from tui.widgets.boxes import TextBox

PURPOSE_MAX = 200  # as db.audit.trail.AccessEvent keeps it
FORMATS: tuple[ExportFormat, ...] = ("xlsx", "csv")


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What the user asked for."""

    format: ExportFormat
    path: Path
    purpose: str


def default_path(stem: str, kind: ExportFormat) -> Path:
    """The file offered: in the user's home, named after the ledger, unit and month."""
    return Path.home() / f"{stem}.{kind}"


def _placed(text: str) -> Path:
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else Path.home() / path


class LedgerExportModal(ModalScreen[ExportChoice | None]):
    """Returns the export asked for, or None when the user backs out."""

    DEFAULT_CSS = """
    LedgerExportModal { align: center middle; }
    LedgerExportModal > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 1; border: round $accent; border-title-align: center; background: $surface;
    }
    LedgerExportModal .form-row { height: 1; }
    LedgerExportModal .form-label { width: 10; color: $text-muted; }
    LedgerExportModal .form-row Input, LedgerExportModal .form-row Select { width: 1fr; }
    LedgerExportModal #box-format { width: 16; }
    LedgerExportModal .hint { color: $text-muted; }
    LedgerExportModal #export-problem { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", N_("Export")),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, what: str, stem: str) -> None:
        super().__init__()
        self.what = what  # the ledger, unit and month, in words
        self.stem = stem
        self.offered = default_path(stem, "xlsx")

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = _("Export the ledger")
            yield Static(self.what, markup=False)
            with Horizontal(classes="form-row"):
                yield Label(_("Format"), classes="form-label")
                yield Select([(kind, kind) for kind in FORMATS], value="xlsx",
                             allow_blank=False, compact=True, id="box-format")  # fmt: skip
            with Horizontal(classes="form-row"):
                yield Label(_("File"), classes="form-label")
                yield TextBox(value=str(self.offered), compact=True, id="box-path")
            with Horizontal(classes="form-row"):
                yield Label(_("Purpose"), classes="form-label")
                yield TextBox(placeholder=_("Why, e.g. the monthly report to the district"),
                              max_length=PURPOSE_MAX, compact=True, id="box-purpose")  # fmt: skip
            yield Static(_("ctrl+s or Enter exports; Esc cancels. The purpose is recorded."),
                         classes="hint", markup=False)  # fmt: skip
            yield Static("", id="export-problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#box-purpose", Input).focus()

    @on(Select.Changed, "#box-format")
    def format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#box-path", Input)
        kind = event.value if event.value in FORMATS else "xlsx"
        if _placed(box.value) == self.offered:  # not changed by hand: follow the format
            self.offered = default_path(self.stem, kind)
            box.value = str(self.offered)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.action_export()

    def action_export(self) -> None:
        kind = self.query_one("#box-format", Select).value
        path = self.query_one("#box-path", Input).value
        purpose = self.query_one("#box-purpose", Input).value.strip()
        problem = self.query_one("#export-problem", Static)
        if not path.strip():
            problem.update(_("File: name the file to write"))
            return
        if not purpose:
            problem.update(_("Purpose: say why you export it; the audit trail keeps it"))
            return
        chosen: ExportFormat = "csv" if kind == "csv" else "xlsx"
        self.dismiss(ExportChoice(chosen, _placed(path), purpose))

    def action_cancel(self) -> None:
        self.dismiss(None)
