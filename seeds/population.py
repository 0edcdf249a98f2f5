"""The deterministic demo population: persons and their households, in plain Python.

One seeded `random.Random` (inside `Dice`) drives everything, so the same
arguments give the same people. Faker is used once, up front, for a pool of
company names (calling it per person would take minutes for a million).

A million persons are generated per demo load, so the per-person path avoids
method calls, date arithmetic and string formatting where it can: dates,
their ID digits and check-sum parts, county address prefixes and small
number strings are tabulated once; draws index tables with `random()`.
"""

from __future__ import annotations

import uuid
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from db.persons.form import THREE_MUST_KNOW
from db.persons.idcard import CHECK_CHARS, WEIGHTS
from db.persons.pinyin import name_pinyin
from seeds.demo_records import (
    UUID_CLEAR,
    UUID_SET,
    DemoHouseholdMember,
    DemoPerson,
    Division,
    Grid,
    MemberDraft,
    PersonDraft,
    new_object,
    set_slot_value,
    uuid4_from_bits,
)
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
)

PERMITS = ("issued", "none", "applied", "expired")
PERMIT_WEIGHTS = (60, 80, 90, 100)
NOTHING_MISSING: frozenset[str] = frozenset()
STUDENT = "学生"
# Work after which the employer is often not recorded.
LOOSE_WORK = frozenset({"无业", "自由职业", "务工"})
# For grids outside the two pilot cities the profiles have no street names for.
FALLBACK_ROADS = ("人民路", "解放路", "建设路", "和平路", "文化路", "中山路", "新华路", "青年路")
FALLBACK_UNIVERSITIES = ("市职业技术学院", "市师范高等专科学校")
# Common names recur; the readings of this many are kept (a million would take 150 MB).
READINGS_KEPT = 100_000
# Days back from `today` the date tables cover: the oldest person's parents.
DAYS_BACK = 112 * 366

# Counties to draw from and their cumulative weights.
_CountyTable = tuple[tuple[str, ...], tuple[float, ...]]
# ID check-sum part of the region, ID uniqueness key base, address prefix, towns, villages.
_County = tuple[int, int, str, tuple[str, ...], tuple[str, ...]]


@dataclass(slots=True)
class _GridPlace:
    grid: Grid
    prefix: str  # city + district + street, the start of every address here
    roads: tuple[str, ...]
    universities: tuple[str, ...]
    origins: dict[str, _CountyTable]  # by ethnic group, filled on first use


class _Origins:
    """Counties under each origin prefix; what the generator needs of each county."""

    def __init__(self, divisions: Sequence[Division], dice: Dice) -> None:
        self.dice = dice
        self.names = {d.code: d.name for d in divisions}
        counties: dict[str, list[str]] = {}
        for d in divisions:
            if d.level == 3:
                counties.setdefault(d.code[:2], []).append(d.code)
                counties.setdefault(d.code[:4], []).append(d.code)
        self.counties = {prefix: tuple(codes) for prefix, codes in counties.items()}
        self.known: dict[str, _County] = {}

    def under(self, prefix: str) -> tuple[str, ...]:
        """Counties under a province (2 digits) or prefecture (4 digits)."""
        found = self.counties.get(prefix) or self.counties.get(prefix[:2])
        if not found:
            raise ValueError(f"no county under {prefix} in the divisions given")
        return found

    def table(self, origins: Sequence[tuple[str, float]]) -> _CountyTable:
        """One weighted table of counties for weighted province/prefecture prefixes."""
        weights: dict[str, float] = {}
        for prefix, weight in origins:
            counties = self.under(prefix)
            for county in counties:
                weights[county] = weights.get(county, 0.0) + weight / len(counties)
        return tuple(weights), tuple(accumulate(weights.values()))

    def learn(self, county: str) -> _County:
        """Tabulate a county the first time someone comes from it."""
        names = self.names
        province = names.get(county[:2] + "0000", "")
        prefecture = names.get(county[:4] + "00", "")
        if prefecture == province:  # municipalities list no prefecture of their own
            prefecture = ""
        check_sum = sum(int(d) * w for d, w in zip(county, WEIGHTS[:6], strict=True))
        # A county's places recur: a few towns, a dozen villages, made up once.
        pick = self.dice.pick
        towns = tuple(pick(TOWN_PARTS) + pick(TOWN_PARTS) + pick("镇镇乡") for _ in range(4))
        villages = tuple(
            pick(TOWN_PARTS) + pick(TOWN_PARTS) + pick(("村", "村", "社区")) for _ in range(12)
        )
        # Room for 10**8 (days before today * 1000 + sequence number) keys per county.
        key_base = len(self.known) * 100_000_000
        found = (check_sum, key_base, province + prefecture + names[county], towns, villages)
        self.known[county] = found
        return found


