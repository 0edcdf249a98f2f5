"""Deterministic demo meetings around the demo grids, 36 months back from `today`.

Each demo city holds the origin-destination meeting about yearly and member departments'
joint meetings about twice a year; each demo district its joint meetings, now and then
more than six months apart (so some are overdue); each demo street a representatives'
symposium twice a year and one before Eid al-Adha; each demo community a working meeting
a quarter. The minutes are approved but for each unit's latest, which may be a draft,
submitted, returned or approved; action items are mostly closed at the next meeting of
their kind, some stay open and are carried over. Written by the operator (who keeps the
stamps it loads), with COPY and one audit row per table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from db.core.clock import OFFICE_TZ
from db.core.connect import Connection
from seeds.demo import SEEDER, NoDemoGrids, fetch_grids
from seeds.demo_records import uuid4_from_bits
from seeds.dice import Dice
from seeds.names import HAN_SURNAMES, MALE_CHARS

HISTORY_DAYS = 3 * 365 + 1
BULK_PURPOSE = "演示会议 / demo meetings"
# (kind, level of the holding unit, days between meetings: fewest, most); Eid al-Adha
# symposiums follow EID instead.
RHYTHM = (
    ("origin_destination", "city", 330, 395),
    ("member_joint", "city", 150, 182),
    ("member_joint", "district", 120, 215),
    ("representatives", "street", 150, 200),
    ("working", "community", 75, 105),
)
# Eid al-Adha as observed in China, near enough for demo symposiums held the week before.
EID = [date(2023, 6, 29), date(2024, 6, 17), date(2025, 6, 7), date(2026, 5, 27),
       date(2027, 5, 17), date(2028, 5, 5), date(2029, 4, 24), date(2030, 4, 13)]  # fmt: skip
KIND_NAMES = {
    "member_joint": "成员单位联席会议", "origin_destination": "输出地与输入地联席会议",
    "representatives": "民族代表人士座谈会", "eid_symposium": "古尔邦节座谈会",
    "working": "工作例会",
}  # fmt: skip
AGENDAS = {
    "member_joint": ("就业帮扶和子女入学", "清真餐饮规范和居住证办理", "年度工作总结和计划"),
    "origin_destination": ("输出地劳务对接和返乡服务", "矛盾纠纷联调和双向挂职"),
    "representatives": ("听取代表人士意见建议", "民族团结进步宣传"),
    "eid_symposium": ("古尔邦节节日服务保障", "节日期间清真食品供应"),
    "working": ("网格走访情况通报", "三必清信息核查", "矛盾纠纷排查"),
}  # fmt: skip
ITEMS = (
    ("组织少数民族务工人员专场招聘会", "human_resources"),
    ("协调流动人口子女就近入学", "education"),
    ("集中办理居住证", "public_security"),
    ("检查清真餐饮经营规范", "market_regulation"),
    ("走访困难家庭并落实临时救助", "civil_affairs"),
    ("开展民族团结进步宣传", "ethnic_affairs"),
    ("为少数民族商户提供法律咨询", "justice"),
    ("开展流动人口健康义诊", "health"),
    ("协调公租房申请", "housing"),
    ("规范流动摊贩经营点位", "city_management"),
    ("开通返乡购票绿色通道", "railway"),
    ("开展双语政策宣讲", "culture_media"),
)
DEPARTMENTS = ("ethnic_affairs", "public_security", "human_resources", "education",
               "civil_affairs", "market_regulation", "health", "justice", "housing",
               "city_management")  # fmt: skip
PLACES = {"city": "市民宗委会议室", "district": "区民宗局会议室", "street": "街道办会议室",
          "community": "社区党群服务中心"}  # fmt: skip
TITLES = {"city": "主任", "district": "局长", "street": "副主任", "community": "书记"}
NUMERALS = "一二三四五六七八九十"
LAST_STATES = ("approved", "approved", "submitted", "returned", "draft")


@dataclass(frozen=True, slots=True)
class MeetingsSeeded:
    """How many rows the demo meetings wrote."""

    meetings: int
    attendees: int
    action_items: int
    links: int


@dataclass
class _Rows:
    meetings: list[tuple[Any, ...]]
    attendees: list[tuple[Any, ...]]
    items: list[tuple[Any, ...]]
    links: list[tuple[Any, ...]]


MEETING_COLUMNS = ["city_code", "id", "org_code", "kind", "held_on", "starts_at", "place",
                   "chair", "recorder", "agenda", "minutes", "decisions", "status",
                   "submitted_at", "reviewed_at", "reviewed_by", "review_comment",
                   "created_by", "updated_by"]  # fmt: skip
ATTENDEE_COLUMNS = ["city_code", "id", "meeting_id", "org_code", "seq", "attendance",
                    "department_code", "person_id", "name", "created_by", "updated_by"]  # fmt: skip
ITEM_COLUMNS = ["city_code", "id", "meeting_id", "org_code", "seq", "text", "department_code",
                "due_on", "status", "done_on", "closing_note", "closed_in", "created_by",
                "updated_by"]  # fmt: skip
LINK_COLUMNS = ["city_code", "id", "meeting_id", "item_id", "org_code", "person_id",
                "created_by", "updated_by"]  # fmt: skip


def _days(dice: Dice, today: date, low: int, high: int) -> list[date]:
    """Dates `low` to `high` days apart, back from shortly before `today`."""
    start, day, found = today - timedelta(days=HISTORY_DAYS), today, []
    day -= timedelta(days=dice.between(3, high))
    while day >= start:
        found.append(day)
        day -= timedelta(days=dice.between(low, high))
    return sorted(found)


def _schedule(
    dice: Dice, today: date, units: dict[str, list[str]]
) -> Iterator[tuple[str, str, date]]:
    """(kind, unit, date) of every demo meeting, unit by unit, in date order."""
    for kind, level, low, high in RHYTHM:
        for unit in units[level]:
            for day in _days(dice, today, low, high):
                yield kind, unit, day
    start = today - timedelta(days=HISTORY_DAYS)
    for unit in units["street"]:
        for eid in EID:
            day = eid - timedelta(days=dice.between(1, 6))
            if start <= day <= today:
                yield "eid_symposium", unit, day


def _name(dice: Dice) -> str:
    return dice.pick(HAN_SURNAMES) + dice.pick(MALE_CHARS) + dice.pick(MALE_CHARS)


class _Writer:
    """Builds the rows of the demo meetings from one seeded Dice."""

    def __init__(self, dice: Dice, persons: list[tuple[UUID, str]], today: date) -> None:
        self.dice, self.persons, self.today = dice, persons, today
        self.rows = _Rows([], [], [], [])

    def uuid(self) -> UUID:
        return uuid4_from_bits(self.dice.bits(128))

    def people_of(self, unit: str, count: int) -> list[UUID]:
        """`count` different registered persons of `unit`, as many as it has."""
        found = [p for p, org in self.persons if org.startswith(unit)]
        if not found or count == 0:
            return []
        first = self.dice.between(0, len(found) - 1)
        return [found[(first + i) % len(found)] for i in range(min(count, len(found)))]

    def series(self, kind: str, unit: str, days: list[date]) -> None:
        """One unit's meetings of one kind, with items closed at later meetings."""
        ids = [self.uuid() for _ in days]
        level = {4: "city", 6: "district", 9: "street"}.get(len(unit), "community")
        for n, (meeting, day) in enumerate(zip(ids, days, strict=True)):
            last = n == len(days) - 1
            status = self.dice.pick(LAST_STATES) if last else "approved"
            items = self.meeting(meeting, kind, unit, level, day, status)
            for seq, (item_id, text, department) in enumerate(items, start=1):
                self.item(meeting, unit, (seq, item_id, text, department), day, ids[n + 1:],
                          days[n + 1:])  # fmt: skip

    def meeting(self, meeting: UUID, kind: str, unit: str, level: str, day: date,
                status: str) -> list[tuple[UUID, str, str]]:  # fmt: skip
        dice, city = self.dice, unit[:4]
        chair = f"{_name(dice)}{TITLES[level]}"
        agenda = dice.pick(AGENDAS[kind])
        picked = [ITEMS[(dice.between(0, len(ITEMS) - 1) + i * 5) % len(ITEMS)]
                  for i in range(dice.between(1, 4))]  # fmt: skip
        items = [(self.uuid(), text, department) for text, department in picked]
        decisions = "现将议定事项纪要如下：" + "；".join(
            f"{NUMERALS[i]}、{text}" for i, (_, text, _d) in enumerate(items)
        )
        minutes = (f"{day.year}年{day.month}月{day.day}日，{chair}在{PLACES[level]}主持召开"
                   f"{KIND_NAMES[kind]}，研究{agenda}等事项。会上通报了近期少数民族流动人口服务"
                   "管理工作情况，与会单位作了交流发言。")  # fmt: skip
        reviewed = status in ("approved", "returned")
        at = datetime.combine(day, time(17), OFFICE_TZ)
        self.rows.meetings.append((
            city, meeting, unit, kind, day, time(dice.between(8, 15), 30 * dice.between(0, 1)),
            PLACES[level], chair, _name(dice), agenda, minutes if status != "draft" else "",
            decisions, status, at if status != "draft" else None, at if reviewed else None,
            SEEDER if reviewed else None, "请补充请假单位" if status == "returned" else "",
            SEEDER, SEEDER,
        ))  # fmt: skip
        self.attendance(meeting, kind, unit)
        return items

    def attendance(self, meeting: UUID, kind: str, unit: str) -> None:
        dice = self.dice
        lines: list[tuple[str, str | None, UUID | None, str]] = []
        joint = kind in ("member_joint", "origin_destination")
        present = DEPARTMENTS[: dice.between(4, 8)] if joint else DEPARTMENTS[:1]
        lines += [("present", d, None, _name(self.dice)) for d in present]
        if joint:
            lines.append(("apologies", DEPARTMENTS[-1 - dice.between(0, 1)], None, ""))
        lines += [("present", None, p, "") for p in self.people_of(unit, 0 if joint else 4)]
        lines.append(("observer", None, None, "社区民族代表"))
        for seq, (attendance, department, person, name) in enumerate(lines, start=1):
            self.rows.attendees.append((unit[:4], self.uuid(), meeting, unit, seq, attendance,
                                        department, person, name, SEEDER, SEEDER))  # fmt: skip

    def item(self, meeting: UUID, unit: str, agreed: tuple[int, UUID, str, str], day: date,
             later: list[UUID], later_days: list[date]) -> None:  # fmt: skip
        """One action item of `meeting`, closed at one of the `later` meetings or open."""
        dice, (seq, item, text, department) = self.dice, agreed
        status, done_on, note, closed_in = "open", None, "", None
        roll = dice.random()
        step = 0 if roll < 0.7 else 1 if roll < 0.85 else None  # closed at the next, or later
        if step is not None and step < len(later):
            status = "dropped" if dice.chance(0.1) else "done"
            span = max((later_days[step] - day).days - 1, 0)
            done_on = min(day + timedelta(days=1 + dice.between(0, span)), self.today)
            note = "已并入其他工作" if status == "dropped" else "已落实"
            closed_in = later[step]
        due = day + timedelta(days=dice.between(20, 90))
        self.rows.items.append((unit[:4], item, meeting, unit, seq, text, department, due,
                                status, done_on, note, closed_in, SEEDER, SEEDER))  # fmt: skip
        for person in self.people_of(unit, 1 if dice.chance(0.3) else 0):
            self.rows.links.append((unit[:4], self.uuid(), meeting, item, unit, person, SEEDER,
                                    SEEDER))  # fmt: skip


