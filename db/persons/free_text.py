"""Free text that seems to hold a resident ID or mobile number.

Notes, what was talked about on a visit and a need's description are stored and
shown as typed to everyone who reads the record: a number written there is neither
encrypted nor masked, and undoes the mask of its own field. Such text is not an
error (notes may quote anything), but a warning the user sees before it is
saved: the number belongs in its own field.
"""

from __future__ import annotations

import re

from db.core.problems import N_, Problem
from db.persons.form import PersonInput, plain
from db.visits.form import VisitInput

# 17 digits then a digit or X; 1, 3-9, then 9 digits. A space or a dash may part
# the digits (138 1234 5678), as people write them.
_ID_SHAPED = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){16}[ -]?[0-9Xx](?![0-9Xx])")
_MOBILE_SHAPED = re.compile(r"(?<![0-9])1[3-9](?:[ -]?[0-9]){9}(?![0-9])")

HOLDS_AN_IDENTIFIER = N_(
    "looks like an ID or mobile number: put it in its own field (encrypted there)"
)


def holds_identifier(text: str) -> bool:
    """Whether `text` holds something shaped like an 18-character ID number or an
    11-digit mobile number (typed in full-width digits too)."""
    typed = plain(text)
    return bool(_ID_SHAPED.search(typed) or _MOBILE_SHAPED.search(typed))


def in_person_notes(data: PersonInput) -> list[Problem]:
    """The warning on a person's notes, if they seem to hold an identifier."""
    return [Problem("notes", HOLDS_AN_IDENTIFIER)] if holds_identifier(data.notes) else []


def in_visit(visit: VisitInput) -> list[Problem]:
    """The warnings on what was talked about and on each need's description."""
    found = []
    if holds_identifier(visit.notes):
        found.append(Problem("notes", HOLDS_AN_IDENTIFIER, model="VisitInput"))
    for number, need in enumerate(visit.needs, start=1):
        if holds_identifier(need.description):
            found.append(Problem("description", HOLDS_AN_IDENTIFIER, row=number))
    return found
