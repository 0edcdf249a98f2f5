"""The boxes of the referral form in their order, and what it shows of the need: whose,
what, how it came, how it stands, and its progress notes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from textual.widgets import Select

from db.referrals.store import NeedRecord, ReferralNote
from tui.i18n import N_, _
from tui.labels import CHANNELS, NEED_CATEGORIES, OUTCOME_RESULTS, label
from tui.widgets.boxes import TextBox
from tui.widgets.form_row import FormLabel, FormRow

# The box of each field (ReferralInput's names), in the form's order → ReferralForm's name.
BOXES = {
    "department_code": "department",
    "referred_on": "referred_on",
    "due_on": "due_on",
    "acknowledged_by": "acknowledged_by",
    "acknowledged_on": "acknowledged_on",
    "noted_on": "noted_on",
    "note": "note",
    "result": "result",
    "reason": "reason",
    "closed_on": "closed_on",
}
LABELS = {
    "department_code": N_("Department"),
    "referred_on": N_("Referred on"),
    "due_on": N_("Due"),
    "acknowledged_by": N_("Acknowledged by"),
    "acknowledged_on": N_("Acknowledged on"),
    "noted_on": N_("Note date"),
    "note": N_("Progress"),
    "result": N_("Outcome"),
    "reason": N_("What was done for them"),
    "closed_on": N_("Closed on"),
}
CONFLICT_LABELS = {BOXES[name]: msgid for name, msgid in LABELS.items()
                   if name not in ("noted_on", "note")}  # fmt: skip
DATE_BOXES = ("referred_on", "due_on", "acknowledged_on", "noted_on", "closed_on")
HEADINGS = {"noted_on": N_("A new progress note"), "result": N_("Closing the need")}


def _box(name: str) -> Select[str] | TextBox:
    if name == "department_code":
        return Select([], prompt=_("The category's department"), compact=True,
                      id=f"box-{name}")  # fmt: skip
    if name == "result":
        options = [(_(text), code) for code, text in OUTCOME_RESULTS.items()]
        return Select(options, prompt=_("Not closed yet"), compact=True, id=f"box-{name}")
    if name in DATE_BOXES:
        return TextBox(placeholder="YYYY-MM-DD", compact=True, id=f"box-{name}")
    limit = 100 if name == "acknowledged_by" else 1000
    return TextBox(compact=True, max_length=limit, id=f"box-{name}")


def referral_rows() -> Iterator[FormLabel | FormRow]:
    """The form's rows, headed where a new part begins."""
    for name in BOXES:
        if name in HEADINGS:
            yield FormLabel(HEADINGS[name], classes="form-heading")
        yield FormRow(LABELS[name], _box(name), field=name)


def need_lines(need: NeedRecord, today: date) -> list[str]:
    """Whose need, of what kind, how it came and when, and whether it is overdue."""
    how = label(CHANNELS, need.channel)
    if need.visited_on is not None:
        how = _("{how} on {day}").format(how=how, day=need.visited_on.isoformat())
    head = " · ".join([need.person_name or "?", label(NEED_CATEGORIES, need.category), how,
                       _("raised {day}").format(day=need.raised_on.isoformat())])  # fmt: skip
    lines = [head, need.description]
    if need.followed and need.due_on is not None and need.due_on < today:
        days = (today - need.due_on).days
        lines.append(_("Overdue by {days} days (due {day})").format(
            days=days, day=need.due_on.isoformat()))  # fmt: skip
    if need.outcome:
        lines.append(_("Outcome: {outcome}").format(outcome=need.outcome))
    return lines


def notes_text(notes: list[ReferralNote]) -> str:
    """The progress notes so far, oldest first, one a line."""
    if not notes:
        return _("No progress notes yet.")
    lines = [_("Progress notes:")]
    lines += [f"{n.noted_on.isoformat()} {n.note} ({n.writer})" for n in notes]
    return "\n".join(lines)
