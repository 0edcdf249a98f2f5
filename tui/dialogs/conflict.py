"""Someone saved the record while you edited it: compare, then merge or reload."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from db.core.clock import OFFICE_TZ
from tui.i18n import N_, _

ConflictChoice = Literal["merge", "reload"]


def merged(
    base: dict[str, object], mine: dict[str, object], theirs: dict[str, object]
) -> dict[str, object]:
    """Yours where you changed a box, theirs everywhere else."""
    return {name: mine[name] if mine[name] != base.get(name) else theirs[name] for name in mine}


class ConflictModal(ModalScreen[ConflictChoice | None]):
    """The boxes where your version and the saved one differ, side by side.

    m merges (your changes over theirs), r reloads theirs (yours are dropped),
    Esc goes back to your version unsaved. Boxes both of you changed are marked.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "choose('merge')",
            N_("Merge"),
            tooltip=N_("Keep your changes, take theirs elsewhere"),
        ),
        Binding(
            "r", "choose('reload')", N_("Reload"), tooltip=N_("Drop your changes, show theirs")
        ),
        Binding("escape", "choose(None)", N_("Back"), key_display="Esc"),
    ]

    def __init__(
        self,
        labels: dict[str, str],
        base: dict[str, object],
        mine: dict[str, object],
        theirs: dict[str, object],
        who: str,
        when: datetime,
    ) -> None:
        super().__init__()
        self.labels, self.base, self.mine, self.theirs = labels, base, mine, theirs
        self.who, self.when = who, when

    def compose(self) -> ComposeResult:
        moment = self.when.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M")
        with Vertical(classes="dialog wide") as box:
            box.border_title = _("Saved meanwhile by someone else")
            yield Static(
                _("{who} saved this record at {time}. Where you differ:").format(
                    who=self.who, time=moment
                ),
                markup=False,
            )
            with VerticalScroll(id="conflict-rows"):
                yield Static(self._table())
            yield Static(
                _("m merge (yours where you changed it) · r reload theirs · Esc back"),
                classes="dialog-hint",
                markup=False,
            )

    def _table(self) -> Table:
        table = Table(expand=True, show_edge=False, pad_edge=False)
        table.add_column(_("Box"), no_wrap=True, style="bold")
        table.add_column(_("Yours"), ratio=1)
        table.add_column(_("Saved"), ratio=1)
        for name, label in self.labels.items():
            mine, theirs = self.mine.get(name), self.theirs.get(name)
            if mine == theirs:
                continue
            both = mine != self.base.get(name) and theirs != self.base.get(name)
            mark = Text(_(label) + (" ⚠" if both else ""), style="bold red" if both else "")
            table.add_row(mark, Text(str(mine)), Text(str(theirs)))
        return table

    def action_choose(self, choice: ConflictChoice | None) -> None:
        self.dismiss(choice)
