"""Translations: English msgids in the code, gettext `.po` catalogues read as text.

Python's gettext wants compiled `.mo` files; we keep no generated binaries in
git, so this module parses the `.po` files itself (strictly: a malformed file
is an error naming its line, never a silently missing translation) and caches
the result. `_()` translates into the current language; `N_()` only marks a
msgid (a binding description, a table header) that is translated later, when
it is shown, so a run-time language switch can re-render it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "tongxin"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_current = DEFAULT_LANGUAGE


class PoError(ValueError):
    """A `.po` catalogue that does not parse; the message names the file and line."""


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)")
_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", '"': '"',
}  # fmt: skip


def _unquote(literal: str, where: str) -> str:
    match = _STRING.fullmatch(literal.strip())
    if match is None:
        raise PoError(f"{where}: expected one quoted string, got {literal.strip()!r}")
    body, out, i = match.group(1), [], 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        escaped = body[i + 1]
        if escaped not in _ESCAPES:
            raise PoError(f"{where}: unknown escape \\{escaped}")
        out.append(_ESCAPES[escaped])
        i += 2
    return "".join(out)


@dataclass
class _Entry:
    line: int
    fuzzy: bool
    fields: dict[str, str] = field(default_factory=dict)
    last: str | None = None  # the keyword a continued string adds to


def _entries(text: str, source: str) -> list[_Entry]:
    entries: list[_Entry] = []
    entry: _Entry | None = None
    fuzzy = False
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{source}:{number}"
        line = raw.strip()
        if not line:
            entry, fuzzy = None, False
            continue
        if line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in {flag.strip() for flag in line[2:].split(",")}
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if entry is None or entry.last is None:
                raise PoError(f"{where}: a continued string outside an entry")
            entry.fields[entry.last] += _unquote(line, where)
            continue
        match = _KEYWORD.fullmatch(line)
        if match is None:
            raise PoError(f"{where}: cannot read {line!r}")
        keyword, rest = match.groups()
        if keyword in ("msgctxt", "msgid_plural") or keyword.startswith("msgstr["):
            raise PoError(f"{where}: {keyword} is not supported in this catalogue")
        if keyword == "msgid" and (entry is None or "msgid" in entry.fields):
            entry, fuzzy = _Entry(number, fuzzy), False
            entries.append(entry)
        if entry is None or keyword in entry.fields:
            raise PoError(f"{where}: {keyword} out of place")
        entry.fields[keyword] = _unquote(rest, where)
        entry.last = keyword
    return entries


def parse_po(text: str, *, source: str = "<po>") -> dict[str, str]:
    """The translations of a `.po` text: msgid → msgstr, without the header,
    untranslated (empty) or fuzzy entries, which gettext would not use either."""
    catalogue: dict[str, str] = {}
    seen: set[str] = set()
    for entry in _entries(text, source):
        where = f"{source}:{entry.line}"
        if "msgstr" not in entry.fields:
            raise PoError(f"{where}: msgid without msgstr")
        msgid, msgstr = entry.fields["msgid"], entry.fields["msgstr"]
        if msgid in seen:
            raise PoError(f"{where}: duplicate msgid {msgid!r}")
        seen.add(msgid)
        if msgid and msgstr and not entry.fuzzy:
            catalogue[msgid] = msgstr
    return catalogue


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """The parsed catalogue of `lang`, read once per process."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    path = catalogue_path(lang)
    return parse_po(path.read_text(encoding="utf-8"), source=str(path))


def set_language(lang: str) -> None:
    """Translate into `lang` from now on (zh_CN or en)."""
    global _current
    catalogue(lang)  # fails here, on a bad language or catalogue, not at the first label
    _current = lang


def _(message: str) -> str:
    """`message` (an English msgid) in the current language."""
    return catalogue(_current).get(message, message)


def N_(message: str) -> str:
    """Mark `message` as a msgid to translate where it is shown; returns it unchanged."""
    return message


def translate_bindings(node: DOMNode) -> None:
    """Show `node`'s key descriptions in the current language.

    The class's BINDINGS hold msgids (marked with `N_`); the node's own binding
    map, which the footer reads, gets translated copies, so the footer follows a
    language switch. Textual keeps both maps private, hence the underscores.
    """
    source = type(node)._merged_bindings
    if source is None:
        return
    node._bindings.key_to_bindings = {
        key: [
            replace(b, description=_(b.description), tooltip=_(b.tooltip) if b.tooltip else "")
            for b in bindings
        ]
        for key, bindings in source.key_to_bindings.items()
    }
