"""A small city for the ledger tests: persons who arrived, left, returned and were handed
over, in grids of two communities, two streets and two districts, written by the
operator; and the ledgers' figures worked out again here, in Python, from those rows.

The expected figures follow the definitions of sql/R__ledgers.sql directly (who is
in which grid at each month's end), not the events the views add up, so a view that
counts an event wrongly or twice disagrees with them.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import asyncpg

from db.core.clock import today
from tests.db.access_fixtures import demo_grid_codes

ETHNIC = ("03", "04", "06", "05")  # 回, 藏, 维吾尔, 蒙古
ORIGINS = ("650102", "630102", "640104", None)  # 新疆, 青海, 宁夏, none recorded
OCCUPATIONS = ("餐饮", "务工", " 务工 ", "", "个体经营")


@dataclass
class Move:
    id: int
    from_org: str
    to_org: str
    moved_on: date


@dataclass
class Person:
    id: uuid.UUID
    org_code: str
    name: str
    sex: int
    ethnic_code: str
    origin: str | None
    occupation: str
    arrival: date | None
    status: str = "registered"
    changed_on: date | None = None
    moves: list[Move] = field(default_factory=list)
    anonymised: bool = False

    @property
    def returned(self) -> bool:
        return (
            self.status == "registered"
            and self.changed_on is not None
            and self.changed_on not in {m.moved_on for m in self.moves}
        )

    @property
    def start(self) -> date:
        if self.returned:
            assert self.changed_on is not None
            return self.changed_on
        return self.arrival or today()

    @property
    def end(self) -> date | None:
        if self.status not in ("left_city", "moved_out"):
            return None
        return max(self.changed_on or today(), self.start)

    def grid_on(self, day: date) -> str:
        later = sorted(
            (m for m in self.moves if m.moved_on > day), key=lambda m: (m.moved_on, m.id)
        )
        return later[0].from_org if later else self.org_code

    def present_at(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)

    def counted_moves(self) -> list[Move]:
        end = self.end
        return [
            m for m in self.moves if self.start < m.moved_on and (end is None or m.moved_on <= end)
        ]


@dataclass
class World:
    grids: list[str]  # g[0], g[1]: one community; g[2]: same street; g[3]: another district
    persons: list[Person]

    def month_end(self, month: date) -> date:
        return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)

    def registered(self, scope: str, month: date) -> int:
        end = self.month_end(month)
        return sum(
            1 for p in self.persons if p.present_at(end) and p.grid_on(end).startswith(scope)
        )

    def events(self, scope: str, month: date) -> Counter[str]:
        """What happened in `month` to the scope as a whole (hand-overs inside it are none)."""
        counts: Counter[str] = Counter()

        def inside(org: str) -> bool:
            return org.startswith(scope)

        def within(day: date) -> bool:
            return (day.year, day.month) == (month.year, month.month)

        for p in self.persons:
            if within(p.start) and inside(p.grid_on(p.start)):
                counts["returned" if p.returned else "arrived"] += 1
            end = p.end
            if end is not None and within(end) and inside(p.grid_on(end)):
                counts["left_city"] += 1
            for m in p.counted_moves():
                if within(m.moved_on) and inside(m.to_org) and not inside(m.from_org):
                    counts["moved_in"] += 1
                if within(m.moved_on) and inside(m.from_org) and not inside(m.to_org):
                    counts["moved_out"] += 1
        return counts

    def now_registered(self, scope: str) -> list[Person]:
        return [p for p in self.persons
                if p.status == "registered" and p.org_code.startswith(scope)]  # fmt: skip


async def pick_grids(conn: asyncpg.Connection) -> list[str]:
    codes = await demo_grid_codes(conn)
    first = codes[0]
    same_community = next(c for c in codes if c != first and c[:12] == first[:12])
    same_street = next(c for c in codes if c[:9] == first[:9] and c[:12] != first[:12])
    other_district = next(c for c in codes if c[:4] == first[:4] and c[:6] != first[:6])
    return [first, same_community, same_street, other_district]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def plan(grids: list[str], seed: int = 7, persons: int = 80) -> World:
    """Persons with arrivals on month boundaries, departures, returns and hand-overs."""
    rng = random.Random(seed)
    first, last = date(2025, 1, 1), date(2026, 10, 31)
    people: list[Person] = []
    move_id = 0
    for n in range(persons):
        home = rng.choice(grids)
        arrival = _day(rng, first, last) if n % 9 else None
        if n % 7 == 1:  # the last day of a month
            arrival = date(2025, 3, 31)
        if n % 7 == 2:  # the first day of the next one
            arrival = date(2025, 4, 1)
        p = Person(
            id=uuid.uuid4(), org_code=home, name=f"马{n:03d}", sex=1 + n % 2,
            ethnic_code=rng.choice(ETHNIC), origin=rng.choice(ORIGINS),
            occupation=rng.choice(OCCUPATIONS), arrival=arrival,
        )  # fmt: skip
        begun = p.arrival or today()
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            if begun >= last:
                break
            target = rng.choice([g for g in grids if g != p.org_code])
            on = _day(rng, begun, last)
            if n % 11 == 3:  # a hand-over on the day of arrival is part of the arrival
                on = begun
            move_id += 1
            p.moves.append(Move(move_id, p.org_code, target, on))
            p.org_code, begun = target, on
        roll = n % 6
        if roll == 3:
            p.status, p.changed_on = "left_city", _day(rng, begun, date(2026, 11, 30))
        elif roll == 4 and n % 4 == 0:
            p.status, p.changed_on = "moved_out", date(2025, 4, 30)  # the last day of a month
            p.changed_on = max(p.changed_on, begun)
        elif roll == 5:  # left and came back
            p.changed_on = _day(rng, begun, date(2026, 11, 30))
        p.anonymised = p.status == "left_city" and n % 5 == 0
        people.append(p)
    return World(grids=grids, persons=people)


async def write(conn: asyncpg.Connection, world: World) -> None:
    """The persons and their hand-overs, as the operator loads them."""
    for p in world.persons:
        await conn.execute(
            "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date, "
            "origin_division_code, occupation, arrival_date, status, status_changed_on, "
            "anonymised_at, current_address, origin_address) VALUES ($1, $2, $3, $4, $5, $6, "
            "'1990-01-01', $7, $8, $9, $10, $11, $12, '某路1号', '某村')",
            p.org_code[:4], p.id, p.org_code, p.name, p.sex, p.ethnic_code, p.origin,
            p.occupation, p.arrival, p.status, p.changed_on,
            today() if p.anonymised else None,
        )  # fmt: skip
        for m in p.moves:
            await conn.execute(
                "INSERT INTO person_move (city_code, person_id, from_org, to_org, moved_on, "
                "moved_by) VALUES ($1, $2, $3, $4, $5, 'ledger_test')",
                p.org_code[:4], p.id, m.from_org, m.to_org, m.moved_on,
            )  # fmt: skip
    ids = await conn.fetch("SELECT id, person_id, moved_on, from_org FROM person_move ORDER BY id")
    # The ids the database gave, in the order written, for the same tie-break.
    written = [m for p in world.persons for m in p.moves]
    for move, row in zip(written, ids, strict=True):
        move.id = row["id"]
