"""A step of a dispute case: the day, the status it leaves the case in, and a note; when
it concludes the case, whether an agreement was reached.

The same step is typed on the case form (a dated note of its history) and in a sweep
(the re-check of a case still open); `StepInput.checked` checks it against the case as
it stands: the steps it may take, and the days it may be dated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from db.core.problems import N_, field_error, problem
from db.disputes.codes import CONCLUDED, STAGES, Outcome, Stage, next_stages
from db.persons.form import limited, required_day

NOTE_MAX = 1000


@dataclass(frozen=True, slots=True)
class StepRules:
    """What a step is checked against: today, the first day it may carry, and the
    status of the case before it."""

    today: date
    not_before: date
    from_stage: str


class StepForm(BaseModel):
    """A step as typed; `id` is made when it is added, so a retried save stores it once."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    on: str = ""
    stage: str = ""
    outcome: str = ""
    note: str = ""


def _rules(info: ValidationInfo) -> StepRules:
    rules = info.context
    if not isinstance(rules, StepRules):
        raise TypeError("a step is checked with its StepRules as the context")
    return rules


class StepInput(BaseModel):
    """A checked step."""

    model_config = ConfigDict(frozen=True)

    on: date
    stage: Stage
    outcome: Outcome | None
    note: str

    @classmethod
    def checked(cls, step: StepForm, rules: StepRules) -> Self:
        return cls.model_validate(step.model_dump(exclude={"id"}), context=rules)

    @field_validator("on", mode="before")
    @classmethod
    def _on(cls, value: Any, info: ValidationInfo) -> date:
        rules = _rules(info)
        day = required_day(value, rules.today)
        if day < rules.not_before:
            raise problem(N_("before {day}"), day=rules.not_before.isoformat())
        return day

    @field_validator("stage", mode="before")
    @classmethod
    def _stage(cls, value: Any, info: ValidationInfo) -> str:
        stage = str(value)
        if stage not in STAGES:
            raise problem(N_("choose one of the listed statuses"))
        before = _rules(info).from_stage
        if stage != before and stage not in next_stages(before):
            raise problem(N_("not a step from the case's status now"))
        return stage

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome(cls, value: Any) -> str | None:
        return str(value) if str(value or "").strip() else None

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: Any) -> str:
        text = limited(value, NOTE_MAX)
        if not text:
            raise problem(N_("required"))
        return text

    @model_validator(mode="before")
    @classmethod
    def _only_a_conclusion_has_an_outcome(cls, values: Any) -> Any:
        if isinstance(values, dict) and values.get("stage") not in CONCLUDED:
            return {**values, "outcome": ""}
        return values

    @model_validator(mode="after")
    def _outcome_fits(self) -> Self:
        if self.stage not in CONCLUDED:
            return self
        if self.outcome is None:
            raise field_error("StepInput", "outcome", None,
                              N_("say whether an agreement was reached"))  # fmt: skip
        if self.stage == "resolved" and self.outcome != "agreement":
            raise field_error("StepInput", "outcome", self.outcome,
                              N_("a resolved dispute ended in an agreement"))  # fmt: skip
        return self

    @property
    def concludes(self) -> bool:
        return self.stage in CONCLUDED
