"""The deterministic demo population: persons and their households, in plain Python.

One `random.Random(seed)` drives everything, so the same arguments give the
same people. Faker is used once, up front, for a pool of company names
(calling it per person would take minutes for a million).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from db.idcard import make_id
from db.pinyin import name_pinyin
from seeds.dice import Dice
from seeds.names import DOT, han_given, make_name
from seeds.profiles import (
    COMMON_WORK,
    MOBILE_PREFIXES,
    OWN_BUSINESS,
    PROFILES,
    ROADS,
    SHOP_NAMES,
    TOWN_PARTS,
    TRADE_WORK,
    UNIVERSITIES,
    Profile,
)

THREE_MUST_KNOW = ("origin_address", "current_address", "occupation")
PERMITS = ("issued", "none", "applied", "expired")
PERMIT_WEIGHTS = (60, 80, 90, 100)
NOTHING_MISSING: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Grid:
    """A demo grid people live in, with the names of the units above it."""

    org_code: str
    community: str
    street: str
    district: str
    city: str


@dataclass(frozen=True, slots=True)
class Division:
    """A GB/T 2260 division (level 1 province, 2 prefecture, 3 county)."""

    code: str
    name: str
    level: int
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """One generated person; identifiers in plain text (the loader encrypts them)."""

    id: uuid.UUID
    org_code: str
    name: str
    name_pinyin: str
    name_initials: str
    sex: int
    ethnic_code: str
    birth_date: date
    id_number: str
    origin_division_code: str
    origin_address: str
    current_address: str
    occupation: str
    employer: str
    phone: str | None
    arrival_date: date
    residence_permit: str
    languages: tuple[str, ...]
    interpreter_needed: bool
    status: str
    status_changed_on: date | None
    missing: frozenset[str]


@dataclass(frozen=True, slots=True)
class DemoHouseholdMember:
    """Someone living with a person: spouse, child, parent."""

    id: uuid.UUID
    person_id: uuid.UUID
    org_code: str
    name: str
    relation: str
    sex: int
    birth_date: date
    school_status: str


class _Places:
    """Counties under each origin prefix, and division names, looked up once."""

    def __init__(self, divisions: Sequence[Division]) -> None:
        self.names = {d.code: d.name for d in divisions}
        self.counties: dict[str, list[str]] = {}
        for d in divisions:
            if d.level == 3:
                self.counties.setdefault(d.code[:2], []).append(d.code)
                self.counties.setdefault(d.code[:4], []).append(d.code)

    def county_under(self, rng: Dice, prefix: str) -> str:
        return rng.pick(self.counties.get(prefix) or self.counties[prefix[:2]])

    def address(self, rng: Dice, county: str) -> str:
        province = self.names.get(county[:2] + "0000", "")
        prefecture = self.names.get(county[:4] + "00", "")
        town = rng.pick(TOWN_PARTS) + rng.pick(TOWN_PARTS) + rng.pick("镇乡")
        village = rng.pick(TOWN_PARTS) + rng.pick(TOWN_PARTS) + "村"
        return f"{province}{prefecture}{self.names[county]}{town}{village}{rng.between(1, 300)}号"


def _cumulative(pairs: Sequence[tuple[str, float]]) -> tuple[list[str], list[float]]:
    return [k for k, _ in pairs], list(accumulate(w for _, w in pairs))


class _Generator:
    def __init__(
        self, seed: int, grids: Sequence[Grid], divisions: Sequence[Division], today: date
    ):
        self.rng = Dice(seed)
        self.grids = list(grids)
        self.places = _Places(divisions)
        self.today = today
        self.issued: set[int] = set()
        self.ethnic_codes, self.ethnic_cum = _cumulative(
            [(code, p.weight) for code, p in PROFILES.items()]
        )
        self.work = {trade: _cumulative(COMMON_WORK + extra) for trade, extra in TRADE_WORK.items()}
        self.companies = _company_pool(seed)
        self._origins: dict[tuple[str, str], tuple[list[str], list[float]]] = {}
        self._readings: dict[str, tuple[str, str]] = {}

    def origins(self, code: str, home_province: str) -> tuple[list[str], list[float]]:
        """Where people of this group come from, never the city's own province."""
        key = (code, home_province)
        if key not in self._origins:
            usable = [(p, w) for p, w in PROFILES[code].origins if p[:2] != home_province]
            self._origins[key] = _cumulative(usable or [("65", 1.0)])
        return self._origins[key]

    def person(self) -> tuple[DemoPerson, list[DemoHouseholdMember]]:
        rng = self.rng
        grid = rng.pick(self.grids)
        code = rng.weighted(self.ethnic_codes, self.ethnic_cum)
        profile = PROFILES[code]
        sex = 1 if rng.chance(0.56) else 2
        age = _age(rng)
        birth = self.today - timedelta(days=age * 365 + rng.between(0, 364))
        prefixes, cum = self.origins(code, grid.org_code[:2])
        county = self.places.county_under(rng, rng.weighted(prefixes, cum))
        name = make_name(rng, code, sex)
        reading, initials = self.reading(name)
        occupation = self.occupation(profile, age)
        arrival = self.arrival(birth)
        person_id = uuid.UUID(int=rng.bits(128), version=4)
        languages, interpreter = _languages(rng, profile, age)
        status, changed = self.status(arrival)
        missing = _missing(rng)
        person = DemoPerson(
            id=person_id, org_code=grid.org_code, name=name, name_pinyin=reading,
            name_initials=initials, sex=sex, ethnic_code=code, birth_date=birth,
            id_number=self.id_number(county, birth, sex), origin_division_code=county,
            origin_address="" if "origin_address" in missing else self.places.address(rng, county),
            current_address="" if "current_address" in missing else _home(rng, grid),
            occupation="" if "occupation" in missing else occupation,
            employer=self.employer(occupation, grid, name), phone=_phone(rng),
            arrival_date=arrival, residence_permit=self.permit(arrival), languages=languages,
            interpreter_needed=interpreter, status=status, status_changed_on=changed,
            missing=missing,
        )  # fmt: skip
        return person, self.household(person)

    def reading(self, name: str) -> tuple[str, str]:
        # Names repeat across a million people; reading each once saves a third of the time.
        found = self._readings.get(name)
        if found is None:
            found = self._readings[name] = name_pinyin(name)
        return found

    def id_number(self, county: str, birth: date, sex: int) -> str:
        seq = 2 * self.rng.between(0, 499) + (1 if sex == 1 else 0)
        while True:
            number = make_id(county, birth, seq % 1000)
            key = int(number[:17])
            if key not in self.issued:
                self.issued.add(key)
                return number
            seq += 2

    def occupation(self, profile: Profile, age: int) -> str:
        if age <= 23 and self.rng.chance(0.6):
            return "学生"
        kinds, cum = self.work[profile.trade]
        return self.rng.weighted(kinds, cum)

    def employer(self, occupation: str, grid: Grid, name: str) -> str:
        rng = self.rng
        if occupation in ("无业", "自由职业", "务工") and rng.chance(0.7):
            return ""
        if occupation == "学生":
            return rng.pick(UNIVERSITIES[grid.org_code[:4]])
        if occupation in OWN_BUSINESS:
            shop = SHOP_NAMES.get(occupation, "商行")
            road = rng.pick(ROADS[grid.org_code[:4]])
            return f"{name.split(DOT)[0][:1]}记{shop}({road}店)"
        return rng.pick(self.companies)

    def arrival(self, birth: date) -> date:
        earliest = max(birth + timedelta(days=16 * 365), self.today - timedelta(days=15 * 365))
        if earliest >= self.today:
            earliest = birth + timedelta(days=1)
        span = (self.today - earliest).days
        return earliest + timedelta(days=int(span * self.rng.random() ** 0.7))

    def permit(self, arrival: date) -> str:
        if (self.today - arrival).days < 180:
            return self.rng.pick(("none", "none", "applied"))
        return self.rng.weighted(PERMITS, PERMIT_WEIGHTS)

    def status(self, arrival: date) -> tuple[str, date | None]:
        roll = self.rng.random()
        if roll < 0.9:
            return "registered", None
        span = max((self.today - arrival).days, 0)
        changed = arrival + timedelta(days=self.rng.between(0, span))
        return ("moved_out" if roll < 0.95 else "left_city"), changed

    def household(self, person: DemoPerson) -> list[DemoHouseholdMember]:
        rng = self.rng
        if not rng.chance(0.4):
            return []
        age = (self.today - person.birth_date).days // 365
        members: list[DemoHouseholdMember] = []
        if age >= 22:
            spouse_sex = 3 - person.sex
            spouse_birth = person.birth_date + timedelta(days=rng.between(-5 * 365, 5 * 365))
            members.append(self.member(person, "spouse", spouse_sex, spouse_birth))
        for _ in range(rng.between(0, 3) if 22 <= age <= 55 else 0):
            child_age_days = rng.between(0, min(age - 20, 17) * 365 + 364)
            child_birth = self.today - timedelta(days=child_age_days)
            members.append(self.member(person, "child", rng.pick((1, 2)), child_birth))
        if not members:
            parent_birth = person.birth_date - timedelta(days=rng.between(22 * 365, 35 * 365))
            members.append(self.member(person, "parent", rng.pick((1, 2)), parent_birth))
        return members

    def member(
        self, person: DemoPerson, relation: str, sex: int, birth: date
    ) -> DemoHouseholdMember:
        rng = self.rng
        if relation == "child":
            name = _child_name(rng, person, sex)
        else:
            name = make_name(rng, person.ethnic_code, sex)
        return DemoHouseholdMember(
            id=uuid.UUID(int=rng.bits(128), version=4), person_id=person.id,
            org_code=person.org_code, name=name, relation=relation, sex=sex,
            birth_date=min(birth, self.today), school_status=_schooling(rng, birth, self.today),
        )  # fmt: skip


