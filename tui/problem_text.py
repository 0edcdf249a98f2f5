"""What a user reads when something they entered is wrong: the field's label, then why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from db.core.problems import Problem
from tui.i18n import N_, _

if TYPE_CHECKING:
    from db.persons.save import IdHolder

# Model field → the label its box carries on screen.
FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "sex": N_("Sex"),
    "ethnic_code": N_("Ethnicity"),
    "birth_date": N_("Born"),
    "id_number": N_("ID number"),
    "origin_division_code": N_("Place of origin"),
    "origin_address": N_("Address there"),
    "current_address": N_("Address here"),
    "occupation": N_("Occupation"),
    "employer": N_("Employer"),
    "phone": N_("Phone"),
    "arrival_date": N_("Arrived"),
    "residence_permit": N_("Residence permit"),
    "languages": N_("Languages"),
    "notes": N_("Notes"),
    "kind": N_("Kind"),
    "visited_on": N_("Date"),
    "place": N_("Place"),
    "persons": N_("Persons"),
    "needs": N_("Needs"),
    "person_id": N_("Whose need"),
    "category": N_("Category"),
    "description": N_("What is needed"),
    "department_code": N_("Department"),
    "due_on": N_("Due"),
    "grid": N_("Grid"),
    "on": N_("Date"),
    "basis": N_("Legal basis"),
    "given_on": N_("Consent given"),
    "standing": N_("Standing"),
    "post": N_("Post"),
    "social_posts": N_("Social posts"),
    "appointed_on": N_("Appointed on"),
    "retired_on": N_("Retired on"),
    "contacted_on": N_("Date"),
    "channel": N_("Channel"),
    "raised_on": N_("Raised on"),
    "referred_on": N_("Referred on"),
    "acknowledged_by": N_("Acknowledged by"),
    "acknowledged_on": N_("Acknowledged on"),
    "noted_on": N_("Note date"),
    "result": N_("Outcome"),
    "reason": N_("What was done for them"),
    "closed_on": N_("Closed on"),
    "org_code": N_("Held by"),
    "held_on": N_("Date"),
    "starts_at": N_("Time"),
    "chair": N_("Chair"),
    "recorder": N_("Recorder"),
    "agenda": N_("Agenda"),
    "minutes": N_("Minutes"),
    "decisions": N_("Decisions"),
    "attendees": N_("Attendance"),
    "attendance": N_("Attendance"),
    "items": N_("Action items"),
    "text": N_("What is to be done"),
    "status": N_("Status"),
    "done_on": N_("On"),
    "note": N_("Note"),
    "nil_return": N_("Nil return"),
    "rechecks": N_("Re-check"),
    "stage": N_("Status"),
    "outcome": N_("Outcome"),
    "opened_on": N_("Taken in"),
    "summary": N_("What it is about"),
    "mediation_plan": N_("Mediation plan"),
    "responsible_person": N_("Responsible person"),
    "outcome_note": N_("How it ended"),
    "escalated_on": N_("Escalated"),
    "escalation_note": N_("Why escalated"),
    "parties": N_("Parties"),
    "role": N_("Role"),
    "detail": N_("Who they are"),
    "deadline_day": N_("Deadline day"),
    "filing_unit": N_("Filing unit"),
}
# Where a form labels a field otherwise: (model, field) → label.
MODEL_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("VisitInput", "notes"): N_("What was talked about"),
    ("ContactInput", "notes"): N_("What was talked about"),
    ("AppointInput", "org_code"): N_("Kept by"),
    ("RetireInput", "note"): N_("Why"),
    ("ReferralForm", "note"): N_("Progress"),
    ("ReferralInput", "note"): N_("Progress"),
    ("TrailFilterInput", "user"): N_("User"),
    ("TrailFilterInput", "since"): N_("From date"),
    ("TrailFilterInput", "until"): N_("To date"),
    ("MeetingInput", "person_id"): N_("Person"),
    ("MeetingInput", "kind"): N_("Meeting kind"),
    ("AttendeeInput", "name"): N_("Name"),
    ("CaseInput", "kind"): N_("Dispute kind"),
}
# The list a row of a problem belongs to → how the row is named ("Need 2").
ROW_LABELS: dict[str, str] = {
    "needs": N_("Need {number}"),
    "items": N_("Action item {number}"),
    "attendees": N_("Attendance line {number}"),
    "rechecks": N_("Case {number}"),
    "parties": N_("Party {number}"),
    "steps": N_("Step {number}"),
}


def field_label(name: str, model: str = "") -> str:
    return _(MODEL_FIELD_LABELS.get((model, name)) or FIELD_LABELS.get(name, name))


def say(problem: Problem) -> str:
    """One line: "出生日期：2030-01-01 是将来的日期", naming the row of a list item."""
    where = field_label(problem.field, problem.model)
    if problem.row is not None:
        row = ROW_LABELS.get(problem.within, ROW_LABELS["needs"])
        where = _(row).format(number=problem.row) + " · " + where
    message = _(problem.msgid).format(**problem.params)
    return _("{field}: {message}").format(field=where, message=message)


def saved_anyway(problem: Problem, key: str) -> str:
    """A warning's line: the field and why, then that `key` again saves as it is."""
    return _("{warning}. {key} again saves anyway.").format(warning=say(problem), key=key)


def holder_problem(holder: IdHolder, *, opens: bool) -> Problem:
    """An ID number registered already: where, or (`opens`, when a registration may open
    the record, as it is in the user's scope) that ctrl+s opens it."""
    if holder.visible and opens:
        return Problem("id_number", N_("already registered in your area; ctrl+s opens it"))
    return Problem("id_number", N_("already registered in {place}"), {"place": holder.org_path})


def holder_notice(holder: IdHolder) -> list[str]:
    """The notice on an ID number registered outside the user's scope: where, whom to ask."""
    return [
        _("This ID number is registered in {place}.").format(place=holder.org_path),
        _("Its record stays with that grid. Contact: {who}.").format(
            who=holder.contacts or _("the community's office")),
    ]  # fmt: skip
