"""Names in pinyin, for search by reading (zhangsan) and by initials (zs).

pypinyin reads some surnames with their common reading; the surname reading
of the first character is fixed from a small table. A few characters that
transcribed minority names use (阿不都, 满都拉, 阿卜杜拉, 勒格) get their name
reading everywhere. Readings are cached per character: a million names take
about a second instead of fourteen.
"""

from __future__ import annotations

import os
import string
from functools import lru_cache

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
# pypinyin's first reading is wrong for these in personal names, wherever they stand.
NAME_READINGS = {
    "都": "du",  # dou
    "卜": "bu",  # bo
    "勒": "le",  # lei
}
# Separators inside names: the middle dot of Uyghur and other transcribed names
# (and look-alikes typed instead of it), spaces.
SEPARATORS = frozenset("·•‧・.． \u3000")
_ASCII_WORD_CHARS = frozenset(string.ascii_letters + string.digits)


@lru_cache(maxsize=65536)
def _reading(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    if char in NAME_READINGS:
        return NAME_READINGS[char]
    reading = _pypinyin().lazy_pinyin(char, style=_pypinyin().Style.NORMAL, errors="ignore")
    return reading[0].lower() if reading else ""


@lru_cache(maxsize=1)
def _pypinyin():  # type: ignore[no-untyped-def]
    """pypinyin, loaded on the first name read: every app session imports this module,
    few register a person. Names are read a character at a time, so the phrase
    dictionary (about 50 MB and 0.2 s to load) is never needed, nor a copy of the
    character one (we add no readings of our own to it)."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    import pypinyin

    return pypinyin


def _syllables(text: str) -> list[str]:
    if _ASCII_WORD_CHARS.isdisjoint(text):
        return [r for r in map(_reading, text) if r]
    # Latin letters and digits pass through; a run of them counts as one word.
    words: list[str] = []
    latin = ""
    for char in text:
        if char in _ASCII_WORD_CHARS:
            latin += char.lower()
            continue
        if latin:
            words.append(latin)
            latin = ""
        reading = _reading(char)
        if reading:
            words.append(reading)
    if latin:
        words.append(latin)
    return words


def name_pinyin(name: str) -> tuple[str, str]:
    """(full reading without tones or spaces, initials), e.g. 张三 → (zhangsan, zs).

    Separators (·, spaces) are dropped: 买买提·艾力 → (maimaitiaili, mmtal).
    """
    text = name.strip()
    syllables = _syllables(text)
    if text and text[0] in SURNAME_READINGS:
        syllables[0] = SURNAME_READINGS[text[0]]
    return "".join(syllables), "".join([s[0] for s in syllables])
