"""Demo representatives and three years of their 三必谈, in the demo grids.

Some registered persons of each grid are appointed (their talks are visits, in every
state of review) and some representatives by name (their talks are contact rows);
some have retired. Weekly phone talks, monthly face-to-face talks and the Eid
symposium were mostly held, sometimes missed, so today's list shows done, due and
overdue. Written by the operator, who keeps the stamps and states it loads; the same
seed and day (and the same demo persons) give the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from db.core.clock import OFFICE_TZ
from db.core.connect import Connection
from seeds.demo import SEEDER, NoDemoGrids, fetch_grids
from seeds.demo_records import uuid4_from_bits
from seeds.dice import Dice
from seeds.names import make_name

MONTHS_BACK = 36
RECENT_DAYS = 45  # visits younger than this may still wait for review, or be drafts
BULK_PURPOSE = "演示数据: 民族代表人士 / demo data: representatives"
ETHNIC_CODES = ("03", "03", "03", "05", "35", "34")  # 回, 维吾尔, 撒拉, 东乡
REP_COLUMNS = [
    "city_code", "id", "org_code", "person_id", "name", "sex", "ethnic_code", "birth_date",
    "standing", "employer", "post", "social_posts", "appointed_on", "retired_on",
    "retirement_note", "created_by", "updated_by", "created_at", "updated_at",
]  # fmt: skip
VISIT_COLUMNS = [
    "city_code", "id", "org_code", "kind", "visited_on", "place", "notes", "status",
    "submitted_at", "reviewed_at", "reviewed_by", "review_comment", "created_by", "updated_by",
    "created_at", "updated_at",
]  # fmt: skip
CONTACT_COLUMNS = [
    "city_code", "id", "org_code", "representative_id", "kind", "contacted_on", "place", "notes",
    "created_by", "updated_by", "created_at", "updated_at",
]  # fmt: skip
NOTES = {
    "phone_call": ("电话问候，了解近况", "电话沟通社区清真餐饮情况", "电话了解务工人员动态"),
    "face_to_face": ("当面交流，听取对社区服务的意见", "走访座谈，了解群众诉求", "面谈节前安排"),
    "festival": ("参加古尔邦节座谈会", "古尔邦节座谈，通报节日安排", "节日座谈，转达慰问"),
}
PLACES = {"phone_call": "", "face_to_face": "社区服务中心", "festival": "街道民族团结活动室"}
POSTS = ("商会副会长", "社区居委会委员", "清真餐饮协会会长", "")
SOCIAL_POSTS = ("区人大代表", "区政协委员", "", "", "")
MOSQUE_POSTS = ("教长", "阿訇", "寺管会主任")


@dataclass(frozen=True, slots=True)
class RepresentativesLoaded:
    """How many rows the demo's representatives wrote."""

    representatives: int
    retired: int
    visits: int
    contacts: int


@dataclass
class _Rows:
    reps: list[tuple[Any, ...]]
    visits: list[tuple[Any, ...]]
    visit_persons: list[tuple[Any, ...]]
    contacts: list[tuple[Any, ...]]


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), OFFICE_TZ)


class _History:
    """Draws one representative's talks from the appointment to the end of service."""

    def __init__(self, dice: Dice, eid: dict[int, date], today: date) -> None:
        self.dice, self.eid, self.today = dice, eid, today

    def talks(self, appointed: date, end: date) -> list[tuple[str, date]]:
        dice, found = self.dice, []
        week = appointed - timedelta(days=appointed.weekday()) + timedelta(days=7)
        while week <= end:
            if dice.chance(0.85):
                found.append(("phone_call", min(week + timedelta(days=dice.between(0, 4)), end)))
            week += timedelta(days=7)
        month = _months_before(appointed, -1)
        while month <= end:
            if dice.chance(0.8):
                found.append(
                    ("face_to_face", min(month + timedelta(days=dice.between(0, 24)), end))
                )
            month = _months_before(month, -1)
        for day in sorted(self.eid.values()):
            held = day - timedelta(days=dice.between(0, 10))
            if day - timedelta(days=14) > appointed and held <= end and dice.chance(0.85):
                found.append(("festival", held))
        return found

    def review(self, day: date) -> tuple[str, str]:
        """A visit's status and its reviewer's comment."""
        dice = self.dice
        if (self.today - day).days > RECENT_DAYS:
            status = "approved" if dice.chance(0.95) else dice.pick(("returned", "submitted"))
        else:
            status = dice.pick(("approved", "approved", "submitted", "submitted", "draft",
                                "returned"))  # fmt: skip
        return status, "请补充谈话的具体内容" if status == "returned" else ""


