"""The catalogues parse, and every msgid in tui/ has a Chinese translation."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from tui import i18n
from tui.i18n import PoError, catalogue, parse_po

TUI = Path(i18n.__file__).resolve().parent
# db/ marks the messages of its validation problems with N_ (db/problems.py).
SOURCES = (TUI, TUI.parent / "db")
MARKERS = {"_", "N_"}


def msgids_in_code() -> dict[str, str]:
    """Every literal passed to `_()` or `N_()` under tui/ and db/, with where it was found."""
    found: dict[str, str] = {}
    for path in sorted(p for source in SOURCES for p in source.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in MARKERS or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.setdefault(arg.value, f"{path.relative_to(TUI.parent)}:{node.lineno}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_code_has_msgids() -> None:
    # Guards the extractor itself: if it found nothing, the next test would pass vacuously.
    ids = msgids_in_code()
    assert "Quit" in ids
    assert "Name" in ids
    assert "{total} persons in scope" in ids
    assert "17 digits, then a digit or X" in ids  # from db/


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_catalogues_parse(lang: str) -> None:
    catalogue.cache_clear()
    assert isinstance(catalogue(lang), dict)


def test_every_msgid_has_a_chinese_translation() -> None:
    zh = catalogue("zh_CN")
    missing = {msgid: where for msgid, where in msgids_in_code().items() if msgid not in zh}
    assert not missing, f"add these to the zh_CN catalogue: {missing}"


def test_translations_keep_their_placeholders() -> None:
    for lang in i18n.LANGUAGES:
        for msgid, msgstr in catalogue(lang).items():
            assert _fields(msgid) == _fields(msgstr), (lang, msgid, msgstr)


def test_no_stale_entries() -> None:
    stale = set(catalogue("zh_CN")) - set(msgids_in_code())
    assert not stale, f"no longer used in tui/ or db/: {sorted(stale)}"


def test_parser_reads_escapes_continuations_and_skips_header_and_fuzzy() -> None:
    text = r"""
# translator comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#: tui/app.py:1
msgid "a \"quoted\"\tand\\"
msgstr "引号\"\n"
"续行"

#, fuzzy, python-format
msgid "fuzzy one"
msgstr "模糊"
msgid "right after, not fuzzy"
msgstr "紧接着"

msgid "untranslated"
msgstr ""
"""
    assert parse_po(text) == {
        'a "quoted"\tand\\': '引号"\n续行',
        "right after, not fuzzy": "紧接着",
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', "duplicate msgid"),
        ('msgid "a"\nmsgstr ""\n\nmsgid "a"\nmsgstr "c"\n', "duplicate msgid"),
        ('msgid "a"\n', "msgid without msgstr"),
        ('msgid "a\\q"\nmsgstr "b"\n', "unknown escape"),
        ('msgid "a"\nmsgstr "b" trailing\n', "expected one quoted string"),
        ('msgstr "b"\n', "out of place"),
        ('"stray"\n', "continued string outside"),
        ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n', "not supported"),
        ('msgid "a"\nmsgstr "b"\nnonsense\n', "cannot read"),
    ],
)
def test_parser_is_strict(text: str, error: str) -> None:
    with pytest.raises(PoError, match=re.escape(error)) as info:
        parse_po(text, source="x.po")
    assert str(info.value).startswith("x.po:")


def test_translation_follows_the_language() -> None:
    try:
        i18n.set_language("en")
        assert i18n._("Name") == "Name"
        i18n.set_language("zh_CN")
        assert i18n._("Name") == "姓名"
        assert i18n._("not in any catalogue") == "not in any catalogue"
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("fr")
