"""Every wrong box of the person and visit forms, with the exact line its user reads.

Each case is a valid baseline form with one box changed; the line is what the
screen shows for the first problem (`tui.problem_text.say`), in Chinese unless
the table says otherwise. The reference data (provinces, divisions, ethnic
groups) is read once from the migrated template database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import asyncpg
import pytest
from _pytest.mark import ParameterSet
from pydantic import ValidationError

from db.core.problems import Problem, problems_of
from db.persons.form import (
    FormContext,
    FormReference,
    PersonForm,
    PersonInput,
    load_form_reference,
)
from db.persons.idcard import check_char, make_id
from db.visits.form import NeedForm, VisitForm, VisitInput, VisitPerson
from tui import i18n
from tui.problem_text import say

TODAY = date(2026, 11, 24)
BORN = date(1985, 3, 12)
MAN_ID = make_id("653101", BORN, 11)  # 653101198503120111: 17th digit odd
WOMAN_ID = make_id("653101", BORN, 12)  # 17th digit even
MA = VisitPerson(city_code="4101", id=uuid.UUID(int=1), name="马小龙")
AYGUL = VisitPerson(city_code="4101", id=uuid.UUID(int=2), name="阿依古丽·买买提")
STRANGER = uuid.UUID(int=3)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def with_check(first17: str) -> str:
    """An ID number with a right check character around whatever 17 digits are given."""
    return first17 + check_char(first17)


def person(**changes: str) -> PersonForm:
    """The baseline registration, every box valid, with `changes` typed over it."""
    values = {
        "name": "买买提·艾力", "sex": "1", "ethnic": "05", "birth_date": "1985-03-12",
        "id_number": MAN_ID, "origin": "653101", "origin_address": "喀什市某街",
        "current_address": "金水区经三路1号", "occupation": "烤肉摊主",
        "employer": "金水区某餐厅", "phone": "13812345678", "arrival_date": "2020-05-01",
        "residence_permit": "applied", "languages": "ug zh", "notes": "",
    }  # fmt: skip
    return PersonForm(**{**values, **changes})


def need(**changes: Any) -> NeedForm:
    """A valid need of 马小龙's, with `changes`."""
    values = {"id": uuid.UUID(int=100), "person_id": MA.id, "category": "employment",
              "description": "想找餐饮工作", "due_on": "2026-12-31"}  # fmt: skip
    return NeedForm(**{**values, **changes})


def visit(**changes: Any) -> VisitForm:
    """The baseline visit to two persons with one need, with `changes`."""
    values = {"id": uuid.UUID(int=9), "kind": "home_visit", "visited_on": "2026-11-20",
              "place": "经三路1号", "notes": "了解就业和子女上学情况",
              "persons": [MA, AYGUL], "needs": [need()]}  # fmt: skip
    return VisitForm(**{**values, **changes})


def case(
    name: str, form: PersonForm | VisitForm, field: str, line: str, row: int | None = None
) -> ParameterSet:
    return pytest.param(form, field, row, line, id=name)


