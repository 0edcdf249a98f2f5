"""Resident ID numbers: check character, validation reasons, masks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.persons.idcard import (
    birth_date_of,
    check_char,
    id_problem,
    make_id,
    mask_id,
    mask_phone,
    sex_of,
)

TODAY = date(2026, 11, 22)
PROVINCES = {"110000", "140000", "410000", "650000"}


@pytest.mark.parametrize(
    "number",
    # Worked by hand from the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
    ["11010519491231002X", "410102199001011234", "140403198805050012", "650102200001010012"],
)
def test_valid_numbers(number: str) -> None:
    assert id_problem(number, TODAY, PROVINCES) is None
    assert check_char(number[:17]) == number[17]


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("41010219900101123", "length"),
        ("4101021990010112377", "length"),
        ("41010219900101123A", "characters"),
        ("4101O2199001011237", "characters"),
        ("990102199001011237", "province"),
        ("410102199002301234", "birth_date"),
        ("410102209901011234", "birth_date"),
        ("410102189901011234", "birth_date"),
        ("410102199001011237", "check_digit"),
    ],
)
def test_each_problem_is_named(number: str, problem: str) -> None:
    assert id_problem(number, TODAY, PROVINCES) == problem


def test_abolished_county_codes_stay_valid_and_lower_x_is_accepted() -> None:
    # 140403 (Luzhou district) is not in every table; only the province is checked.
    luzhou = make_id("140403", date(1985, 3, 1), 15)
    assert id_problem(luzhou, TODAY, PROVINCES) is None
    assert id_problem("11010519491231002x", TODAY, PROVINCES) is None


def test_masks() -> None:
    assert mask_id("410102199001011234") == "4101**************"
    assert mask_phone("13812345678") == "138****5678"


@given(
    region=st.sampled_from(["110105", "410102", "650102", "140403"]),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    seq=st.integers(0, 999),
)
def test_made_numbers_validate_and_round_trip(region: str, birth: date, seq: int) -> None:
    number = make_id(region, birth, seq)
    assert id_problem(number, TODAY, PROVINCES) is None
    assert birth_date_of(number) == birth
    assert sex_of(number) == (1 if seq % 2 else 2)
