"""The referral form of one need: to which department and when, by when, the
department's acknowledgement, a new progress note, and the close with its outcome.

`ReferralForm` holds what was typed; `ReferralInput.from_form` checks it against today
and the need as stored (`NeedDates`). A draft may be incomplete; a close submitted for
review says what became of the need, why, and on which day (`submit_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from db.core.problems import N_, Problem, located, problem
from db.persons.form import limited, optional_day, parse_date
from db.persons.free_text import HOLDS_AN_IDENTIFIER, holds_identifier

Result = Literal["resolved", "unable"]
RESULTS: tuple[Result, ...] = ("resolved", "unable")
NOTE_MAX, REASON_MAX, WHO_MAX = 1000, 1000, 100


@dataclass(frozen=True, slots=True)
class NeedDates:
    """What the form is checked against: today, and the need as stored."""

    today: date
    raised_on: date
    status: str


class ReferralForm(BaseModel):
    """The boxes of the referral form, as typed. `note_id` is made when the form opens,
    so a retried save stores the note once."""

    model_config = ConfigDict(frozen=True)

    need_id: UUID
    note_id: UUID
    department: str = ""
    referred_on: str = ""
    due_on: str = ""
    acknowledged_by: str = ""
    acknowledged_on: str = ""
    noted_on: str = ""
    note: str = ""
    result: str = ""
    reason: str = ""
    closed_on: str = ""


def _dates(info: ValidationInfo) -> NeedDates:
    dates = info.context
    if not isinstance(dates, NeedDates):
        raise TypeError("validation needs NeedDates as context")
    return dates


def _day(value: Any, info: ValidationInfo) -> date | None:
    """A day typed in a box (None when empty), neither in the future nor before the need."""
    dates = _dates(info)
    day = optional_day(value, dates.today)
    if day is not None and day < dates.raised_on:
        raise problem(N_("before the need was raised ({day})"), day=dates.raised_on.isoformat())
    return day


class ReferralInput(BaseModel):
    """A checked referral form. Validate with `NeedDates` as the context."""

    model_config = ConfigDict(frozen=True)

    need_id: UUID
    note_id: UUID
    department_code: str | None  # None: the category's department
    referred_on: date | None
    due_on: date | None  # None: the category's days after the need was raised
    acknowledged_by: str
    acknowledged_on: date | None
    noted_on: date | None
    note: str
    result: Result | None
    reason: str
    closed_on: date | None

    @classmethod
    def from_form(cls, form: ReferralForm, dates: NeedDates) -> Self:
        values = form.model_dump()
        values["department_code"] = values.pop("department")
        return cls.model_validate(values, context=dates)

    @field_validator("department_code", mode="before")
    @classmethod
    def _department(cls, value: Any) -> str | None:
        return ("" if value is None else str(value).strip()) or None

    @field_validator("referred_on", "acknowledged_on", "noted_on", "closed_on", mode="before")
    @classmethod
    def _past_day(cls, value: Any, info: ValidationInfo) -> date | None:
        return _day(value, info)

    @field_validator("due_on", mode="before")
    @classmethod
    def _due(cls, value: Any, info: ValidationInfo) -> date | None:
        if not str(value).strip():
            return None
        day = parse_date(str(value))
        raised = _dates(info).raised_on
        if day < raised:
            raise problem(N_("before the need was raised ({day})"), day=raised.isoformat())
        return day

    @field_validator("acknowledged_by", mode="before")
    @classmethod
    def _who(cls, value: Any) -> str:
        return limited(value, WHO_MAX, one_line=True)

    @field_validator("note", mode="before")
    @classmethod
    def _note(cls, value: Any) -> str:
        return limited(value, NOTE_MAX)

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> str:
        return limited(value, REASON_MAX)

    @field_validator("result", mode="before")
    @classmethod
    def _result(cls, value: Any) -> str | None:
        if not str(value or "").strip():
            return None
        if value not in RESULTS:
            raise problem(N_("choose one of the listed outcomes"))
        return str(value)

    @model_validator(mode="after")
    def _fits(self, info: ValidationInfo) -> Self:
        """What each box says against the others: a referral names its department and
        day, an acknowledgement whom and when, after the referral; a note its day."""
        found: list[InitErrorDetails] = []

        def lacks(name: str, msgid: str, **params: Any) -> None:
            value = getattr(self, name)
            found.append(located(name, value.isoformat() if value else "", msgid, **params))

        if _dates(info).status == "referred" and self.referred_on is None:
            lacks("referred_on", N_("it is referred already: keep the day it was"))
        if self.referred_on and not self.department_code:
            lacks("department_code", N_("say which department it was referred to"))
        if self.acknowledged_on and not self.acknowledged_by:
            lacks("acknowledged_by", N_("say who at the department acknowledged it"))
        if self.acknowledged_by and not self.acknowledged_on:
            lacks("acknowledged_on", N_("say when the department acknowledged it"))
        if self.acknowledged_on and not self.referred_on:
            lacks("referred_on", N_("say when it was referred"))
        elif self.acknowledged_on and self.referred_on and self.acknowledged_on < self.referred_on:
            lacks("acknowledged_on", N_("before it was referred ({day})"),
                  day=self.referred_on.isoformat())  # fmt: skip
        if self.note and not self.noted_on:
            lacks("noted_on", N_("say on which day"))
        if found:
            order = list(type(self).model_fields)
            found.sort(key=lambda detail: order.index(str(detail["loc"][0])))
            raise ValidationError.from_exception_data(type(self).__name__, found)
        return self

    @property
    def closes(self) -> bool:
        """Whether anything of the close was typed (so its record is written)."""
        return bool(self.result or self.reason or self.closed_on)

    def submit_problems(self) -> list[Problem]:
        """What the close lacks to go for review (a draft may lack it)."""
        found = []
        if self.result is None:
            found.append(Problem("result", N_("say what became of it")))
        if not self.reason:
            found.append(Problem("reason", N_("say what was done, or why it could not be")))
        if self.closed_on is None:
            found.append(Problem("closed_on", N_("say on which day it was closed")))
        return found

    def warnings(self) -> list[Problem]:
        """Text that seems to hold an ID or mobile number (it belongs in its own field)."""
        return [
            Problem(name, HOLDS_AN_IDENTIFIER)
            for name in ("note", "reason")
            if holds_identifier(getattr(self, name))
        ]