CASES = [
    # Person: name.
    case("name-empty", person(name=""), "name", "姓名：必填"),
    case("name-blank", person(name="   "), "name", "姓名：必填"),
    case("name-too-long", person(name="买" * 61), "name", "姓名：最多 60 个字（现为 61 个）"),
    case("name-digits", person(name="张三3"), "name",
         "姓名：只能是文字、空格和间隔号 ·（“张三3”不符合）"),
    case("name-symbols", person(name="张三!"), "name",
         "姓名：只能是文字、空格和间隔号 ·（“张三!”不符合）"),
    # Sex.
    case("sex-empty", person(sex=""), "sex", "性别：必填"),
    case("sex-invalid", person(sex="3"), "sex", "性别：请选择男（1）或女（2）"),
    case("sex-female-but-id-male", person(sex="女"), "sex",
         "性别：与身份证号不符（第 17 位为奇数，应为男）"),
    case("sex-male-but-id-female", person(id_number=WOMAN_ID), "sex",
         "性别：与身份证号不符（第 17 位为偶数，应为女）"),
    # Ethnicity.
    case("ethnic-empty", person(ethnic=""), "ethnic_code", "民族：必填"),
    case("ethnic-unknown-code", person(ethnic="99"), "ethnic_code",
         "民族：“99”不是 GB/T 3304 中的民族"),
    case("ethnic-code-and-name-disagree", person(ethnic="05 汉族"), "ethnic_code",
         "民族：代码 05 是维吾尔族，不是“汉族”"),
    case("ethnic-unknown-name", person(ethnic="火星族"), "ethnic_code",
         "民族：“火星族”不是 GB/T 3304 中的民族"),
    # Birth date.
    case("born-empty", person(birth_date=""), "birth_date", "出生日期：必填"),
    case("born-malformed", person(birth_date="1985-3"), "birth_date",
         "出生日期：请按 年-月-日 填写，如 2024-03-01"),
    case("born-impossible", person(birth_date="2023-02-30"), "birth_date",
         "出生日期：2023-02-30 不是日历上存在的日期"),
    case("born-future", person(birth_date="2030-01-01", id_number=""), "birth_date",
         "出生日期：2030-01-01 是将来的日期"),
    case("born-before-1900", person(birth_date="1899-12-31", id_number=""), "birth_date",
         "出生日期：1899-12-31 早于 1900 年"),
    case("born-not-as-id", person(birth_date="1985-03-13"), "birth_date",
         "出生日期：与身份证号不符（身份证号中为 1985-03-12）"),
    # ID number.
    case("id-too-short", person(id_number=MAN_ID[:17]), "id_number",
         "身份证号：应为 18 位（现为 17 位）"),
    case("id-too-long", person(id_number=MAN_ID + "1"), "id_number",
         "身份证号：应为 18 位（现为 19 位）"),
    case("id-letters", person(id_number=MAN_ID[:14] + "AB" + MAN_ID[16:]), "id_number",
         "身份证号：前 17 位须为数字，末位为数字或 X"),
    case("id-x-in-the-middle", person(id_number=MAN_ID[:10] + "X" + MAN_ID[11:]), "id_number",
         "身份证号：前 17 位须为数字，末位为数字或 X"),
    case("id-digit-of-no-use", person(id_number=MAN_ID[:16] + "\U00010a41" + MAN_ID[17]),
         "id_number", "身份证号：前 17 位须为数字，末位为数字或 X"),
    case("id-unknown-province", person(id_number=make_id("990101", BORN, 11)), "id_number",
         "身份证号：开头的 99 不是任何省份的代码"),
    case("id-impossible-birth", person(id_number=with_check("65310119850230011")),
         "id_number", "身份证号：其中的出生日期（19850230）不是日历上存在的日期"),
    case("id-future-birth", person(id_number=make_id("653101", date(2030, 1, 1), 11)),
         "id_number", "身份证号：其中的出生日期（2030-01-01）是将来的日期"),
    case("id-birth-before-1900", person(id_number=make_id("653101", date(1899, 12, 31), 11)),
         "id_number", "身份证号：其中的出生日期（1899-12-31）早于 1900 年"),
    case("id-wrong-check", person(id_number=MAN_ID[:17] + "0"), "id_number",
         "身份证号：校验码应为 1，有数字输错了"),
    # Place of origin.
    case("origin-5-digits", person(origin="65310"), "origin_division_code",
         "来源地：区划代码为 6 位（现为 5 位）"),
    case("origin-unknown-code", person(origin="999999"), "origin_division_code",
         "来源地：999999 不是 GB/T 2260 区划代码"),
    case("origin-unknown-name", person(origin="火星市"), "origin_division_code",
         "来源地：没有叫“火星市”的地方，请输入 6 位区划代码"),
    case("origin-ambiguous-name", person(origin="朝阳区"), "origin_division_code",
         "来源地：“朝阳区”有重名，请输入代码：110105, 220104"),
    # Free text too long.
    case("origin-address-too-long", person(origin_address="街" * 201), "origin_address",
         "来源地地址：最多 200 个字（现为 201 个）"),
    case("current-address-too-long", person(current_address="街" * 201), "current_address",
         "暂住地址：最多 200 个字（现为 201 个）"),
    case("occupation-too-long", person(occupation="工" * 61), "occupation",
         "职业：最多 60 个字（现为 61 个）"),
    case("employer-too-long", person(employer="厂" * 101), "employer",
         "工作单位：最多 100 个字（现为 101 个）"),
    case("notes-too-long", person(notes="记" * 1001), "notes",
         "备注：最多 1000 个字（现为 1001 个）"),
    # Phone.
    case("phone-letters", person(phone="138abcd5678"), "phone",
         "电话：只能填数字，如 13812345678 或 0371-12345678"),
    case("phone-too-short", person(phone="138123"), "phone",
         "电话：手机号为 11 位，以 13–19 开头（现为 138123）"),
    case("phone-12-digits", person(phone="138123456789"), "phone",
         "电话：手机号为 11 位，以 13–19 开头（现为 138123456789）"),
    case("phone-prefix-12", person(phone="12812345678"), "phone",
         "电话：手机号为 11 位，以 13–19 开头（现为 12812345678）"),
    case("phone-no-area-code", person(phone="62345678"), "phone",
         "电话：固定电话请带区号，如 0371-12345678"),
    case("phone-landline-short", person(phone="0371-1234"), "phone",
         "电话：区号加号码应为 10–12 位（现为 8 位）"),
    # Arrival, residence permit, languages.
    case("arrived-malformed", person(arrival_date="2020年5月"), "arrival_date",
         "来市日期：请按 年-月-日 填写，如 2024-03-01"),
    case("arrived-future", person(arrival_date="2027-01-01"), "arrival_date",
         "来市日期：2027-01-01 是将来的日期"),
    case("arrived-before-birth", person(arrival_date="1980-01-01"), "arrival_date",
         "来市日期：不能早于出生日期（1985-03-12）"),
    case("permit-invalid", person(residence_permit="yes"), "residence_permit",
         "居住证：请从列出的选项中选择"),
    case("languages-unknown", person(languages="zh klingon"), "languages",
         "使用语言：不认识“klingon”这种语言，请填如 zh ug bo"),
    # Visit.
    case("visit-kind-invalid", visit(kind="visit"), "kind", "方式：请从列出的方式中选择"),
    case("visit-date-empty", visit(visited_on=""), "visited_on", "日期：必填"),
    case("visit-date-malformed", visit(visited_on="11月20日"), "visited_on",
         "日期：请按 年-月-日 填写，如 2024-03-01"),
    case("visit-date-future", visit(visited_on="2026-11-25"), "visited_on",
         "日期：2026-11-25 是将来的日期"),
    case("visit-date-over-a-year-ago", visit(visited_on="2025-11-23"), "visited_on",
         "日期：2025-11-23 距今已超过一年"),
    case("visit-no-persons", visit(persons=[], needs=[]), "persons",
         "走访对象：请至少添加一人"),
    case("visit-person-twice", visit(persons=[MA, AYGUL, MA]), "persons",
         "走访对象：马小龙 列出了两次"),
    case("visit-place-too-long", visit(place="地" * 201), "place",
         "地点：最多 200 个字（现为 201 个）"),
    case("visit-notes-too-long", visit(notes="记" * 4001), "notes",
         "情况记录：最多 4000 个字（现为 4001 个）"),
    # Needs: the row is the need's number in the list.
    case("need-no-person", visit(needs=[need(), need(person_id=None)]), "person_id",
         "第 2 项诉求 · 诉求人：请选择是谁的诉求", row=2),
    case("need-no-category", visit(needs=[need(category="")]), "category",
         "第 1 项诉求 · 类别：必填", row=1),
    case("need-unknown-category", visit(needs=[need(category="food")]), "category",
         "第 1 项诉求 · 类别：请从列出的类别中选择", row=1),
    case("need-no-description", visit(needs=[need(description="  ")]), "description",
         "第 1 项诉求 · 诉求内容：必填", row=1),
    case("need-description-too-long", visit(needs=[need(description="需" * 1001)]),
         "description", "第 1 项诉求 · 诉求内容：最多 1000 个字（现为 1001 个）", row=1),
    case("need-due-malformed", visit(needs=[need(due_on="2026-13-01")]), "due_on",
         "第 1 项诉求 · 办结期限：2026-13-01 不是日历上存在的日期", row=1),
    case("need-due-before-visit", visit(needs=[need(), need(due_on="2026-11-19")]), "due_on",
         "第 2 项诉求 · 办结期限：早于走访日期（2026-11-20）", row=2),
    case("need-person-not-visited", visit(needs=[need(person_id=STRANGER)]), "person_id",
         "第 1 项诉求 · 诉求人：不在走访对象中", row=1),
]  # fmt: skip

