"""A labelled line of a form: the label follows the interface language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label

from tui.i18n import _


class FormLabel(Label):
    """A label that remembers its msgid, so a language switch can translate it again."""

    def __init__(self, msgid: str, **kwargs: object) -> None:
        super().__init__(_(msgid), markup=False, **kwargs)  # type: ignore[arg-type]
        self.msgid = msgid

    def relabel(self) -> None:
        self.update(_(self.msgid))


class FormRow(Horizontal):
    """One box of a form with its label in front; `field` names the box for errors."""

    def __init__(self, msgid: str, box: Widget, *, field: str) -> None:
        super().__init__(classes="form-row", id=f"row-{field}")
        self.msgid, self.box, self.field = msgid, box, field

    def compose(self) -> ComposeResult:
        yield FormLabel(self.msgid, classes="form-label")
        yield self.box


def relabel_all(node: Widget) -> None:
    """Translate every form label under `node` into the current language."""
    for label in node.query(FormLabel):
        label.relabel()
