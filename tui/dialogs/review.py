"""A reviewer's decision on a submitted record of any kind, asked the same way from the
queue and from the opened record: approving is confirmed, returning asks what to fix.

An approval cannot be taken back (the database lets no role turn an approved record
into a submitted one again), so it is confirmed before it is made, naming the
record: `a` then Enter, two keys a record when clearing a queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App

from db.workflow import Decision, Waiting
from tui.dialogs.notice import ConfirmModal, TextPromptModal
from tui.i18n import _
from tui.screens.submission_kinds import kind_view, what_it_is


@dataclass(frozen=True, slots=True)
class Review:
    """What the reviewer decided, with the comment of a return."""

    decision: Decision
    comment: str = ""


def item_lines(item: Waiting) -> list[str]:
    """The record as a dialog names it: when and what, about whom, by whom."""
    return [
        f"{item.day.isoformat()} · {what_it_is(item)}",
        _(kind_view(item.kind).title_line).format(title=item.title or ""),
        _("By {worker} · {grid}").format(worker=item.author_name, grid=item.grid_name or ""),
    ]


def reviewed_line(item: Waiting, decision: Decision) -> str:
    """The status line after a decision: what was decided about which record."""
    text = _("Approved: {visit}") if decision == "approved" else _("Returned: {visit}")
    what = f"{item.day.isoformat()} · {item.title or what_it_is(item)} · {item.author_name}"
    return text.format(visit=what)


def ask_review(
    app: App[object], item: Waiting, decision: Decision, then: Callable[[Review], None]
) -> None:
    """Confirm an approval, or ask a return's comment; `then` gets the decision if made."""
    if decision == "approved":

        def confirmed(yes: bool | None) -> None:
            if yes:
                then(Review("approved"))

        hint = _("Enter approves · Esc cancels (an approval cannot be undone)")
        title = _("Approve: {kind}").format(kind=_(kind_view(item.kind).name))
        app.push_screen(ConfirmModal(title, item_lines(item), hint), confirmed)
        return

    def commented(comment: str | None) -> None:
        if comment:
            then(Review("returned", comment))

    prompt = "\n".join([*item_lines(item), _("What should be fixed?")])
    title = _("Return: {kind}").format(kind=_(kind_view(item.kind).name))
    app.push_screen(TextPromptModal(title, prompt, _("Comment: say what to fix.")), commented)