async def seed_representatives(
    conn: Connection, *, seed: int, today: date
) -> RepresentativesLoaded:
    """Appoint demo representatives in the demo grids and write their history, in one
    transaction, as one audit row per table (a bulk load)."""
    grids = await fetch_grids(conn)
    if not grids:
        raise NoDemoGrids("no demo grids: run `tongxin seed reference` first")
    eid = {r["year"]: r["day"] for r in await conn.fetch("SELECT year, day FROM eid_al_adha")}
    dice = Dice(seed)
    history = _History(dice, eid, today)
    rows = _Rows([], [], [], [])
    start = _months_before(today, MONTHS_BACK)
    for grid in grids:
        persons = await conn.fetch(
            "SELECT city_code, id FROM person WHERE org_code = $1 AND status = 'registered' "
            "AND anonymised_at IS NULL ORDER BY id LIMIT 2",
            grid.org_code,
        )
        for person in persons[: dice.between(0, 2)]:
            _appoint(rows, dice, history, grid.org_code, person["id"], start, today)
        if dice.chance(0.6):
            _appoint(rows, dice, history, grid.org_code, None, start, today)
    async with conn.transaction():
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await conn.execute("SELECT set_config('tongxin.bulk_purpose', $1, true)", BULK_PURPOSE)
        await conn.copy_records_to_table("representative", records=rows.reps, columns=REP_COLUMNS)
        await conn.copy_records_to_table("visit", records=rows.visits, columns=VISIT_COLUMNS)
        await conn.copy_records_to_table(
            "visit_person", records=rows.visit_persons,
            columns=["city_code", "visit_id", "person_id", "org_code"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "representative_contact", records=rows.contacts, columns=CONTACT_COLUMNS
        )
    retired = sum(1 for r in rows.reps if r[13] is not None)
    return RepresentativesLoaded(len(rows.reps), retired, len(rows.visits), len(rows.contacts))


def _appoint(
    rows: _Rows,
    dice: Dice,
    history: _History,
    grid: str,
    person: UUID | None,
    start: date,
    today: date,
) -> None:
    rep = uuid4_from_bits(dice.bits(128))
    appointed = start + timedelta(days=dice.between(0, (today - start).days - 14))
    retired = None
    if dice.chance(0.15):
        retired = appointed + timedelta(days=dice.between(60, max(60, (today - appointed).days)))
        retired = retired if retired < today else None
    city = grid[:4]
    who: tuple[str | None, int | None, str | None, date | None]
    if person is None:
        sex, ethnic = dice.pick((1, 1, 1, 2)), dice.pick(ETHNIC_CODES)
        who = (
            make_name(dice, ethnic, sex),
            sex,
            ethnic,
            date(dice.between(1950, 1985), dice.between(1, 12), dice.between(1, 28)),
        )
        standing = dice.pick(("religious", "clergy", "clergy"))
        work = (f"{dice.pick(('东大寺', '北大寺', '清真寺'))}", dice.pick(MOSQUE_POSTS))
    else:
        who = (None, None, None, None)
        standing = dice.pick(("ethnic", "ethnic", "informant", "other"))
        work = ("", dice.pick(POSTS))
    rows.reps.append((
        city, rep, grid, person, *who, standing, *work, dice.pick(SOCIAL_POSTS), appointed,
        retired, "换届调整" if retired else "", SEEDER, SEEDER, _at(appointed),
        _at(retired or appointed),
    ))  # fmt: skip
    for kind, day in history.talks(appointed, retired or today):
        talk = uuid4_from_bits(dice.bits(128))
        notes, place = dice.pick(NOTES[kind]), PLACES[kind]
        if person is None:
            rows.contacts.append((city, talk, grid, rep, kind, day, place, notes, SEEDER, SEEDER,
                                  _at(day), _at(day)))  # fmt: skip
            continue
        status, comment = history.review(day)
        submitted = _at(day + timedelta(days=1), 9) if status != "draft" else None
        reviewed = _at(day + timedelta(days=3), 10) if status in ("approved", "returned") else None
        rows.visits.append((
            city, talk, grid, kind, day, place, notes, status, submitted, reviewed,
            SEEDER if reviewed else None, comment, SEEDER, SEEDER, _at(day), _at(day),
        ))  # fmt: skip
        rows.visit_persons.append((city, talk, person, grid))
