"""Messages that workers and the app post: small dataclasses, results only."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from db.connect import Pool
from db.models import HouseholdRow, PersonDetail, PersonPage, PersonSearch
from db.users import AppUser
from tui.screens.filters import FilterChoices


@dataclass
class PoolOpened(Message):
    """The app's database pool is ready; `user` is who the app acts as (None: the connection)."""

    bubble = False

    pool: Pool
    user: AppUser | None


@dataclass
class PoolFailed(Message):
    """The database could not be reached; `reason` is one line for the user."""

    bubble = False

    reason: str


@dataclass
class PersonsLoaded(Message):
    """One page of the person list, for `search`, numbered from 1."""

    bubble = False

    search: PersonSearch
    page: PersonPage
    number: int


@dataclass
class PersonsCounted(Message):
    """How many persons the screen's scope holds."""

    bubble = False

    total: int


@dataclass
class PersonsFailed(Message):
    """Loading the list failed; `reason` is one line for the user."""

    bubble = False

    reason: str


@dataclass
class LanguageChanged(Message):
    """The interface language changed: re-render every label."""

    bubble = False

    lang: str


@dataclass
class PersonOpened(Message):
    """A person's full record and household, loaded (and the open audited)."""

    bubble = False

    detail: PersonDetail
    household: list[HouseholdRow]


@dataclass
class IdentifierRevealed(Message):
    """A full identifier, shown after the user stated a purpose (and audited)."""

    bubble = False

    field: str
    value: str | None


@dataclass
class RecordFailed(Message):
    """Loading or revealing failed; `reason` is one line for the user."""

    bubble = False

    reason: str


@dataclass
class FilterChoicesLoaded(Message):
    """The options of the list's filter dialog, loaded once."""

    bubble = False

    choices: FilterChoices
