"""Which free text seems to hold an ID or mobile number (and gets a warning before save)."""

from __future__ import annotations

import pytest

from db.persons.free_text import holds_identifier


@pytest.mark.parametrize(
    "text",
    [
        "哥哥的身份证号410102199001011237，在老家",
        "身份证 11010519491231002x",
        "电话13812345678",
        "电话 138 1234 5678 或 138-1234-5678",
        "手机：１３８１２３４５６７８",  # typed in full-width
        "410102 19900101 1237",
    ],
)
def test_an_id_or_mobile_number_is_found(text: str) -> None:
    assert holds_identifier(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "孩子想转学，2024-09-01 开学",
        "身份证号见登记栏 4101**************",
        "网格 41010200300201 的楼长",  # 14 digits: an org code
        "座机 0371-12345678",
        "编号 1381234567890",  # 13 digits: no mobile
        "12345678901",  # 11 digits, but no mobile starts 12
    ],
)
def test_other_text_is_left_alone(text: str) -> None:
    assert not holds_identifier(text)
