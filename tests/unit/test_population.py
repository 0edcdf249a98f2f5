"""The demo population: valid IDs that agree with the person, coherent origins, determinism."""

from __future__ import annotations

import csv
import dataclasses
import random
import re
import uuid
from collections import Counter
from datetime import date
from importlib import resources

import pytest

from db.persons.idcard import birth_date_of, id_problem, sex_of
from seeds.demo_records import (
    DemoHouseholdMember,
    DemoPerson,
    Division,
    Grid,
    uuid4_from_bits,
)
from seeds.names import DOT
from seeds.population import generate

TODAY = date(2026, 11, 1)
GRIDS = [
    Grid("41010200100101", "和平社区居委会", "林山寨街道", "中原区", "郑州市"),
    Grid("41010400100102", "紫东社区居委会", "西大街街道", "管城回族区", "郑州市"),
    Grid("14040300100101", "和平社区居委会", "东街街道", "潞州区", "长治市"),
]


def _divisions() -> list[Division]:
    text = resources.files("seeds.data").joinpath("divisions_gbt2260_mca_2025-12-31.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return [Division(r["code"], r["name"], int(r["level"]), r["parent_code"] or None) for r in rows]


DIVISIONS = _divisions()
PROVINCES = {d.code for d in DIVISIONS if d.level == 1}
COUNTIES = {d.code for d in DIVISIONS if d.level == 3}
People = list[tuple[DemoPerson, list[DemoHouseholdMember]]]
MINORITIES = {f"{code:02d}" for code in range(2, 57)}
MOBILE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture(scope="module")
def people() -> People:
    return list(generate(20_000, 5, GRIDS, DIVISIONS, TODAY))


def test_every_id_is_valid_and_agrees_with_the_person(people: People) -> None:
    for person, _ in people:
        assert id_problem(person.id_number, TODAY, PROVINCES) is None, person
        assert person.id_number[:6] == person.origin_division_code
        assert person.origin_division_code in COUNTIES
        assert birth_date_of(person.id_number) == person.birth_date
        assert sex_of(person.id_number) == person.sex
        assert person.birth_date < person.arrival_date <= TODAY
    assert len({p.id_number for p, _ in people}) == len(people)


def test_origins_go_with_ethnicity_and_never_the_home_province(people: People) -> None:
    by_group: dict[str, Counter[str]] = {}
    for person, _ in people:
        by_group.setdefault(person.ethnic_code, Counter())[person.origin_division_code[:2]] += 1
        assert person.origin_division_code[:2] != person.org_code[:2]
    assert set(by_group["05"]) == {"65"}  # Uyghur from Xinjiang
    assert set(by_group["04"]) <= {"54", "51", "62", "63", "53"}  # Tibetan areas
    assert by_group["08"].most_common(1)[0][0] == "45"  # Zhuang from Guangxi
    assert set(by_group) == MINORITIES  # all 55 minority groups, and no Han
    assert by_group["03"].total() == max(c.total() for c in by_group.values())  # Hui largest
    assert set(by_group["17"]) == {"65"}  # Kazakh from Xinjiang
    assert by_group["10"].most_common(1)[0][0] == "22"  # Korean from Jilin


def test_hui_from_henan_only_come_to_the_shanxi_grid(people: People) -> None:
    henan_hui = Counter(p.org_code[:2] for p, _ in people if p.ethnic_code == "03" and
                        p.origin_division_code[:2] == "41")  # fmt: skip
    assert henan_hui["14"] > 0
    assert henan_hui["41"] == 0


def test_addresses_agree_with_origin_and_grid(people: People) -> None:
    names = {d.code: d.name for d in DIVISIONS}
    grids = {g.org_code: g for g in GRIDS}
    for person, _ in people:
        county = person.origin_division_code
        if "origin_address" not in person.missing:
            assert person.origin_address.startswith(names[county[:2] + "0000"])
            assert names[county] in person.origin_address
        if "current_address" not in person.missing:
            grid = grids[person.org_code]
            assert person.current_address.startswith(grid.city + grid.district + grid.street)


def test_work_phone_and_papers_look_right(people: People) -> None:
    for person, _ in people:
        age = (TODAY - person.birth_date).days // 365
        assert 18 <= age <= 72
        if person.occupation == "学生":
            assert age <= 24
        assert person.phone is None or MOBILE.fullmatch(person.phone)
        assert person.residence_permit in {"none", "applied", "issued", "expired"}
        assert person.status in {"registered", "moved_out", "left_city"}
        assert (person.status == "registered") == (person.status_changed_on is None)
        assert "zh" in person.languages or person.interpreter_needed
    statuses = Counter(p.status for p, _ in people)
    assert 0.85 < statuses["registered"] / len(people) < 0.95
    assert any(p.employer is None for p, _ in people)
    assert any(p.interpreter_needed for p, _ in people if p.ethnic_code == "05")


def test_names_look_like_the_peoples_own(people: People) -> None:
    uyghur = [p.name for p, _ in people if p.ethnic_code == "05"]
    assert all(DOT in name for name in uyghur)
    assert len({name.split(DOT)[0] for name in uyghur}) >= 50
    assert len({p.name for p, _ in people}) > 0.6 * len(people)
    assert all(p.name_pinyin and p.name_initials for p, _ in people)


def test_households_live_with_the_person_and_children_go_to_school(people: People) -> None:
    members = [m for p, ms in people for m in ms if (m.org_code, m.person_id) == (p.org_code, p.id)]
    assert len(members) == sum(len(ms) for _, ms in people) > 0
    school_age = [
        m
        for m in members
        if m.relation == "child" and 6 <= (TODAY - m.birth_date).days // 365 <= 15
    ]
    assert school_age
    assert {m.school_status for m in school_age} <= {"enrolled", "not_enrolled"}


def test_some_records_miss_a_three_must_know_field(people: People) -> None:
    missing = [p for p, _ in people if p.missing]
    assert 0 < len(missing) < 0.1 * len(people)
    for person in missing:
        for field in person.missing:
            assert getattr(person, field) == ""


def test_records_are_real_frozen_dataclasses(people: People) -> None:
    person, members = next((p, ms) for p, ms in people if ms)
    assert type(person) is DemoPerson
    assert type(members[0]) is DemoHouseholdMember
    assert dataclasses.replace(person) == person
    assert dataclasses.replace(members[0]) == members[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        person.name = "x"  # type: ignore[misc]
    assert person.id.version == 4


def test_uuid4_from_bits_matches_the_checked_constructor() -> None:
    rng = random.Random(3)
    for _ in range(1_000):
        bits = rng.getrandbits(128)
        built = uuid4_from_bits(bits)
        assert built == uuid.UUID(int=bits, version=4)
        assert hash(built) == hash(uuid.UUID(int=bits, version=4))


def test_same_seed_same_people_other_seed_other_people() -> None:
    first = list(generate(1_000, 9, GRIDS, DIVISIONS, TODAY))
    again = list(generate(1_000, 9, GRIDS, DIVISIONS, TODAY))
    other = list(generate(1_000, 10, GRIDS, DIVISIONS, TODAY))
    assert first == again
    assert [p.id for p, _ in first] != [p.id for p, _ in other]
