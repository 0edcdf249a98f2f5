"""The meeting form's values as the conflict screen compares and shows them, when someone
else saved the minutes meanwhile: each box, attendance and the action items in words."""

from __future__ import annotations

from typing import Any

from db.meetings.form import AttendeeForm, MeetingForm
from tui.i18n import N_
from tui.labels import ATTENDANCES, MEETING_KINDS, label
from tui.widgets.meeting_lists import who

CONFLICT_LABELS = {
    "org_code": N_("Held by"), "kind": N_("Meeting kind"), "held_on": N_("Date"),
    "starts_at": N_("Time"), "place": N_("Place"), "chair": N_("Chair"),
    "recorder": N_("Recorder"), "agenda": N_("Agenda"), "attendees": N_("Attendance"),
    "minutes": N_("Minutes"), "decisions": N_("Decisions"), "items": N_("Action items"),
}  # fmt: skip


def comparable(form: MeetingForm) -> dict[str, Any]:
    """The form's values that stored minutes hold (marks are the carried items')."""
    values = form.model_dump(mode="json")
    del values["id"], values["marks"]
    return values


def shown(name: str, value: Any, units: dict[str, str], departments: dict[str, str]) -> str:
    """One compared value, in words."""
    if name == "kind":
        return label(MEETING_KINDS, value)
    if name == "org_code":
        return units.get(str(value), str(value))
    if name == "attendees":
        lines = [AttendeeForm.model_validate(a) for a in value]
        return "；".join(f"{label(ATTENDANCES, a.attendance)} {who(a, departments)}" for a in lines)
    if name == "items":
        return "；".join(
            f"{n}. {i['text']} ({departments.get(i['department'], i['department'])} {i['due_on']})"
            for n, i in enumerate(value, start=1)
        )
    return str(value)
