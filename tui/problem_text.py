"""What a user reads when something they entered is wrong: the field's label, then why."""

from __future__ import annotations

from db.problems import Problem
from tui.i18n import N_, _

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
}
# Where a form labels a field otherwise: (model, field) → label.
MODEL_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("VisitInput", "notes"): N_("What was talked about"),
}


def field_label(name: str, model: str = "") -> str:
    return _(MODEL_FIELD_LABELS.get((model, name)) or FIELD_LABELS.get(name, name))


def say(problem: Problem) -> str:
    """One line: "出生日期：2030-01-01 是将来的日期", naming the row of a list item."""
    where = field_label(problem.field, problem.model)
    if problem.row is not None:
        where = _("Need {number}").format(number=problem.row) + " · " + where
    message = _(problem.msgid).format(**problem.params)
    return _("{field}: {message}").format(field=where, message=message)
