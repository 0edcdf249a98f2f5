"""A deterministic history of disputes for the demo communities: cases taken in, mediated
and concluded, and each month's sweep filed on time, late, or not at all.

Pure: one seeded `Dice` makes the same history for the same seed, communities, persons
and day; seeds/demo_disputes.py stores it. The history keeps the rules of sql/V012: a
sweep lists the cases taken in during its month (a nil return when there are none) and
re-checks every case still open; a case is submitted once concluded.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from seeds.dice import Dice
from seeds.names import han_style

OFFICE_TZ = ZoneInfo("Asia/Shanghai")
MONTHS = 36
DEADLINE_DAY = 20

KIND_WEIGHTS = (
    ("labour", 25), ("neighbours", 20), ("marriage_family", 12), ("contract", 10),
    ("business", 8), ("housing_land", 5), ("property_management", 5), ("damages", 4),
    ("consumer", 4), ("traffic", 3), ("medical", 2), ("ethnic_religious", 1),
    ("land_requisition", 1), ("other", 2),
)  # fmt: skip
SUMMARIES = {
    "labour": "{a}在{b}处务工，被拖欠工资{n}个月",
    "neighbours": "{a}与邻居{b}因楼道堆物、噪音发生争执",
    "marriage_family": "{a}与配偶因子女抚养问题产生矛盾",
    "contract": "{a}租住{b}的房屋，双方对押金退还有争议",
    "business": "{a}与{b}因摊位转让费发生纠纷",
    "housing_land": "{a}与{b}对房屋界址有争议",
    "property_management": "{a}对物业收费有异议，与物业公司发生争执",
    "damages": "{a}的店铺被{b}装修时损坏，要求赔偿",
    "consumer": "{a}在{b}处购物后要求退货遭拒",
    "traffic": "{a}的电动车与{b}的车辆剐蹭，就赔偿未谈拢",
    "medical": "{a}对诊所的收费和治疗效果有异议",
    "ethnic_religious": "{a}经营的清真餐馆招牌被{b}误改，引起误会",
    "land_requisition": "{a}对租住房屋拆迁后的搬迁补助有疑问",
    "other": "{a}与{b}因琐事发生口角",
}
DEPARTMENT = {
    "labour": "human_resources", "contract": "housing", "business": "market_regulation",
    "housing_land": "housing", "property_management": "housing",
    "consumer": "market_regulation", "traffic": "public_security", "medical": "health",
    "ethnic_religious": "ethnic_affairs", "land_requisition": "housing",
}  # fmt: skip
PLANS = ("约双方到社区调解室面对面协商", "请网格员和民族代表人士共同调解", "联系责任部门协同处理")
MEDIATORS = ("王调解", "李主任", "马阿訇", "张网格", "赵主任")
CONCLUSIONS = {
    "resolved": ("双方达成调解协议，已履行", "签订书面协议，分期履行"),
    "referred": ("已移交劳动仲裁", "引导当事人向人民法院起诉"),
    "closed": ("当事人撤回，双方自行和解", "一方搬离，调解终止"),
}


@dataclass(frozen=True, slots=True)
class DemoParty:
    id: uuid.UUID
    person_id: uuid.UUID | None
    name: str
    role: str
    detail: str


@dataclass(slots=True)
class DemoCase:
    """A case and its timeline; `sweep` is the id of the sweep that found it, if any."""

    id: uuid.UUID
    org_code: str
    kind: str
    summary: str
    opened_on: date
    mediated_on: date | None
    closed_on: date | None
    stage: str
    outcome: str | None
    outcome_note: str
    status: str
    review_comment: str
    escalated_on: date | None
    escalation_note: str
    parties: list[DemoParty]
    sweep: uuid.UUID | None = None

    def stage_on(self, day: date) -> str:
        if self.mediated_on is None or day < self.mediated_on:
            return "open"
        if self.closed_on is None or day < self.closed_on:
            return "mediating"
        return self.stage


@dataclass(frozen=True, slots=True)
class DemoRecheck:
    case_id: uuid.UUID
    checked_on: date
    stage: str
    outcome: str | None
    note: str


@dataclass(slots=True)
class DemoSweep:
    """A month's sweep; `filed_at` None for a draft. A sweep returned once before its
    approval has `returned_before`."""

    id: uuid.UUID
    org_code: str
    month: date
    status: str
    nil_return: bool
    filed_at: datetime | None
    reviewed_at: datetime | None = None
    review_comment: str = ""
    returned_before: bool = False
    rechecks: list[DemoRecheck] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DisputeHistory:
    cases: list[DemoCase]
    sweeps: list[DemoSweep]


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def due_on(month: date) -> date:
    return add_months(month, 1).replace(day=DEADLINE_DAY)


Persons = Mapping[str, Sequence[tuple[uuid.UUID, str]]]  # unit → (id, name) of its persons


class _History:
    def __init__(self, dice: Dice, today: date, persons: Persons) -> None:
        self.dice, self.today, self.persons = dice, today, persons
        self.kinds = [k for k, _ in KIND_WEIGHTS]
        total, self.weights = 0.0, []
        for _, weight in KIND_WEIGHTS:
            total += weight
            self.weights.append(total)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.dice.bits(128), version=4)

    def day_after(self, day: date, low: int, high: int) -> date:
        return min(day + timedelta(days=self.dice.between(low, high)), self.today)

    def case(self, unit: str, month: date) -> DemoCase:
        dice = self.dice
        kind = dice.weighted(self.kinds, self.weights)
        opened = min(month + timedelta(days=dice.between(0, 27)), self.today)
        mediated = None if dice.chance(0.12) else self.day_after(opened, 0, 10)
        if mediated is None and (self.today - opened).days > 30:
            mediated = self.day_after(opened, 5, 15)  # old cases were all taken up
        closed = None if mediated is None else mediated + timedelta(days=dice.between(3, 75))
        if closed is not None and closed > self.today:
            closed = None
        stage, outcome, note = "open" if mediated is None else "mediating", None, ""
        if closed is not None:
            stage = dice.weighted(("resolved", "referred", "closed"), (72, 86, 100))
            outcome = "agreement" if stage == "resolved" or (
                stage == "closed" and dice.chance(0.3)) else "no_agreement"  # fmt: skip
            note = dice.pick(CONCLUSIONS[stage])
        status, comment = self._review(closed)
        escalated = self.day_after(opened, 0, 3) if dice.chance(0.05) else None
        parties = self._parties(unit, kind)
        return DemoCase(
            id=self.uuid(), org_code=unit, kind=kind,
            summary=SUMMARIES[kind].format(a=parties[0].name, b=parties[-1].name,
                                           n=dice.between(2, 6)),
            opened_on=opened, mediated_on=mediated, closed_on=closed, stage=stage,
            outcome=outcome, outcome_note=note, status=status, review_comment=comment,
            escalated_on=escalated,
            escalation_note="涉及人数较多，需街道协调" if escalated else "", parties=parties,
        )  # fmt: skip

    def _review(self, closed: date | None) -> tuple[str, str]:
        """Concluded a while ago: approved; lately: submitted, returned, or still a draft."""
        if closed is None:
            return "draft", ""
        if (self.today - closed).days > 14:
            return "approved", ""
        choice = self.dice.weighted(("submitted", "returned", "draft"), (70, 85, 100))
        return choice, "请附上书面调解协议" if choice == "returned" else ""

    def _parties(self, unit: str, kind: str) -> list[DemoParty]:
        dice, here = self.dice, self.persons.get(unit, ())
        first: DemoParty
        if here:
            person_id, name = dice.pick(here)
            first = DemoParty(self.uuid(), person_id, name, "applicant", "")
        else:
            first = DemoParty(self.uuid(), None, han_style(dice, dice.between(1, 2)), "applicant",
                              "本社区居民")  # fmt: skip
        other = DemoParty(self.uuid(), None, han_style(dice, dice.between(1, 2)), "respondent",
                          "用工方" if kind == "labour" else "")  # fmt: skip
        return [first, other]

    def sweep(self, unit: str, month: date) -> DemoSweep | None:
        """The month's sweep as it stands today: filed on time, late, a draft, or none."""
        dice, due, this_month = self.dice, due_on(month), self.today.replace(day=1)
        status: str | None
        filed: datetime | None
        if month == this_month:
            status, filed = ("draft", None) if dice.chance(0.35) else (None, None)
        elif due >= self.today:  # last month's, still due
            roll = dice.random()
            if roll < 0.5:
                status = dice.weighted(("submitted", "returned"), (80, 100))
                filed = self._filed(add_months(month, 1), self.today)
            else:
                status, filed = ("draft", None) if roll < 0.7 else (None, None)
        else:
            roll = dice.random()
            if roll < 0.86:
                status, filed = "approved", self._filed(add_months(month, 1), due)
            elif roll < 0.94:
                status = "approved"
                filed = self._filed(
                    due + timedelta(days=1), min(due + timedelta(days=12), self.today)
                )
            else:
                status, filed = ("draft", None) if roll < 0.97 else (None, None)
        if status is None:
            return None
        sweep = DemoSweep(self.uuid(), unit, month, status, False, filed)
        if status == "approved" and filed is not None and (self.today - filed.date()).days < 8:
            sweep.status = dice.weighted(("submitted", "returned"), (75, 100))
        elif status == "approved" and dice.chance(0.05):
            sweep.returned_before = True
        if sweep.status == "returned":
            sweep.review_comment = "请补充复查情况"
        if sweep.status in ("approved", "returned") and filed is not None:
            reviewed = filed + timedelta(days=dice.between(1, 6))
            sweep.reviewed_at = min(reviewed, datetime.combine(self.today, time(18), OFFICE_TZ))
        return sweep

    def _filed(self, first: date, last: date) -> datetime:
        day = first + timedelta(days=self.dice.between(0, max((last - first).days, 0)))
        moment = time(self.dice.between(8, 17), self.dice.between(0, 59))
        return datetime.combine(day, moment, OFFICE_TZ)

    def rechecks(self, sweep: DemoSweep, cases: list[DemoCase]) -> list[DemoRecheck]:
        """Every case taken in before the month and not concluded before it; a draft has
        re-checked about half of them."""
        found = []
        for case in cases:
            if case.opened_on >= sweep.month or (case.closed_on and case.closed_on < sweep.month):
                continue
            if sweep.filed_at is None and self.dice.chance(0.5):
                continue
            day = min(sweep.month + timedelta(days=self.dice.between(18, 27)), self.today)
            if sweep.filed_at is not None:
                day = min(day, sweep.filed_at.date())
            day = max(day, case.opened_on)
            stage = case.stage_on(day)
            outcome = case.outcome if stage == case.stage and case.closed_on else None
            note = {"open": "正在了解情况", "mediating": "仍在调解中"}.get(stage, case.outcome_note)
            found.append(DemoRecheck(case.id, day, stage, outcome, note))
        return found


def generate_history(
    seed: int, units: Sequence[str], persons: Persons, today: date
) -> DisputeHistory:
    """Cases and sweeps of each unit (community) for the `MONTHS` months up to `today`;
    `persons` are the registered persons of each unit who may be parties."""
    history = _History(Dice(seed), today, persons)
    dice = history.dice
    cases: list[DemoCase] = []
    sweeps: list[DemoSweep] = []
    first = add_months(today.replace(day=1), -MONTHS)
    for unit in units:
        mine: list[DemoCase] = []
        for n in range(MONTHS + 1):
            month = add_months(first, n)
            new = [
                history.case(unit, month) for _ in range(dice.weighted((0, 1, 2), (55, 90, 100)))
            ]
            new = [c for c in new if c.opened_on >= month]  # today may be early in the month
            sweep = history.sweep(unit, month)
            if sweep is not None:
                sweep.nil_return = not new
                sweep.rechecks = history.rechecks(sweep, mine)
                for case in new:
                    if dice.chance(0.9):
                        case.sweep = sweep.id
                sweeps.append(sweep)
            mine.extend(new)
        cases.extend(mine)
    return DisputeHistory(cases, sweeps)
