"""The grid worker's home screen: the due work of their scope on a day, as each area
judges it (sweeps, referrals, representatives' talks, meetings), their drafts of visits
and what reviewers returned to them. Lists of due work only: nothing here scores,
ranks or flags a person."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection
from db.core.errors import UserError
from db.disputes.months import SweepDue, home_sweeps
from db.drafts import Draft, drafts_of
from db.home.returned import Returned, returned_to_me
from db.keys.crypto import Keyring
from db.ledgers.home import RecordsToComplete, records_to_complete
from db.meetings.rhythm import MeetingsHome, meetings_home
from db.referrals.lists import ReferralLine, due_referrals
from db.representatives.store import RepresentativeRhythm, due_for_home
from db.visits.store import VisitSummary, work_list


class GridHome(BaseModel):
    """Everything the home screen lists, read in one transaction."""

    model_config = ConfigDict(frozen=True)

    day: date
    sweeps: list[SweepDue]
    referrals: list[ReferralLine]
    representatives: list[RepresentativeRhythm]
    meetings: MeetingsHome
    typed_visits: list[Draft]  # visit forms kept as typed, not yet saved as they are
    draft_visits: list[VisitSummary]  # the user's visits saved as drafts
    returned: list[Returned]
    to_complete: RecordsToComplete  # records of the scope missing a 三必清 field


async def grid_home(conn: Connection, keys: Keyring, today: date) -> GridHome:
    """The home screen's lines for the user on `today`."""
    scope = await conn.fetchval("SELECT tx_scope()")
    if scope is None:
        raise UserError("home: only an app user has a scope")
    drafts = await work_list(conn, ["draft"], mine=True)
    returned = await returned_to_me(conn)
    # A visit kept as typed that is stored too is listed once, as stored.
    stored = {visit.id for visit in drafts} | {r.id for r in returned if r.kind == "visit"}
    typed = [d for d in await drafts_of(conn, keys, "visit") if d.subject not in stored]
    return GridHome(
        day=today,
        sweeps=await home_sweeps(conn, today),
        referrals=await due_referrals(conn, today),
        representatives=await due_for_home(conn, today),
        meetings=await meetings_home(conn, today),
        typed_visits=typed,
        draft_visits=drafts,
        returned=returned,
        to_complete=await records_to_complete(conn, scope),
    )
