"""The monthly sweep form: a nil return or the cases found, and a re-check of each case
still open (its status, a dated note).

`SweepForm` holds what was typed: the re-checks are steps keyed by the case they
re-check (`StepForm.id` is the case's id). `SweepInput.from_form` checks each against
its case as it stands; `submit_problems` says what keeps the sweep from being filed,
as the database would (sql/V012 tx_sweep_rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import InitErrorDetails

from db.core.problems import N_, Problem, again
from db.disputes.cases import CaseLine
from db.disputes.steps import StepForm, StepInput, StepRules
from db.persons.form import limited

NOTES_MAX = 2000


class SweepForm(BaseModel):
    """The boxes of the sweep form, with the client-made id of the sweep."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    city_code: str
    org_code: str  # the unit that files it
    month: date
    nil_return: bool = False
    notes: str = ""
    rechecks: list[StepForm] = Field(default_factory=list)

    def recheck_of(self, case_id: UUID) -> StepForm | None:
        return next((r for r in self.rechecks if r.id == str(case_id)), None)


@dataclass(frozen=True, slots=True)
class SweepRules:
    """What a sweep is checked against: today, and the open cases it lists to re-check."""

    today: date
    open_cases: list[CaseLine]


class Recheck(BaseModel):
    """A checked re-check of one case."""

    model_config = ConfigDict(frozen=True)

    case_id: UUID
    step: StepInput


class SweepInput(BaseModel):
    """A checked sweep."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    city_code: str
    org_code: str
    month: date
    nil_return: bool
    notes: str
    rechecks: list[Recheck] = Field(default_factory=list)

    @classmethod
    def from_form(cls, form: SweepForm, rules: SweepRules) -> Self:
        errors: list[InitErrorDetails] = []
        sweep: Self | None = None
        try:
            sweep = cls.model_validate(form.model_dump(exclude={"rechecks"}))
        except ValidationError as error:
            errors.extend(again(error))
        rechecks: list[Recheck] = []
        for index, case in enumerate(rules.open_cases):
            step = form.recheck_of(case.id)
            if step is None:
                continue
            first = max(form.month, case.opened_on, case.mediated_on or case.opened_on)
            try:
                checked = StepInput.checked(step, StepRules(rules.today, first, case.stage))
            except ValidationError as error:
                for detail in again(error):
                    detail["loc"] = ("rechecks", index, *detail["loc"])
                    errors.append(detail)
                continue
            rechecks.append(Recheck(case_id=case.id, step=checked))
        if errors or sweep is None:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return sweep.model_copy(update={"rechecks": rechecks})

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> str:
        return limited(value, NOTES_MAX)

    def submit_problems(self, open_cases: list[CaseLine], new_cases: int) -> list[Problem]:
        """What keeps it from being filed: a nil return is said, never assumed, and every
        open case is re-checked."""
        problems = []
        if self.nil_return and new_cases:
            problems.append(Problem("nil_return", N_("this month has new cases; untick it")))
        if not self.nil_return and not new_cases:
            problems.append(Problem(
                "nil_return",
                N_("no new case is listed: tick it if none was found, or add them (ctrl+n)"),
            ))  # fmt: skip
        checked = {r.case_id for r in self.rechecks}
        for index, case in enumerate(open_cases):
            if case.id not in checked:
                problems.append(Problem("rechecks", N_("not re-checked yet (Enter)"),
                                        row=index + 1, within="rechecks"))  # fmt: skip
        return problems