def _company_pool(seed: int) -> list[str]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return sorted({fake.company() for _ in range(600)})


def _age(rng: Dice) -> int:
    roll = rng.random()
    if roll < 0.25:
        return rng.between(18, 24)
    if roll < 0.75:
        return rng.between(25, 45)
    if roll < 0.95:
        return rng.between(46, 60)
    return rng.between(61, 72)


def _languages(rng: Dice, profile: Profile, age: int) -> tuple[tuple[str, ...], bool]:
    if profile.language is None:
        return ("zh",), False
    speaks_own = profile.language != "ar" or rng.chance(0.1)
    no_chinese = age > 40 and rng.chance(profile.no_chinese_share * 2)
    languages = tuple(
        lang for lang, keep in (("zh", not no_chinese), (profile.language, speaks_own)) if keep
    )
    return languages or ("zh",), no_chinese


def _missing(rng: Dice) -> frozenset[str]:
    if not rng.chance(0.03):
        return NOTHING_MISSING
    return frozenset({rng.pick(THREE_MUST_KNOW)})


def _home(rng: Dice, grid: Grid) -> str:
    road = rng.pick(ROADS[grid.org_code[:4]])
    room = f"{rng.between(1, 28)}{rng.between(1, 4):02d}"
    return (
        f"{grid.city}{grid.district}{road}{rng.between(1, 299)}号"
        f"{rng.between(1, 30)}号楼{rng.between(1, 6)}单元{room}室"
    )


