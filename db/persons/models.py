"""Pydantic models: what leaves the database, and validation of what enters it."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

PersonStatus = Literal["registered", "moved_out", "left_city"]
SearchKind = Literal["all", "id_number", "initials", "phone_tail", "name"]

_ID_LIKE = re.compile(r"^[0-9]{17}[0-9Xx]$")
_INITIALS = re.compile(r"^[A-Za-z]{1,12}$")
_PHONE_TAIL = re.compile(r"^[0-9]{4}$")


class PageKey(BaseModel):
    """Keyset position in the registry order: grid, then name reading, then id."""

    model_config = ConfigDict(frozen=True)

    org_code: str
    name_pinyin: str
    id: UUID


class PersonSearch(BaseModel):
    """What the user typed in a search box, classified once, and the list's filters.

    `scope` is an org-code prefix (a community narrows the user's own scope; the
    database still keeps anyone to theirs). `missing_only` keeps the records that
    lack one of the 三必清 fields: origin, current address, occupation.
    """

    model_config = ConfigDict(frozen=True)

    text: str = Field(default="", max_length=60)
    scope: str = Field(default="", pattern=r"^[0-9]{0,14}$")
    status: PersonStatus | None = None
    ethnic_code: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    missing_only: bool = False

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @property
    def kind(self) -> SearchKind:
        if not self.text:
            return "all"
        if _ID_LIKE.match(self.text):
            return "id_number"
        if _PHONE_TAIL.match(self.text):
            return "phone_tail"
        if _INITIALS.match(self.text):
            return "initials"
        return "name"


class PersonSummary(BaseModel):
    """One row of the person list: masked identifiers only."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    grid_name: str
    name: str
    name_pinyin: str
    sex: int
    ethnic_name: str
    birth_date: date
    id_number_masked: str | None
    phone_masked: str | None
    origin_name: str | None
    current_address: str
    occupation: str
    status: PersonStatus

    @property
    def key(self) -> PageKey:
        return PageKey(org_code=self.org_code, name_pinyin=self.name_pinyin, id=self.id)


class PersonPage(BaseModel):
    """A page of the list and whether more lie beyond either edge."""

    model_config = ConfigDict(frozen=True)

    rows: list[PersonSummary]
    has_before: bool
    has_after: bool


class PersonDetail(BaseModel):
    """A person's full record as a user in scope sees it: identifiers still masked."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    org_code: str
    grid_name: str
    community_name: str
    name: str
    sex: int
    ethnic_name: str
    birth_date: date
    id_number_masked: str | None
    phone_masked: str | None
    origin_name: str | None
    origin_address: str
    current_address: str
    occupation: str
    employer: str
    arrival_date: date | None
    residence_permit: str
    languages: list[str]
    interpreter_needed: bool
    status: PersonStatus
    notes: str
    version: int


class HouseholdRow(BaseModel):
    """Someone who lives with the person."""

    model_config = ConfigDict(frozen=True)

    name: str
    relation: str
    sex: int
    birth_date: date
    school_status: str
