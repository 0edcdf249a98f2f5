"""Messages that workers and the app post: small dataclasses, results only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from db.audit.browse import TrailFilters
    from db.audit.city_chain import CityChainReport
    from db.audit.entries import TrailPage
    from db.core.connect import Pool
    from db.disputes.case_form import CaseForm, CaseStanding
    from db.disputes.cases import CaseLine, CaseView, HistoryLine
    from db.disputes.months import MonthStatus, SweepRule, SweepSetting
    from db.disputes.sweeps import SweepView
    from db.drafts import Draft
    from db.home.dashboard import Dashboard
    from db.home.grid_home import GridHome
    from db.meetings.carryover import CarriedItem
    from db.meetings.form import MeetingForm
    from db.meetings.links import Linkable
    from db.meetings.rhythm import OverdueMeeting
    from db.meetings.store import MeetingSummary, Unit
    from db.persons.activity import Activity
    from db.persons.consent import ConsentRecord
    from db.persons.form import FormReference
    from db.persons.models import HouseholdRow, PersonDetail, PersonPage, PersonSearch
    from db.persons.save import IdHolder, Saved, StoredPerson
    from db.referrals.categories import NeedDefault
    from db.referrals.lists import ReferralLine
    from db.referrals.store import ReferralOpened
    from db.representatives.form import AppointInput
    from db.representatives.store import ContactLine, Representative, RepresentativeRhythm
    from db.signoff import MonthState
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
    defaults: dict[str, NeedDefault] = field(default_factory=dict)


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
class BulkReviewed(Message):
    """The marked records approved one by one: those approved, and those refused with
    the reason, as they were listed."""

    bubble = False

    approved: list[Waiting]
    refused: list[tuple[Waiting, str]]


@dataclass
class MonthsLoaded(Message):
    """The communities' months as they stand, for the sign-off screen."""

    bubble = False

    months: list[MonthState]


@dataclass
class MonthSigned(Message):
    """A month was signed off or reopened; `state` is how it stands now."""

    bubble = False

    state: MonthState
    reopened: bool


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
class RepresentativesLoaded(Message):
    """The active representatives in scope and their 三必谈 rhythm today."""

    bubble = False

    items: list[RepresentativeRhythm]


@dataclass
class RepresentativeOpened(Message):
    """One representative's record, rhythm (None once retired) and contacts."""

    bubble = False

    record: Representative
    rhythm: RepresentativeRhythm | None
    contacts: list[ContactLine]


@dataclass
class AppointChoicesLoaded(Message):
    """What the appointment dialog offers: units in scope and ethnic groups, (code, name)."""

    bubble = False

    units: list[tuple[str, str]]
    ethnic_groups: list[tuple[str, str]]


@dataclass
class Appointed(Message):
    """An appointment was stored."""

    bubble = False

    appointment: AppointInput


@dataclass
class RepresentativeChanged(Message):
    """A retirement or a contact was stored; `what` says which, for the status line."""

    bubble = False

    what: str


@dataclass
class TrailLoaded(Message):
    """One page of a trail (a person's, or the auditor's scope's), numbered from 1."""

    bubble = False

    page: TrailPage
    number: int


@dataclass
class TrailFiltersRead(Message):
    """The auditor's filters, with the person an ID number typed names (None: nobody
    with that number in the auditor's scope)."""

    bubble = False

    filters: TrailFilters | None


@dataclass
class ChainProgress(Message):
    """How far the verification of the city's audit chain has come."""

    bubble = False

    checked: int
    links: int


@dataclass
class ChainVerified(Message):
    """What the verification of the city's audit chain found."""

    bubble = False

    report: CityChainReport


@dataclass
class ReferralLoaded(Message):
    """What the referral form opens with: the need and its follow-up, the departments,
    a kept draft."""

    bubble = False

    opened: ReferralOpened
    departments: list[tuple[str, str]]
    draft: Draft | None


@dataclass
class ReferralsLoaded(Message):
    """The open referrals of the user's scope, as of `today`."""

    bubble = False

    lines: list[ReferralLine]


@dataclass
class IntakeLoaded(Message):
    """What the form of a need raised without a visit opens with."""

    bubble = False

    departments: list[tuple[str, str]]
    defaults: dict[str, NeedDefault]
    draft: Draft | None


@dataclass
class NeedRaised(Message):
    """A need raised without a visit was stored."""

    bubble = False


@dataclass
class MeetingFormLoaded(Message):
    """What the meeting form opens with: the minutes (or the new ones), their state, a
    kept draft, the departments and units to choose from, and the items carried over."""

    bubble = False

    form: MeetingForm
    state: SubmissionState | None
    draft: Draft | None
    departments: list[tuple[str, str]]
    units: list[Unit]
    carried: list[CarriedItem]


@dataclass
class CarriedLoaded(Message):
    """The earlier meetings' items carried to this one, for the kind, unit and time it
    was asked for (`key`)."""

    bubble = False

    key: tuple[str, str, str, str]
    items: list[CarriedItem]


@dataclass
class MeetingsLoaded(Message):
    """The meetings in the user's scope, and the units overdue for one."""

    bubble = False

    meetings: list[MeetingSummary]
    overdue: list[OverdueMeeting]


@dataclass
class LinkablesLoaded(Message):
    """The needs and dispute cases found for an action item's link."""

    bubble = False

    found: list[Linkable]


@dataclass
class ItemLoaded(Message):
    """One action item as it stands now (`marked`: just marked by this user)."""

    bubble = False

    item: CarriedItem
    departments: list[tuple[str, str]]
    marked: bool = False


@dataclass
class HomeLoaded(Message):
    """The grid worker's due work, for their home screen."""

    bubble = False

    home: GridHome


@dataclass
class DashboardLoaded(Message):
    """The supervisor's figures of their scope, for their dashboard."""

    bubble = False

    dashboard: Dashboard


@dataclass
class SweepFormLoaded(Message):
    """What the sweep form opens with: the month's sweep (stored or new), how it stands
    (filed, late, missing or due), a kept draft."""

    bubble = False

    view: SweepView
    month: MonthStatus | None
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


@dataclass
class SweepListLoaded(Message):
    """The sweeps of the user's scope by month, and its cases still open."""

    bubble = False

    months: list[MonthStatus]
    cases: list[CaseLine]


@dataclass
class SweepRuleLoaded(Message):
    """A city's sweep settings as stored (the defaults when none were set), with its name."""

    bubble = False

    rule: SweepRule


@dataclass
class SweepSettingSaved(Message):
    """A city's sweep settings as just stored."""

    bubble = False

    setting: SweepSetting