def _phone(rng: Dice) -> str | None:
    if rng.chance(0.03):
        return None
    return rng.pick(MOBILE_PREFIXES) + f"{int(rng.random() * 100_000_000):08d}"


def _child_name(rng: Dice, person: DemoPerson, sex: int) -> str:
    if DOT in person.name:
        father = person.name.split(DOT)[0] if person.sex == 1 else person.name.split(DOT)[1]
        return make_name(rng, person.ethnic_code, sex).split(DOT)[0] + DOT + father
    if person.ethnic_code in ("04", "02", "18") or len(person.name) > 3:
        return make_name(rng, person.ethnic_code, sex)
    return person.name[0] + han_given(rng, sex)


def _schooling(rng: Dice, birth: date, today: date) -> str:
    age = (today - birth).days // 365
    if age < 6:
        return "preschool"
    if age <= 15:
        return "enrolled" if rng.chance(0.9) else "not_enrolled"
    return "n/a"


def generate(
    n: int, seed: int, grids: Sequence[Grid], divisions: Sequence[Division], today: date
) -> Iterator[tuple[DemoPerson, list[DemoHouseholdMember]]]:
    """`n` persons with their households; the same arguments give the same people."""
    if not grids:
        raise ValueError("no grids to place people in")
    generator = _Generator(seed, grids, divisions, today)
    for _ in range(n):
        yield generator.person()
