"""Rows of the audit trail as its readers see them: who (by name and role), when, what,
why; in keyset pages, newest first."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, field_validator

from db.users import RoleKind


class TrailKey(BaseModel):
    """A row's place in the trail's order: newest first, by time, then by id."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    id: int


class TrailEntry(BaseModel):
    """One audit row: the actor's name and role kind (None: an operator, no app user);
    `changes` names the changed columns, never their values."""

    model_config = ConfigDict(frozen=True)

    id: int
    at: datetime
    actor: str
    actor_name: str
    actor_kind: RoleKind | None
    action: str
    table_name: str | None
    changes: list[str] | None
    purpose: str | None
    row_count: int
    person_name: str | None = None

    @field_validator("changes", mode="before")
    @classmethod
    def _decoded(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @property
    def key(self) -> TrailKey:
        return TrailKey(at=self.at, id=self.id)


class TrailPage(BaseModel):
    """One page of the trail and whether older rows follow it."""

    model_config = ConfigDict(frozen=True)

    entries: list[TrailEntry]
    more: bool


class TrailPerson(BaseModel):
    """The person a trail is narrowed to."""

    model_config = ConfigDict(frozen=True)

    city_code: str
    id: UUID
    name: str


def page_of(rows: list[TrailEntry], limit: int) -> TrailPage:
    """The first `limit` of rows fetched `limit + 1` at a time: the extra one says more."""
    return TrailPage(entries=rows[:limit], more=len(rows) > limit)
