"""The office's calendar: dates are the city's local dates (China Standard Time)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(OFFICE_TZ).date()
