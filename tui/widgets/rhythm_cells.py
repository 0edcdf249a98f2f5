"""How a 三必谈 talk's state reads in a cell: a word first (done, due, overdue, not yet)
and its date, in a colour that repeats the word and never replaces it."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text

from tui.i18n import N_, _
from tui.labels import RHYTHM_STATES, label

STYLES = {"done": "green", "due": "yellow", "overdue": "bold red", "upcoming": "dim"}
LINES = {
    "done": N_("Done {day}"),
    "due": N_("Due by {day}"),
    "overdue": N_("Overdue since {day}"),
    "upcoming": N_("Not yet: Eid {day}"),
}


def talk_cell(
    state: str | None, last: date | None, due: date | None, eid: date | None = None
) -> Text:
    """`last` is the last talk, `due` the day the next one is owed by (missed, when
    overdue); `eid` the Eid whose symposium comes next (the yearly talk only)."""
    if state is None:
        return Text(_("No Eid date known"), style="dim")
    day = {"done": last, "due": due, "overdue": due + timedelta(days=1) if due else None,
           "upcoming": eid}[state]  # fmt: skip
    text = _(LINES[state]).format(day=day.isoformat() if day else "—")
    return Text(text, style=STYLES[state])


def state_word(state: str) -> Text:
    """The overall state alone, as a word in its colour."""
    return Text(label(RHYTHM_STATES, state), style=STYLES.get(state, ""))
