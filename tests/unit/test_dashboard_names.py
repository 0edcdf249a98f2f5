"""The dashboard names at most twelve units a line: a city's hundreds of communities
that have not filed would otherwise fill the screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from db.disputes.months import MonthStatus
from tui.i18n import set_language
from tui.screens.dashboard import _named


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("zh_CN")


def _units(count: int) -> list[MonthStatus]:
    return [
        MonthStatus(city_code="1404", org_code=f"14040300100{n:1X}", unit_name=f"社区{n}",
                    month=date(2026, 11, 1), due_on=date(2026, 12, 20), sweep_id=None,
                    status=None, nil_return=None, filed_at=None, state="due")
        for n in range(count)
    ]  # fmt: skip


@pytest.mark.usefixtures("english")
def test_twelve_are_named_and_the_rest_counted() -> None:
    assert _named(_units(12)) == "、".join(f"社区{n}" for n in range(12))
    assert _named(_units(15)) == "、".join(f"社区{n}" for n in range(12)) + " and 3 more"