ENGLISH = [
    case("en-born-future", person(birth_date="2030-01-01", id_number=""), "birth_date",
         "Born: 2030-01-01 is in the future"),
    case("en-sex-not-as-id", person(sex="2"), "sex",
         "Sex: the ID number says male (its 17th digit is odd)"),
    case("en-id-wrong-check", person(id_number=MAN_ID[:17] + "0"), "id_number",
         "ID number: the check character should be 1; a digit is mistyped"),
    case("en-origin-ambiguous", person(origin="朝阳区"), "origin_division_code",
         "Place of origin: “朝阳区” is the name of several places; type the code: 110105, 220104"),
    case("en-need-due-before-visit", visit(needs=[need(due_on="2026-11-19")]), "due_on",
         "Need 1 · Due: before the day of the visit (2026-11-20)", row=1),
]  # fmt: skip


@pytest.fixture(scope="module")
async def reference(template_dsn: str) -> FormReference:
    """The reference data, read once; the template is left at once so others can copy it."""
    conn = await asyncpg.connect(template_dsn)
    try:
        return await load_form_reference(conn)
    finally:
        await conn.close()


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[None]:
    """The interface language for one test (parametrised indirectly), then the default."""
    i18n.set_language(getattr(request, "param", "zh_CN"))
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def problems(form: PersonForm | VisitForm, reference: FormReference) -> list[Problem]:
    """The problems the form's check finds, in pydantic's order; [] when it passes."""
    try:
        if isinstance(form, PersonForm):
            PersonInput.from_form(form, FormContext(reference, TODAY))
        else:
            VisitInput.from_form(form, TODAY)
    except ValidationError as error:
        return problems_of(error)
    return []