def _cumulative(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(k for k, _ in pairs), tuple(accumulate(w for _, w in pairs))


def _company_pool(seed: int) -> tuple[str, ...]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return tuple(sorted({fake.company() for _ in range(600)}))


def _languages(code: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(with Chinese and own language, Chinese only, own language only)."""
    own = PROFILES[code].language
    if own is None:
        return ("zh",), ("zh",), ("zh",)
    return ("zh", own), ("zh",), (own,)


class _Generator:
    def __init__(
        self, seed: int, grids: Sequence[Grid], divisions: Sequence[Division], today: date
    ) -> None:
        self.dice = Dice(seed)
        self.today = today
        self.places = [
            _GridPlace(
                g,
                g.city + g.district + g.street,
                ROADS.get(g.org_code[:4], FALLBACK_ROADS),
                UNIVERSITIES.get(g.org_code[:4], FALLBACK_UNIVERSITIES),
                {},
            )
            for g in grids
        ]
        self.origins = _Origins(divisions, self.dice)
        self.codes, self.code_cum = _cumulative([(c, p.weight) for c, p in PROFILES.items()])
        self.origin_tables: dict[tuple[str, str], _CountyTable] = {}
        # Two tables per trade: one with students for the young, one without.
        self.work = {
            trade: (
                _cumulative(COMMON_WORK + extra),
                _cumulative([(k, w) for k, w in COMMON_WORK + extra if k != STUDENT]),
            )
            for trade, extra in TRADE_WORK.items()
        }
        self.trades = {code: p.trade for code, p in PROFILES.items()}
        self.language_sets = {code: _languages(code) for code in PROFILES}
        self.no_chinese = {code: p.no_chinese_share * 2 for code, p in PROFILES.items()}
        self.speaks_own = {code: 0.1 if p.language == "ar" else 1.0 for code, p in PROFILES.items()}
        self.companies = _company_pool(seed)
        self.readings: dict[str, tuple[str, str]] = {}
        self.issued: set[int] = set()
        self.numbers = tuple(str(i) for i in range(1000))
        self.seqs = tuple(f"{i:03d}" for i in range(1000))
        self.seq_sums = tuple(int(s[0]) * 8 + int(s[1]) * 4 + int(s[2]) * 2 for s in self.seqs)
        # Building, entrance, floor and flat: 号楼 1-30, 单元 1-6, floors 1-28, 4 flats a floor.
        self.flats = tuple(
            f"{building}号楼{entrance}单元{floor}{flat:02d}室"
            for building in range(1, 31)
            for entrance in range(1, 7)
            for floor in range(1, 29)
            for flat in range(1, 5)
        )
        self._tabulate_dates(today)

    def _tabulate_dates(self, today: date) -> None:
        # Everything below indexes dates by how many days before `today` they are.
        last = today.toordinal()
        span = min(DAYS_BACK, last - 1)
        self.dates = tuple(date.fromordinal(last - k) for k in range(span))
        self.ymd = tuple(f"{d:%Y%m%d}" for d in self.dates)
        weights = WEIGHTS[6:14]
        self.date_sums = tuple(
            sum(int(c) * w for c, w in zip(s, weights, strict=True)) for s in self.ymd
        )
        self.ages = tuple(k // 365 for k in range(span))

    def origin_table(self, place: _GridPlace, code: str) -> _CountyTable:
        """Where people of this group come from, never the city's own province."""
        home = place.grid.org_code[:2]
        key = (code, home)
        found = self.origin_tables.get(key)
        if found is None:
            usable = [(p, w) for p, w in PROFILES[code].origins if p[:2] != home]
            found = self.origin_tables[key] = self.origins.table(usable or [("65", 1.0)])
        place.origins[code] = found
        return found

    def run(self, n: int) -> Iterator[tuple[DemoPerson, list[DemoHouseholdMember]]]:
        # Hot loop: everything it touches is bound to a local name first.
        dice = self.dice
        random = dice.random
        bits = dice.rng.getrandbits
        places, n_places = self.places, len(self.places)
        codes, code_cum = self.codes, self.code_cum
        code_total = code_cum[-1]
        origins = self.origins
        known = origins.known
        new_uuid, set_slot, safe = new_object, set_slot_value, uuid.SafeUUID.unknown
        dates, ymd, date_sums = self.dates, self.ymd, self.date_sums
        seqs, seq_sums, numbers = self.seqs, self.seq_sums, self.numbers
        issued, readings = self.issued, self.readings
        trades, work = self.trades, self.work
        language_sets, no_chinese, speaks_own = self.language_sets, self.no_chinese, self.speaks_own
        companies = self.companies
        mobiles, n_mobiles = MOBILE_PREFIXES, len(MOBILE_PREFIXES)
        household = self.household
        flats, n_flats = self.flats, len(self.flats)

        for _ in range(n):
            place = places[int(random() * n_places)]
            grid = place.grid
            code = codes[bisect(code_cum, random() * code_total)]
            sex = 1 if random() < 0.56 else 2

            roll = random()
            if roll < 0.25:
                age = 18 + int(random() * 7)
            elif roll < 0.75:
                age = 25 + int(random() * 21)
            elif roll < 0.95:
                age = 46 + int(random() * 15)
            else:
                age = 61 + int(random() * 12)
            born = age * 365 + int(random() * 365)  # days before today

            counties, cum = place.origins.get(code) or self.origin_table(place, code)
            county = counties[bisect(cum, random() * cum[-1])]
            county_info = known.get(county) or origins.learn(county)
            check_sum, key_base, address_prefix, towns, villages = county_info

            id_number = ""
            partial = check_sum + date_sums[born]
            id_key = key_base + born * 1000
            seq = 2 * int(random() * 500) + (sex == 1)
            for _attempt in range(500):
                if id_key + seq not in issued:
                    issued.add(id_key + seq)
                    check = CHECK_CHARS[(partial + seq_sums[seq]) % 11]
                    id_number = f"{county}{ymd[born]}{seqs[seq]}{check}"
                    break
                seq = (seq + 2) % 1000
            else:
                raise RuntimeError(f"no ID sequence numbers left for {county} {ymd[born]}")

            name = make_name(dice, code, sex)
            reading = readings.get(name)
            if reading is None:
                if len(readings) >= READINGS_KEPT:
                    readings.clear()
                reading = readings[name] = name_pinyin(name)

            if age <= 24 and random() < 0.6:
                occupation = STUDENT
            else:
                kinds, kind_cum = work[trades[code]][age > 24]
                occupation = kinds[bisect(kind_cum, random() * kind_cum[-1])]

            employer: str | None
            if occupation == STUDENT:
                employer = (
                    place.universities[int(random() * len(place.universities))]
                    if random() < 0.9
                    else None
                )
            elif occupation in OWN_BUSINESS:
                road = place.roads[int(random() * len(place.roads))]
                shop = SHOP_NAMES.get(occupation, "商行")
                # 马记清真餐馆, but 扎西顿珠藏餐吧: Tibetan, Mongol, ·-names have no surname.
                no_surname = DOT in name or code in ("02", "04") or len(name) > 3
                owner = name.split(DOT)[0] if no_surname else name[0] + "记"
                employer = f"{owner}{shop}({road}店)"
            elif occupation in LOOSE_WORK and random() < 0.7:
                employer = None
            else:
                employer = companies[int(random() * len(companies))]

            # Arrival: after turning 16, within the last 15 years, before today.
            earliest = min(born - 16 * 365, 15 * 365)
            arrived = earliest - int(earliest * random() ** 0.7)
            if arrived < 180:
                permit = "applied" if random() < 1 / 3 else "none"
            else:
                permit = PERMITS[bisect(PERMIT_WEIGHTS, random() * 100)]

            roll = random()
            if roll < 0.9:
                status, changed = "registered", None
            else:
                status = "moved_out" if roll < 0.95 else "left_city"
                changed = dates[arrived - int(random() * (arrived + 1))]

            both, chinese, own = language_sets[code]
            no_zh = age > 40 and random() < no_chinese[code]
            languages = own if no_zh else (both if random() < speaks_own[code] else chinese)

            phone = (
                None
                if random() < 0.03
                else mobiles[int(random() * n_mobiles)] + str(100_000_000 + int(random() * 1e8))[1:]
            )

            missing = NOTHING_MISSING
            if random() < 0.03:
                missing = frozenset((THREE_MUST_KNOW[int(random() * 3)],))

            if "origin_address" in missing:
                origin_address = ""
            else:
                origin_address = (
                    f"{address_prefix}{towns[int(random() * 4)]}"
                    f"{villages[int(random() * 12)]}{numbers[1 + int(random() * 300)]}号"
                )
            if "current_address" in missing:
                current_address = ""
            else:
                current_address = (
                    f"{place.prefix}{place.roads[int(random() * len(place.roads))]}"
                    f"{numbers[1 + int(random() * 299)]}号{flats[int(random() * n_flats)]}"
                )
            if "occupation" in missing:
                occupation = ""

            person_id = new_uuid(uuid.UUID)
            set_slot(person_id, "int", (bits(128) & UUID_CLEAR) | UUID_SET)
            set_slot(person_id, "is_safe", safe)
            person: DemoPerson = PersonDraft(
                person_id, grid.org_code, name, reading[0], reading[1], sex, code,
                dates[born], id_number, county, origin_address, current_address, occupation,
                employer, phone, dates[arrived], permit, languages, no_zh, status, changed,
                missing,
            )  # fmt: skip
            person.__class__ = DemoPerson
            yield person, household(person, born)

    def household(self, person: DemoPerson, born: int) -> list[DemoHouseholdMember]:
        """Nobody in 60 %; else a spouse, children and/or a parent living with the person."""
        random = self.dice.random
        if random() >= 0.4:
            return []
        age = born // 365
        members: list[DemoHouseholdMember] = []
        if age >= 22:
            spouse = max(born + int(random() * 3651) - 1825, 17 * 365)
            members.append(self.member(person, "spouse", 3 - person.sex, spouse))
        if 22 <= age <= 55:
            oldest = min(age - 20, 17) * 365 + 365
            for _ in range(int(random() * 4)):
                sex = 1 if random() < 0.5 else 2
                members.append(self.member(person, "child", sex, int(random() * oldest)))
        if not members:
            parent = born + 22 * 365 + int(random() * 13 * 365)
            sex = 1 if random() < 0.5 else 2
            members.append(self.member(person, "parent", sex, parent))
        return members

    def member(self, person: DemoPerson, relation: str, sex: int, born: int) -> DemoHouseholdMember:
        dice = self.dice
        if relation == "child":
            name = _child_name(dice, person, sex)
        else:
            name = make_name(dice, person.ethnic_code, sex)
        age = self.ages[born]
        if age < 6:
            school = "preschool"
        elif age <= 15:
            school = "enrolled" if dice.random() < 0.9 else "not_enrolled"
        else:
            school = "n/a"
        member: DemoHouseholdMember = MemberDraft(
            uuid4_from_bits(dice.rng.getrandbits(128)), person.id, person.org_code, name, relation,
            sex, self.dates[born], school,
        )  # fmt: skip
        member.__class__ = DemoHouseholdMember
        return member


def _child_name(dice: Dice, person: DemoPerson, sex: int) -> str:
    if DOT in person.name:
        # Given name · the father's given name.
        given, father = person.name.split(DOT)[:2]
        fathers_given = given if person.sex == 1 else father
        return make_name(dice, person.ethnic_code, sex).split(DOT)[0] + DOT + fathers_given
    if person.ethnic_code in ("04", "02", "18") or len(person.name) > 3:
        return make_name(dice, person.ethnic_code, sex)
    return person.name[0] + han_given(dice, sex)


def generate(
    n: int, seed: int, grids: Sequence[Grid], divisions: Sequence[Division], today: date
) -> Iterator[tuple[DemoPerson, list[DemoHouseholdMember]]]:
    """`n` persons with their households; the same arguments give the same people.

    Persons come from other provinces than their grid's, so `divisions` must
    hold the level-3 counties of the origin provinces (the GB/T 2260 table).
    """
    if not grids:
        raise ValueError("no grids to place people in")
    return _Generator(seed, grids, divisions, today).run(n)
