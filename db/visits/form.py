"""The visit form: who was seen, how, when, what was said, and the needs found.

`VisitForm` holds what was typed; `VisitInput.from_form` checks it. Each need
names the person it belongs to and becomes an assistance request; a need saved
without a department or a due date gets its category's defaults (reference data,
sql/V013 `need_category`), in the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from db.core.problems import N_, field_error, problem
from db.persons.form import limited, parse_date, required_day

VisitKind = Literal["home_visit", "phone_call", "face_to_face", "festival"]
VISIT_KINDS: tuple[VisitKind, ...] = ("home_visit", "phone_call", "face_to_face", "festival")
VisitStatus = Literal["draft", "submitted", "returned", "approved"]
NeedCategory = Literal[
    "employment", "paperwork", "livelihood", "schooling", "housing", "medical", "legal_aid",
    "relief", "halal_food", "business_licence", "other",
]  # fmt: skip
# The first three are the 三必帮, as the plans list them.
NEED_CATEGORIES: tuple[NeedCategory, ...] = (
    "employment", "paperwork", "livelihood", "schooling", "housing", "medical", "legal_aid",
    "relief", "halal_food", "business_licence", "other",
)  # fmt: skip
PLACE_MAX, NOTES_MAX, NEED_MAX, PERSONS_MAX = 200, 4000, 1000, 200


class VisitPerson(BaseModel):
    """Someone the visit was with, as the form lists them."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    name: str


class NeedForm(BaseModel):
    """One need as typed; `id` is made when the need is added, so a retry stores it once."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    person_id: UUID | None = None
    category: str = ""
    description: str = ""
    department: str = ""
    due_on: str = ""


class VisitForm(BaseModel):
    """The boxes of the visit form, as typed, with the client-made id of the visit."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: str = "home_visit"
    visited_on: str = ""
    place: str = ""
    notes: str = ""
    persons: list[VisitPerson] = Field(default_factory=list)
    needs: list[NeedForm] = Field(default_factory=list)


def _today(info: ValidationInfo) -> date:
    today = info.context
    if not isinstance(today, date):
        raise TypeError("validation needs today's date as context")
    return today


def _a_year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class NeedInput(BaseModel):
    """A checked need, ready to become an assistance request."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    person_id: UUID
    category: NeedCategory
    description: str
    department_code: str | None  # None: the category's department
    due_on: date | None  # None: the category's days after the visit

    @classmethod
    def prepare(cls, need: NeedForm) -> dict[str, Any]:
        values = need.model_dump()
        values["department_code"] = values.pop("department")
        return values

    @field_validator("person_id", mode="before")
    @classmethod
    def _person(cls, value: Any) -> Any:
        if value is None:
            raise problem(N_("say whose need it is"))
        return value

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> str:
        if not str(value).strip():
            raise problem(N_("required"))
        if value not in NEED_CATEGORIES:
            raise problem(N_("choose one of the listed categories"))
        return str(value)

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, value: Any) -> str:
        text = limited(value, NEED_MAX)
        if not text:
            raise problem(N_("required"))
        return text

    @field_validator("department_code", mode="before")
    @classmethod
    def _department(cls, value: Any) -> str | None:
        text = "" if value is None else str(value).strip()
        return text or None

    @field_validator("due_on", mode="before")
    @classmethod
    def _due(cls, value: Any) -> date | None:
        return parse_date(str(value)) if str(value).strip() else None


class VisitInput(BaseModel):
    """A checked visit. Validate with today's date as the context."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    kind: VisitKind
    visited_on: date
    place: str
    notes: str
    persons: list[VisitPerson]
    needs: list[NeedInput]

    @classmethod
    def from_form(cls, form: VisitForm, today: date) -> Self:
        values = form.model_dump()
        values["needs"] = [NeedInput.prepare(n) for n in form.needs]
        return cls.model_validate(values, context=today)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        if value not in VISIT_KINDS:
            raise problem(N_("choose one of the listed kinds"))
        return str(value)

    @field_validator("visited_on", mode="before")
    @classmethod
    def _visited_on(cls, value: Any, info: ValidationInfo) -> date:
        day = required_day(value, _today(info))
        if day < _a_year_before(_today(info)):
            raise problem(N_("{value} is more than a year ago"), value=day.isoformat())
        return day

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, value: Any) -> str:
        return limited(value, PLACE_MAX)

    @field_validator("notes", mode="before")
    @classmethod
    def _notes(cls, value: Any) -> str:
        return limited(value, NOTES_MAX)

    @field_validator("persons")
    @classmethod
    def _persons(cls, value: list[VisitPerson]) -> list[VisitPerson]:
        if not value:
            raise problem(N_("add at least one person"))
        if len(value) > PERSONS_MAX:
            raise problem(N_("at most {limit} persons"), limit=PERSONS_MAX)
        seen: set[UUID] = set()
        for person in value:
            if person.id in seen:
                raise problem(N_("{name} is listed twice"), name=person.name)
            seen.add(person.id)
        return value

    @model_validator(mode="after")
    def _needs_fit(self) -> Self:
        seen = {p.id for p in self.persons}
        for index, need in enumerate(self.needs):
            if need.person_id not in seen:
                raise field_error("VisitInput", ("needs", index, "person_id"), need.person_id,
                                  N_("not among the persons visited"))  # fmt: skip
            if need.due_on is not None and need.due_on < self.visited_on:
                raise field_error("VisitInput", ("needs", index, "due_on"), need.due_on.isoformat(),
                                  N_("before the day of the visit ({day})"),
                                  day=self.visited_on.isoformat())  # fmt: skip
        return self

    def submit_problem(self) -> str | None:
        """Why this visit cannot be submitted yet (a draft may be incomplete)."""
        if not self.notes:
            return N_("notes: say what was talked about before submitting")
        return None