async def _units(conn: Connection) -> dict[str, list[str]]:
    grids = [g.org_code for g in await fetch_grids(conn)]
    if not grids:
        raise NoDemoGrids("no demo grids: run `tongxin seed reference` first")
    return {level: sorted({g[:length] for g in grids})
            for level, length in (("city", 4), ("district", 6), ("street", 9),
                                  ("community", 12))}  # fmt: skip


async def seed_meetings(conn: Connection, *, seed: int, today: date) -> MeetingsSeeded:
    """Write the demo meetings in one transaction, as the operator."""
    units = await _units(conn)
    persons = [(r["id"], r["org_code"]) for r in await conn.fetch(
        "SELECT p.id, p.org_code FROM person p JOIN org_unit o ON o.code = p.org_code "
        "WHERE o.is_demo AND p.status = 'registered' ORDER BY p.org_code, p.id")]  # fmt: skip
    dice = Dice(seed)
    writer = _Writer(dice, persons, today)
    series: dict[tuple[str, str], list[date]] = {}
    for kind, unit, day in _schedule(dice, today, units):
        series.setdefault((kind, unit), []).append(day)
    for (kind, unit), days in series.items():
        writer.series(kind, unit, sorted(days))
    rows = writer.rows
    async with conn.transaction():
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await conn.execute("SELECT set_config('tongxin.bulk_purpose', $1, true)", BULK_PURPOSE)
        for table, columns, records in (
            ("meeting", MEETING_COLUMNS, rows.meetings),
            ("meeting_attendee", ATTENDEE_COLUMNS, rows.attendees),
            ("action_item", ITEM_COLUMNS, rows.items),
            ("action_item_link", LINK_COLUMNS, rows.links),
        ):
            await conn.copy_records_to_table(table, records=records, columns=columns)
    return MeetingsSeeded(len(rows.meetings), len(rows.attendees), len(rows.items),
                          len(rows.links))  # fmt: skip
