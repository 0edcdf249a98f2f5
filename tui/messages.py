"""Messages that workers and the app post: small dataclasses, results only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from db.core.connect import Pool
    from db.disputes.case_form import CaseForm, CaseStanding
    from db.disputes.cases import CaseLine, CaseView, HistoryLine
    from db.disputes.sweeps import SweepView
    from db.drafts import Draft
    from db.persons.activity import Activity
    from db.persons.consent import ConsentRecord
    from db.persons.form import FormReference
    from db.persons.models import HouseholdRow, PersonDetail, PersonPage, PersonSearch
    from db.persons.save import IdHolder, Saved, StoredPerson
    from db.users import AppUser
    from db.visits.form import VisitForm
    from db.visits.store import Decision, VisitState, VisitSummary
    from db.workflow import SubmissionState, Waiting
    from tui.dialogs.filters import FilterChoices


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
class DatabaseUnreachable(Message):
    """Some work failed because the database cannot be reached (it stopped, or the
    line to it broke): the app says so and retries."""

    bubble = False


@dataclass
class DatabaseProbed(Message):
    """One retry's answer: whether the database responds again."""

    bubble = False

    reachable: bool


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
class LanguageChanged(Message):
    """The interface language changed: re-render every label."""

    bubble = False

    lang: str


@dataclass
class PersonOpened(Message):
    """A person's full record, household and activity, loaded (and the open audited)."""

    bubble = False

    detail: PersonDetail
    household: list[HouseholdRow]
    activity: Activity
    consents: list[ConsentRecord] = field(default_factory=list)


@dataclass
class IdentifierRevealed(Message):
    """A full identifier, shown after the user stated a purpose (and audited)."""

    bubble = False

    field: str
    value: str | None


@dataclass
class FilterChoicesLoaded(Message):
    """The options of the list's filter dialog, loaded once."""

    bubble = False

    choices: FilterChoices


@dataclass
class DraftKept(Message):
    """A form's boxes were stored as a draft; `values` is what was stored."""

    bubble = False

    values: dict[str, Any]


@dataclass
class PersonFormLoaded(Message):
    """What the person form opens with: reference data, the record, a kept draft.

    `then` says why it was loaded again after a conflict: to merge or to reload.
    """

    bubble = False

    reference: FormReference
    grids: list[tuple[str, str]]
    stored: StoredPerson | None
    plain_id: str | None
    draft: Draft | None
    then: str | None


@dataclass
class PersonSaveDone(Message):
    """The person form's save finished: stored, or the ID number is held already."""

    bubble = False

    saved: Saved
    values: dict[str, Any]


@dataclass
class IdChecked(Message):
    """Where an ID number typed into the person form is registered (None: nowhere)."""

    bubble = False

    number: str
    holder: IdHolder | None


@dataclass
class ConsentRecorded(Message):
    """A new legal basis or a withdrawal was recorded on the record screen."""

    bubble = False

    withdrawn: bool


@dataclass
class GridsLoaded(Message):
    """The grids a person may be handed over to: (code, name)."""

    bubble = False

    grids: list[tuple[str, str]]


@dataclass
class StatusChanged(Message):
    """A status change or hand-over was recorded."""

    bubble = False

    change: Any


@dataclass
class VisitFormLoaded(Message):
    """What the visit form opens with: the visit (or the new one), its state, a kept draft."""

    bubble = False

    form: VisitForm
    state: VisitState | None
    draft: Draft | None
    departments: list[tuple[str, str]]


@dataclass
class SubmissionSaved(Message):
    """A record of a submission kind was stored (as a draft, or submitted)."""

    bubble = False

    state: SubmissionState
    values: dict[str, Any]


@dataclass
class ConflictLoaded(Message):
    """What someone else saved meanwhile: its values, who and when, where it stands."""

    bubble = False

    values: dict[str, Any]
    who: Any
    when: Any
    state: SubmissionState | None


@dataclass
class QueueLoaded(Message):
    """What waits for review in the user's scope."""

    bubble = False

    items: list[Waiting]


@dataclass
class Reviewed(Message):
    """The reviewer approved or returned `item` (as it was listed)."""

    bubble = False

    item: Waiting
    decision: Decision


@dataclass
class WorkLoaded(Message):
    """The visits of a work list: the user's drafts and returned ones, or a review queue."""

    bubble = False

    visits: list[VisitSummary]


@dataclass
class ChoosableUsersLoaded(Message):
    """The users the demo's first screen offers, in its order."""

    bubble = False

    users: list[AppUser]


@dataclass
class SweepFormLoaded(Message):
    """What the sweep form opens with: the month's sweep (stored or new), a kept draft."""

    bubble = False

    view: SweepView
    draft: Draft | None


@dataclass
class SweepCasesLoaded(Message):
    """The sweep's cases again, after one was added or changed: open ones, new ones."""

    bubble = False

    open_cases: list[CaseLine]
    new_cases: list[CaseLine]


@dataclass
class CaseFormLoaded(Message):
    """What the case form opens with: the stored case (None: a new one), its form, the
    departments, a kept draft."""

    bubble = False

    view: CaseView | None
    form: CaseForm
    draft: Draft | None
    departments: list[tuple[str, str]]


@dataclass
class CaseHistoryLoaded(Message):
    """Where a saved case stands now, and its history with the steps just stored."""

    bubble = False

    standing: CaseStanding
    history: list[HistoryLine]
