"""The keys of the screen underneath, taken from its bindings so the list cannot drift."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui.commands import ruled_out
from tui.i18n import N_, _
from tui.messages import LanguageChanged


def declared(node: DOMNode) -> list[BindingType]:
    """The BINDINGS of the node's class and of the app's classes it builds on, the base's
    first (a form's ctrl+s and ctrl+t are its base's); Textual's own are left out."""
    found: list[BindingType] = []
    for cls in reversed(type(node).__mro__):
        if cls.__module__.startswith("tui.") and "BINDINGS" in cls.__dict__:
            found += cls.__dict__["BINDINGS"]
    return found


def key_rows(*nodes: DOMNode) -> list[tuple[str, str]]:
    """(keys, what they do) for the BINDINGS each node's class declares, one row an action.

    Keys that cannot apply now (`check_action` says False) are left out; ones that
    are only disabled for the moment (None) stay. The help text is the binding's
    tooltip if it has one (the footer's description is kept short), translated.
    """
    rows: dict[tuple[int, str], tuple[list[str], str]] = {}
    for number, node in enumerate(nodes):
        for _key, binding in BindingsMap(declared(node)):
            text = binding.tooltip or binding.description
            if not text or ruled_out(node, binding):
                continue
            keys = rows.setdefault((number, binding.action), ([], _(text)))[0]
            display = node.app.get_key_display(binding)
            if display not in keys:
                keys.append(display)
    return [(" / ".join(keys), text) for keys, text in rows.values()]


class HelpScreen(ModalScreen[None]):
    """The keys of the screen it was opened from, and the app's; any close key dismisses it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,enter,f1", "close", N_("Close"), key_display="Esc"),
    ]

    def __init__(self, opener: Screen[object]) -> None:
        super().__init__()
        self.opener = opener

    def compose(self) -> ComposeResult:
        with Vertical(id="help") as box:
            box.border_title = _("Keys")
            yield Static(self._keys(), id="help-keys")
            yield Static(_("Esc, q, ? or Enter closes this"), id="help-close", markup=False)

    def _keys(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in key_rows(self.opener, self.app):
            table.add_row(Text(keys), Text(description))
        return table

    def on_language_changed(self, message: LanguageChanged) -> None:
        self.refresh(recompose=True)

    def action_close(self) -> None:
        self.dismiss(None)
