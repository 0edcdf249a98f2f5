"""Demo referrals: three years of needs of the demo persons and their follow-up, in every
state, the same for the same seed and day.

Needs found on visits (the visit with them), raised at the window, on the hotline and
online; pending on a draft visit, open, referred, acknowledged, with dated progress
notes, overdue, and closed with an outcome in every state of its review (draft,
submitted, returned, approved: resolved or unable to help). Written by the operator, who
keeps the stamps and states it loads (sql/V010, V013), with COPY; ids come from the
seed, so a second load finds them and stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from db.core.clock import OFFICE_TZ
from db.core.connect import Connection
from db.referrals.categories import need_defaults
from db.visits.form import NEED_CATEGORIES
from seeds.demo_referral_texts import (
    ACKNOWLEDGERS,
    DESCRIPTIONS,
    NOTES,
    REASONS_RESOLVED,
    REASONS_UNABLE,
    RETURN_COMMENTS,
)
from seeds.dice import Dice

SEEDER = "demo_seed"
BULK_PURPOSE = "演示诉求转办 / demo referrals"
HISTORY_DAYS = 36 * 30
NEED_CHANCE = 0.12  # of a registered demo person having a need (some have two)
SETTLED_DAYS = 150  # in the city at least so long: any story fits after the arrival
# Each story ends in one state; the first needs of the load tell every story once.
STORIES = ("pending", "open_visit", "open", "referred", "acknowledged", "overdue",
           "draft_close", "submitted_close", "returned_close", "resolved", "unable")  # fmt: skip
CHANNELS = (("visit", 60.0), ("walk_in", 80.0), ("hotline", 95.0), ("online", 100.0))
CATEGORY_WEIGHTS = (18, 14, 14, 10, 8, 8, 6, 6, 4, 6, 6)  # the 三必帮 most often


@dataclass(frozen=True, slots=True)
class ReferralsLoaded:
    """How many rows the demo referrals wrote."""

    needs: int
    notes: int
    closes: int
    visits: int


@dataclass
class _Rows:
    visits: list[tuple[Any, ...]] = field(default_factory=list)
    visit_persons: list[tuple[Any, ...]] = field(default_factory=list)
    needs: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[tuple[Any, ...]] = field(default_factory=list)
    closes: list[tuple[Any, ...]] = field(default_factory=list)


VISIT_COLUMNS = ["city_code", "id", "org_code", "kind", "visited_on", "notes", "status",
                 "submitted_at", "reviewed_at", "reviewed_by", "created_by", "updated_by",
                 "created_at", "updated_at"]  # fmt: skip
VISIT_PERSON_COLUMNS = ["city_code", "visit_id", "person_id", "org_code"]
NEED_COLUMNS = ["city_code", "id", "org_code", "person_id", "visit_id", "channel", "category",
                "description", "department_code", "status", "raised_on", "due_on",
                "referred_on", "acknowledged_by", "acknowledged_on", "outcome", "resolved_on",
                "created_by", "updated_by", "created_at", "updated_at"]  # fmt: skip
NOTE_COLUMNS = ["city_code", "id", "org_code", "need_id", "noted_on", "note", "created_by",
                "updated_by", "created_at", "updated_at"]  # fmt: skip
CLOSE_COLUMNS = ["city_code", "id", "org_code", "result", "reason", "closed_on", "status",
                 "submitted_at", "reviewed_at", "reviewed_by", "review_comment", "created_by",
                 "updated_by", "created_at", "updated_at"]  # fmt: skip


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), OFFICE_TZ)


class _Story:
    """One need and its follow-up, drawn from the dice."""

    def __init__(
        self, dice: Dice, today: date, person: tuple[str, UUID, str, date], story: str,
        defaults: dict[str, tuple[str, int]],
    ) -> None:  # fmt: skip
        self.dice, self.today, self.story = dice, today, story
        self.city, self.person, self.grid, arrived = person
        self.category = dice.weighted(NEED_CATEGORIES, _cumulative(CATEGORY_WEIGHTS))
        self.department, days = defaults.get(self.category, ("ethnic_affairs", 30))
        self.channel = dice.weighted([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])
        if story in ("pending", "open_visit"):
            self.channel = "visit"
        oldest = max((today - arrived).days, 0)
        self.raised = today - timedelta(days=min(self._age(days), oldest, HISTORY_DAYS))
        self.due = self.raised + timedelta(days=days)
        self.id = UUID(int=dice.bits(128), version=4)

    def _age(self, days: int) -> int:
        """How long ago it was raised, as its story needs."""
        ranges = {"pending": (0, 4), "open_visit": (0, 4), "open": (0, 3), "referred": (2, 10),
                  "acknowledged": (5, days - 2), "overdue": (days + 1, days + 60),
                  "draft_close": (6, days - 1), "submitted_close": (8, days + 20),
                  "returned_close": (8, days + 20)}  # fmt: skip
        low, high = ranges.get(self.story, (days + 5, HISTORY_DAYS))
        return self.dice.between(low, max(low, high))

    def day_after(self, start: date, low: int, high: int) -> date:
        return min(start + timedelta(days=self.dice.between(low, high)), self.today)

    def write(self, rows: _Rows) -> None:
        d, story = self.dice, self.story
        visit = self._visit(rows) if self.channel == "visit" else None
        status = {"pending": "pending", "open_visit": "open", "open": "open"}.get(story)
        referred = acked = None
        who = ""
        if status is None:
            status = "referred"
            referred = self.day_after(self.raised, 0, 2)
            if story != "referred" and d.chance(0.8):
                acked = self.day_after(referred, 1, 4)
                who = d.pick(ACKNOWLEDGERS.get(self.department, ACKNOWLEDGERS["ethnic_affairs"]))
        close = self._close(rows, referred) if referred else None
        outcome, resolved_on = "", None
        if close is not None and close[0] == "approved":
            status = "resolved" if close[1] == "resolved" else "closed"
            outcome, resolved_on = close[2], close[3]
        rows.needs.append((
            self.city, self.id, self.grid, self.person, visit, self.channel, self.category,
            d.pick(DESCRIPTIONS[self.category]), self.department, status, self.raised, self.due,
            referred, who, acked, outcome, resolved_on, SEEDER, SEEDER, _at(self.raised, 9),
            _at(resolved_on or acked or referred or self.raised, 16),
        ))  # fmt: skip
        if referred is not None:
            self._notes(rows, referred, resolved_on or self.today)

    def _visit(self, rows: _Rows) -> UUID:
        visit = UUID(int=self.dice.bits(128), version=4)
        status = {"pending": "draft", "open_visit": "submitted"}.get(self.story, "approved")
        submitted = _at(self.raised, 17) if status != "draft" else None
        reviewed = _at(self.raised + timedelta(days=1), 10) if status == "approved" else None
        kind = self.dice.pick(("home_visit", "home_visit", "phone_call", "face_to_face"))
        rows.visits.append((
            self.city, visit, self.grid, kind, self.raised, "走访了解近况，记录诉求。", status,
            submitted, reviewed, SEEDER if reviewed else None, SEEDER, SEEDER,
            _at(self.raised, 9), reviewed or submitted or _at(self.raised, 9),
        ))  # fmt: skip
        rows.visit_persons.append((self.city, visit, self.person, self.grid))
        return visit

    def _notes(self, rows: _Rows, referred: date, until: date) -> None:
        for _ in range(self.dice.between(0, 3)):
            day = min(self.day_after(referred, 1, 20), until)
            rows.notes.append((
                self.city, UUID(int=self.dice.bits(128), version=4), self.grid, self.id, day,
                self.dice.pick(NOTES), SEEDER, SEEDER, _at(day, 15), _at(day, 15),
            ))  # fmt: skip

    def _close(self, rows: _Rows, referred: date) -> tuple[str, str | None, str, date] | None:
        """The close, if the story has one: (review status, result, reason, closed on)."""
        review = {"draft_close": "draft", "submitted_close": "submitted",
                  "returned_close": "returned", "resolved": "approved",
                  "unable": "approved"}.get(self.story)  # fmt: skip
        if review is None:
            return None
        d = self.dice
        result = "unable" if self.story == "unable" else "resolved"
        if review != "approved" and d.chance(0.2):
            result = "unable"
        reason = d.pick(REASONS_UNABLE if result == "unable" else REASONS_RESOLVED)
        closed = self.day_after(referred, 3, 40)
        if review == "draft":  # begun: what became of it, not yet why
            row_result, reason, closed_on = result, "", None
        else:
            row_result, closed_on = result, closed
        submitted = _at(closed, 17) if review != "draft" else None
        reviewed = _at(closed, 18) if review in ("returned", "approved") else None
        rows.closes.append((
            self.city, self.id, self.grid, row_result, reason, closed_on, review, submitted,
            reviewed, SEEDER if reviewed else None,
            d.pick(RETURN_COMMENTS) if review == "returned" else "", SEEDER, SEEDER,
            _at(referred, 16), reviewed or submitted or _at(referred, 16),
        ))  # fmt: skip
        return review, result, reason, closed


def _cumulative(weights: tuple[int, ...]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


async def _persons(conn: Connection) -> list[tuple[str, UUID, str, date]]:
    rows = await conn.fetch(
        "SELECT p.city_code, p.id, p.org_code, p.arrival_date FROM person p "
        "JOIN org_unit g ON g.code = p.org_code "
        "WHERE g.is_demo AND p.status = 'registered' AND p.arrival_date IS NOT NULL "
        "ORDER BY p.org_code, p.id"
    )
    return [(r["city_code"], r["id"], r["org_code"], r["arrival_date"]) for r in rows]


def plan(
    persons: list[tuple[str, UUID, str, date]],
    defaults: dict[str, tuple[str, int]],
    *,
    seed: int,
    today: date,
) -> _Rows:
    """Every row of the demo referrals, from the seed alone."""
    dice, rows = Dice(seed), _Rows()
    told = 0  # of STORIES, each told once to someone here long enough for it
    for person in persons:
        stories = [_drawn(dice) for _ in range(1 + int(dice.chance(0.2)))]
        if not dice.chance(NEED_CHANCE):
            stories = []
        if told < len(STORIES) and (today - person[3]).days >= SETTLED_DAYS:
            stories, told = [STORIES[told]], told + 1
        for story in stories:
            _Story(dice, today, person, story, defaults).write(rows)
    return rows


def _drawn(dice: Dice) -> str:
    """The story of a need past the first: most end resolved, some remain to do."""
    return dice.weighted(
        ("resolved", "unable", "overdue", "acknowledged", "referred", "open", "submitted_close",
         "returned_close", "draft_close"),
        (60.0, 72.0, 78.0, 84.0, 88.0, 91.0, 95.0, 97.0, 100.0),
    )  # fmt: skip


async def seed_referrals(conn: Connection, *, seed: int, today: date) -> ReferralsLoaded:
    """Load the demo referrals of the demo persons already loaded, in one transaction."""
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM assistance_request "
                           "WHERE created_by = $1)", SEEDER):  # fmt: skip
        return ReferralsLoaded(0, 0, 0, 0)
    defaults = {c: (d.department_code, d.due_days) for c, d in (await need_defaults(conn)).items()}
    rows = plan(await _persons(conn), defaults, seed=seed, today=today)
    async with conn.transaction():
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await conn.execute("SELECT set_config('tongxin.bulk_purpose', $1, true)", BULK_PURPOSE)
        for table, columns, records in (
            ("visit", VISIT_COLUMNS, rows.visits),
            ("visit_person", VISIT_PERSON_COLUMNS, rows.visit_persons),
            ("assistance_request", NEED_COLUMNS, rows.needs),
            ("referral_note", NOTE_COLUMNS, rows.notes),
            ("referral_outcome", CLOSE_COLUMNS, rows.closes),
        ):
            if records:
                await conn.copy_records_to_table(table, records=records, columns=columns)
    return ReferralsLoaded(len(rows.needs), len(rows.notes), len(rows.closes), len(rows.visits))