def test_the_table_is_big_enough() -> None:
    persons = [c for c in CASES if isinstance(c.values[0], PersonForm)]
    assert len(persons) >= 40
    assert len(CASES) - len(persons) >= 10
    assert len({c.id for c in CASES + ENGLISH}) == len(CASES) + len(ENGLISH)


def test_the_baselines_pass(reference: FormReference) -> None:
    assert problems(person(), reference) == []
    assert problems(visit(), reference) == []


@pytest.mark.usefixtures("language")
@pytest.mark.parametrize(("form", "field", "row", "line"), CASES)
def test_the_user_reads(
    reference: FormReference, form: PersonForm | VisitForm, field: str, row: int | None,
    line: str,
) -> None:  # fmt: skip
    assert say(problems(form, reference)[0]) == line


@pytest.mark.parametrize(("form", "field", "row", "line"), CASES + ENGLISH)
def test_only_the_wrong_box_is_named(
    reference: FormReference, form: PersonForm | VisitForm, field: str, row: int | None,
    line: str,
) -> None:  # fmt: skip
    assert [(p.field, p.row) for p in problems(form, reference)] == [(field, row)]


@pytest.mark.parametrize("language", ["en"], indirect=True)
@pytest.mark.parametrize(("form", "field", "row", "line"), ENGLISH)
def test_the_english_user_reads(
    language: None, reference: FormReference, form: PersonForm | VisitForm, field: str,
    row: int | None, line: str,
) -> None:  # fmt: skip
    assert say(problems(form, reference)[0]) == line


def test_full_width_digits_are_read_and_stored_as_ascii(reference: FormReference) -> None:
    # A Chinese input method in full-width mode types these; they are the same number.
    form = person(
        id_number=MAN_ID.translate(FULL_WIDTH), phone="１３８－１２３４－５６７８",
        origin="６５３１０１", ethnic="０５", birth_date="１９８５年３月１２日",
    )  # fmt: skip
    data = PersonInput.from_form(form, FormContext(reference, TODAY))
    assert (data.id_number, data.phone, data.origin_division_code, data.ethnic_code) == (
        MAN_ID, "13812345678", "653101", "05",
    )  # fmt: skip


def test_a_visit_exactly_a_year_ago_is_still_accepted(reference: FormReference) -> None:
    assert problems(visit(visited_on="2025-11-24", needs=[]), reference) == []


@pytest.mark.usefixtures("language")
def test_one_check_names_every_problem_in_the_forms_order(reference: FormReference) -> None:
    # Wrong boxes and disagreements between right ones come in one round, as on paper.
    form = person(name="", sex="女", ethnic="99", phone="123", arrival_date="1980-01-01")
    assert [say(p) for p in problems(form, reference)] == [
        "姓名：必填",
        "性别：与身份证号不符（第 17 位为奇数，应为男）",
        "民族：“99”不是 GB/T 3304 中的民族",
        "电话：手机号为 11 位，以 13–19 开头（现为 123）",
        "来市日期：不能早于出生日期（1985-03-12）",
    ]


def test_every_disagreement_is_named_at_once(reference: FormReference) -> None:
    form = person(sex="2", birth_date="1985-03-13", arrival_date="1985-03-01")
    assert [p.field for p in problems(form, reference)] == ["sex", "birth_date", "arrival_date"]


def test_a_wrong_box_is_not_also_said_to_disagree(reference: FormReference) -> None:
    # The birth date is not on the calendar: nothing can be said of it against the ID
    # or the arrival, but the sex can still be checked against the ID.
    form = person(birth_date="1985-02-30", sex="2", arrival_date="1980-01-01")
    assert [p.field for p in problems(form, reference)] == ["sex", "birth_date"]
