"""A supervisor's decision on a submitted visit, asked the same way from the queue and
from the opened visit: approving is confirmed, returning asks what to fix.

An approval cannot be taken back (the database lets no role turn an approved visit
into a submitted one again), so it is confirmed before it is made, naming the
visit: `a` then Enter, two keys a visit when clearing a queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App

from db.visits import Decision, VisitSummary
from tui.i18n import _
from tui.labels import VISIT_KINDS, label
from tui.screens.notice import ConfirmModal, TextPromptModal


@dataclass(frozen=True, slots=True)
class Review:
    """What the supervisor decided, with the comment of a return."""

    decision: Decision
    comment: str = ""


def visit_lines(visit: VisitSummary) -> list[str]:
    """The visit as a dialog names it: when and how, with whom, by whom."""
    return [
        f"{visit.visited_on.isoformat()} · {label(VISIT_KINDS, visit.kind)}",
        _("Persons: {names}").format(names=visit.persons),
        _("By {worker} · {grid}").format(worker=visit.worker, grid=visit.grid_name),
    ]


def reviewed_line(visit: VisitSummary, decision: Decision) -> str:
    """The status line after a decision: what was decided about which visit."""
    text = _("Approved: {visit}") if decision == "approved" else _("Returned: {visit}")
    what = f"{visit.visited_on.isoformat()} · {visit.persons} · {visit.worker}"
    return text.format(visit=what)


def ask_review(
    app: App[object], visit: VisitSummary, decision: Decision, then: Callable[[Review], None]
) -> None:
    """Confirm an approval, or ask a return's comment; `then` gets the decision if made."""
    if decision == "approved":

        def confirmed(yes: bool | None) -> None:
            if yes:
                then(Review("approved"))

        hint = _("Enter approves · Esc cancels (an approval cannot be undone)")
        app.push_screen(ConfirmModal(_("Approve the visit"), visit_lines(visit), hint), confirmed)
        return

    def commented(comment: str | None) -> None:
        if comment:
            then(Review("returned", comment))

    prompt = "\n".join([*visit_lines(visit), _("What should be fixed?")])
    app.push_screen(
        TextPromptModal(_("Return the visit"), prompt, _("Comment: say what to fix.")), commented
    )
