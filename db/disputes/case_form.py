"""The dispute case form: kind, when it was taken in, what it is about, its parties, the
mediation plan, who is responsible, the steps added to its history, an escalation.

`CaseForm` holds what was typed; `CaseInput.from_form` checks it against the case as
stored (`CaseStanding`): the new steps follow its status by allowed steps, dated in
order. The stored history is not edited here; the case's status, the day it was
taken up and concluded, and its outcome follow from the last steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from db.core.problems import N_, again, field_error, problem
from db.disputes.codes import CASE_KINDS, CONCLUDED, ROLES, CaseKind, Outcome, Role, Stage
from db.disputes.steps import StepForm, StepInput, StepRules
from db.persons.form import limited, optional_day, parse_date, required_day

SUMMARY_MAX, PLAN_MAX, PERSON_MAX, OUTCOME_MAX, ESCALATION_MAX = 2000, 2000, 60, 1000, 500
NAME_MAX, DETAIL_MAX, PARTIES_MAX = 100, 200, 50


class PartyForm(BaseModel):
    """A party as listed: a registered person (`person_id`) or a named outsider."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    person_id: UUID | None = None
    name: str = ""
    role: str = "other"
    detail: str = ""


class CaseForm(BaseModel):
    """The boxes of the case form, with the client-made id of the case. `steps` are the
    steps added since it was opened."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    city_code: str
    org_code: str  # the unit whose sweep re-checks it
    sweep_id: UUID | None = None
    kind: str = ""
    opened_on: str = ""
    summary: str = ""
    mediation_plan: str = ""
    department: str = ""
    responsible_person: str = ""
    outcome_note: str = ""
    escalated_on: str = ""
    escalation_note: str = ""
    parties: list[PartyForm] = Field(default_factory=list)
    steps: list[StepForm] = Field(default_factory=list)


class CaseStanding(BaseModel):
    """Where the stored case stands: its status, the days it was taken up and concluded,
    its outcome, the day of its last step, and whether it was escalated."""

    model_config = ConfigDict(frozen=True)

    stage: Stage = "open"
    mediated_on: date | None = None
    closed_on: date | None = None
    outcome: Outcome | None = None
    last_step_on: date | None = None
    escalated: bool = False


@dataclass(frozen=True, slots=True)
class CaseRules:
    today: date
    standing: CaseStanding


class PartyInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UUID
    person_id: UUID | None
    name: str
    role: Role
    detail: str

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        text = limited(value, NAME_MAX, one_line=True)
        if not text:
            raise problem(N_("required"))
        return text

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> str:
        if value not in ROLES:
            raise problem(N_("choose one of the listed roles"))
        return str(value)

    @field_validator("detail", mode="before")
    @classmethod
    def _detail(cls, value: Any) -> str:
        return limited(value, DETAIL_MAX, one_line=True)


def _rules(info: ValidationInfo) -> CaseRules:
    if not isinstance(info.context, CaseRules):
        raise TypeError("a case is checked with its CaseRules as the context")
    return info.context


class CaseInput(BaseModel):
    """A checked case, with the steps to add to its history."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    city_code: str
    org_code: str
    sweep_id: UUID | None
    kind: CaseKind
    opened_on: date
    summary: str
    mediation_plan: str
    department_code: str | None
    responsible_person: str
    outcome_note: str
    escalated_on: date | None
    escalation_note: str
    parties: list[PartyInput]
    standing: CaseStanding
    steps: list[StepInput] = Field(default_factory=list)
    step_ids: list[UUID] = Field(default_factory=list)

    @classmethod
    def from_form(cls, form: CaseForm, today: date, standing: CaseStanding) -> Self:
        values = form.model_dump()
        values["department_code"] = values.pop("department") or None
        values["standing"] = standing
        values["steps"] = []
        errors: list[InitErrorDetails] = []
        case: Self | None = None
        try:
            case = cls.model_validate(values, context=CaseRules(today, standing))
        except ValidationError as error:
            errors.extend(again(error))
        steps, step_errors = _steps(form, today, standing)
        errors.extend(step_errors)
        if errors or case is None:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        ids = [UUID(step.id) for step in form.steps]
        return case.model_copy(update={"steps": steps, "step_ids": ids})

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if not str(value).strip():
            raise problem(N_("required"))
        if value not in CASE_KINDS:
            raise problem(N_("choose one of the listed kinds"))
        return str(value)

    @field_validator("opened_on", mode="before")
    @classmethod
    def _opened_on(cls, value: Any, info: ValidationInfo) -> date:
        day = required_day(value, _rules(info).today)
        taken_up = _rules(info).standing.mediated_on
        if taken_up is not None and day > taken_up:
            raise problem(N_("after the day it was taken up ({day})"), day=taken_up.isoformat())
        return day

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> str:
        text = limited(value, SUMMARY_MAX)
        if not text:
            raise problem(N_("required"))
        return text

    @field_validator("mediation_plan", mode="before")
    @classmethod
    def _plan(cls, value: Any) -> str:
        return limited(value, PLAN_MAX)

    @field_validator("responsible_person", mode="before")
    @classmethod
    def _person(cls, value: Any) -> str:
        return limited(value, PERSON_MAX, one_line=True)

    @field_validator("outcome_note", mode="before")
    @classmethod
    def _outcome_note(cls, value: Any) -> str:
        return limited(value, OUTCOME_MAX)

    @field_validator("escalated_on", mode="before")
    @classmethod
    def _escalated_on(cls, value: Any, info: ValidationInfo) -> date | None:
        day = optional_day(value, _rules(info).today)
        return day

    @field_validator("escalation_note", mode="before")
    @classmethod
    def _escalation_note(cls, value: Any) -> str:
        return limited(value, ESCALATION_MAX)

    @field_validator("parties")
    @classmethod
    def _parties(cls, value: list[PartyInput]) -> list[PartyInput]:
        if not value:
            raise problem(N_("add at least one party"))
        if len(value) > PARTIES_MAX:
            raise problem(N_("at most {limit} parties"), limit=PARTIES_MAX)
        seen: set[UUID] = set()
        for party in value:
            if party.person_id is not None and party.person_id in seen:
                raise problem(N_("{name} is listed twice"), name=party.name)
            if party.person_id is not None:
                seen.add(party.person_id)
        return value

    @model_validator(mode="after")
    def _escalation_fits(self) -> Self:
        if (self.escalated_on is None) != (not self.escalation_note):
            raise field_error("CaseInput", "escalation_note", self.escalation_note,
                              N_("an escalation has its day and its reason"))  # fmt: skip
        if self.escalated_on is not None and self.escalated_on < self.opened_on:
            raise field_error("CaseInput", "escalated_on", self.escalated_on.isoformat(),
                              N_("before {day}"), day=self.opened_on.isoformat())  # fmt: skip
        return self

    # What the steps leave the case in.

    @property
    def stage(self) -> Stage:
        return self.steps[-1].stage if self.steps else self.standing.stage

    @property
    def mediated_on(self) -> date | None:
        if self.stage == "open":
            return None
        if self.standing.mediated_on is not None:
            return self.standing.mediated_on
        return next(s.on for s in self.steps if s.stage != "open")

    @property
    def closed_on(self) -> date | None:
        if self.stage not in CONCLUDED:
            return None
        return self.steps[-1].on if self.steps else self.standing.closed_on

    @property
    def outcome(self) -> Outcome | None:
        if self.stage not in CONCLUDED:
            return None
        return self.steps[-1].outcome if self.steps else self.standing.outcome

    def submit_problem(self) -> str | None:
        """Why this case cannot be submitted yet: what is reviewed is its conclusion."""
        if self.stage not in CONCLUDED:
            return N_("conclude it first: a step that resolves, refers or closes it (ctrl+n)")
        return None


def _steps(
    form: CaseForm, today: date, standing: CaseStanding
) -> tuple[list[StepInput], list[InitErrorDetails]]:
    """The new steps checked in order, each from where the one before left the case."""
    try:
        opened = parse_date(form.opened_on) if form.opened_on.strip() else today
    except ValueError:
        opened = today
    not_before = max(opened, standing.last_step_on or opened)
    stage: str = standing.stage
    steps: list[StepInput] = []
    errors: list[InitErrorDetails] = []
    for index, step in enumerate(form.steps):
        try:
            checked = StepInput.checked(step, StepRules(today, not_before, stage))
        except ValidationError as error:
            for detail in again(error):
                detail["loc"] = ("steps", index, *detail["loc"])
                errors.append(detail)
            continue
        steps.append(checked)
        stage, not_before = checked.stage, checked.on
    return steps, errors
