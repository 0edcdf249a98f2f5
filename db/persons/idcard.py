"""Resident ID numbers (GB 11643-1999): check character, validation, masks.

Region (6) + birth date (8) + sequence (3, odd for men) + check character.
The region is where the number was issued and stays on the card for life,
also after its county is abolished, so only the province is checked strictly.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from operator import mul
from typing import Literal

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)

IdProblem = Literal["length", "characters", "province", "birth_date", "check_digit"]


def check_char(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def make_id(region6: str, birth: date, seq3: int) -> str:
    """The ID number for a region, birth date and sequence number (odd for men)."""
    body = f"{region6}{birth:%Y%m%d}{seq3:03d}"
    return body + check_char(body)


def normalise(value: str) -> str:
    """As typed to as stored: surrounding spaces dropped, a lowercase x made X."""
    return value.strip().upper()


def birth_date_of(id_number: str) -> date:
    """The birth date in a valid ID number."""
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_of(id_number: str) -> int:
    """1 male (odd sequence digit), 2 female (GB/T 2261.1)."""
    return 1 if int(id_number[16]) % 2 else 2


def id_problem(value: str, today: date, known_provinces: Container[str]) -> IdProblem | None:
    """None when `value` is a valid ID number; else which rule it breaks."""
    number = normalise(value)
    if len(number) != 18:
        return "length"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "characters"
    if number[:2] + "0000" not in known_provinces:
        return "province"
    try:
        born = birth_date_of(number)
    except ValueError:
        return "birth_date"
    if not EARLIEST_BIRTH <= born <= today:
        return "birth_date"
    if check_char(number[:17]) != number[17]:
        return "check_digit"
    return None


MASK_SHOWN = 4  # characters of an ID number a mask shows: province and prefecture


def mask_id(id_number: str) -> str:
    """4101**************: what lists, ledgers and exports show.

    Region and birth date are on the record, and the sex gives the parity of the
    17th digit; only the sequence number and the check character are left to hide.
    They stay hidden whole: the 500 sequences of the person's sex are all possible.
    One more character shown would leave 100 (the 17th digit), 50 (another sequence
    digit) or about 45 (the check character, computed from the 17 before it).
    """
    return id_number[:MASK_SHOWN] + "*" * (18 - MASK_SHOWN)


def mask_phone(phone: str) -> str:
    """138****5678 for mobiles; other numbers keep only their last four digits."""
    if len(phone) == 11:
        return phone[:3] + "****" + phone[-4:]
    return "*" * max(len(phone) - 4, 0) + phone[-4:]
