"""The registry of persons: lists in keyset pages, and search."""

from __future__ import annotations

from typing import Any

from db.core.connect import Connection, record
from db.keys.crypto import Keyring
from db.persons.models import PageKey, PersonPage, PersonSearch, PersonSummary, SearchKind

_COLUMNS = """
SELECT p.city_code, p.id, p.org_code, o.name AS grid_name, p.name, p.name_pinyin, p.sex,
       e.name_zh AS ethnic_name, p.birth_date, p.id_number_masked, p.phone_masked,
       d.name AS origin_name, p.current_address, p.occupation, p.status
"""
_LOOKUPS = """
  JOIN org_unit o ON o.code = p.org_code
  JOIN ethnic_group e ON e.code = p.ethnic_code
  LEFT JOIN division d ON d.code = p.origin_division_code
"""
_IN_SCOPE = " WHERE p.org_code >= $1 AND p.org_code < $1 || ':'\n"
_SELECT = _COLUMNS + "  FROM person p" + _LOOKUPS + _IN_SCOPE

# $5 is the search value; none of these interpolate user text into SQL.
_FILTERS: dict[SearchKind, str] = {
    "all": " AND $5::text IS NULL",
    "id_number": " AND p.id_number_hmac = ANY($5::bytea[])",
    "initials": (
        " AND (starts_with(p.name_initials, $5::text) OR starts_with(p.name_pinyin, $5::text))"
    ),
    "phone_tail": " AND right(p.phone_masked, 4) = $5::text",
    "name": " AND strpos(p.name, $5::text) > 0",
}

# $7..$9: the list's filters; each is off when NULL (or false).
_NARROW = (
    " AND ($7::text IS NULL OR p.status = $7::text)"
    " AND ($8::text IS NULL OR p.ethnic_code = $8::text)"
    " AND (NOT $9::boolean OR p.origin_address = '' OR p.current_address = ''"
    " OR p.occupation = '')"
)

_AFTER = " AND (p.org_code, p.name_pinyin, p.id) > ($2::text, $3::text, $4::uuid)"
_BEFORE = " AND (p.org_code, p.name_pinyin, p.id) < ($2::text, $3::text, $4::uuid)"
_FIRST = " AND $2::text IS NULL AND $3::text IS NULL AND $4::uuid IS NULL"
_ASC = " ORDER BY p.org_code, p.name_pinyin, p.id LIMIT $6"
_DESC = " ORDER BY p.org_code DESC, p.name_pinyin DESC, p.id DESC LIMIT $6"

# Name parts and reading prefixes walk indexes of sql/V006 in the registry order
# of the scope and stop after the page (see _walked). Prefixes are spelled as
# ranges: a generic plan (asyncpg prepares statements) can bound an index scan
# by them, where it cannot derive bounds from starts_with. The page of person
# rows is cut first and its names looked up per row: joined, with a single row
# expected, the look-ups were planned as scans of org_unit and division for
# every row (80 ms).
_PERSON = """
SELECT p.city_code, p.id, p.org_code, p.name, p.name_pinyin, p.sex, p.ethnic_code, p.birth_date,
       p.id_number_masked, p.phone_masked, p.origin_division_code, p.current_address,
       p.occupation, p.status
"""
_LOOKED_UP = """
SELECT p.city_code, p.id, p.org_code, (SELECT o.name FROM org_unit o WHERE o.code = p.org_code)
       AS grid_name, p.name, p.name_pinyin, p.sex,
       (SELECT e.name_zh FROM ethnic_group e WHERE e.code = p.ethnic_code) AS ethnic_name,
       p.birth_date, p.id_number_masked, p.phone_masked,
       (SELECT d.name FROM division d WHERE d.code = p.origin_division_code) AS origin_name,
       p.current_address, p.occupation, p.status
"""

# Name parts: the name suffixes whose head is the text's first character ($10)
# and whose tail starts with the rest ($11, below $12), one row per person. The
# person row is checked again with the scan's own predicate: exact also where
# the range is wider than the prefix (see _index_args), and a suffix table that
# fell behind could only miss rows, never add any.
_SUFFIXES = """  FROM (SELECT DISTINCT ON (s.org_code, s.name_pinyin, s.id)
               s.city_code, s.id, s.org_code, s.name_pinyin
          FROM person_name_suffix s
         WHERE s.head = $10::text AND s.org_code >= $1 AND s.org_code < $1 || ':'"""
_TAIL_RANGE = " AND s.tail >= $11::text AND s.tail < $12::text"
_SUFFIX_AFTER = " AND (s.org_code, s.name_pinyin, s.id) > ($2::text, $3::text, $4::uuid)"
_SUFFIX_BEFORE = " AND (s.org_code, s.name_pinyin, s.id) < ($2::text, $3::text, $4::uuid)"
_SUFFIX_ASC = " ORDER BY s.org_code, s.name_pinyin, s.id) h"
_SUFFIX_DESC = " ORDER BY s.org_code DESC, s.name_pinyin DESC, s.id DESC) h"
_SUFFIX_PERSON = """
  JOIN person p ON p.city_code = h.city_code AND p.id = h.id
   AND p.org_code = h.org_code AND p.name_pinyin = h.name_pinyin
"""

# Reading prefixes of two letters or more: rows whose reading, or whose initials,
# start with the text's first two letters ($10) and lie in [$5, $11).
_PAIR_ARMS = (
    " AND p.reading_pair = $10::text AND p.name_pinyin >= $5::text AND p.name_pinyin < $11::text",
    " AND p.initials_pair = $10::text"
    " AND p.name_initials >= $5::text AND p.name_initials < $11::text",
)
# A single letter ($10): rows whose reading and initials both start with it, and
# the rows whose first letters differ (''), which only writers other than
# db.persons.pinyin make.
_LETTER_ARMS = (" AND p.name_letter = $10::text", " AND p.name_letter = ''" + _FILTERS["initials"])


def _search_value(search: PersonSearch, keyring: Keyring | None) -> Any:
    kind = search.kind
    if kind == "id_number":
        if keyring is None:
            raise ValueError("searching by ID number needs the key file")
        return keyring.blind_indexes("id_number", search.text)
    if kind == "initials":
        return search.text.lower()
    return search.text or None


def _prefix_end(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix`, if there is one.

    In code point order, which is the byte order of UTF-8 and so of COLLATE "C".
    """
    chars = list(prefix)
    while chars:
        code = ord(chars.pop()) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates are not characters
            code = 0xE000
        if code <= 0x10FFFF:
            return "".join(chars) + chr(code)
    return None


# Above every tail: a name has at most 60 characters besides spaces (V001).
_TAIL_MAX = "\U0010ffff" * 61


def _index_args(kind: SearchKind, value: str) -> list[str]:
    """$10.. of a search that walks an index of sql/V006."""
    if kind == "name":
        # Always a range, so one statement serves every text: a single character's
        # empty rest spans all tails, and so does a rest without an end of its own.
        rest = value[1:]
        return [value[:1], rest, _prefix_end(rest) or _TAIL_MAX]
    end = _prefix_end(value)
    if end is None:  # initials are ASCII letters (PersonSearch): their range ends
        raise ValueError(f"no end to the range of initials {value!r}")
    return [value] if len(value) == 1 else [value[:2], end]


def _page_sql(kind: SearchKind, *, first: bool, backwards: bool, index_args: int = 0) -> str:
    order = _DESC if backwards else _ASC
    position = _FIRST if first else (_BEFORE if backwards else _AFTER)
    if kind == "initials":
        where = _IN_SCOPE + _NARROW + position
        chosen = _LETTER_ARMS if index_args == 1 else _PAIR_ARMS
        arms = ["(" + _PERSON + "  FROM person p" + where + arm + order + ")" for arm in chosen]
        return _LOOKED_UP + "  FROM (" + "\nUNION ".join(arms) + ") p\n" + order
    if kind == "name":
        walk = _SUFFIXES + _TAIL_RANGE
        if not first:
            walk += _SUFFIX_BEFORE if backwards else _SUFFIX_AFTER
        walk += _SUFFIX_DESC if backwards else _SUFFIX_ASC
        page = _SUFFIX_PERSON + _IN_SCOPE + _FILTERS[kind] + _NARROW + position + order
        return _LOOKED_UP + "  FROM (" + _PERSON + walk + page + ") p\n" + order
    return _SELECT + _FILTERS[kind] + _NARROW + position + order


async def _walked(conn: Connection, sql: str, args: list[Any]) -> list[Any]:
    """The rows of a search that walks an index of sql/V006, planned without sorts.

    Under row-level security the planner expects a tiny share of the scope to
    match (the policy's bounds are unknown when it plans), and for a page of a
    common character or letter it would then read every match and sort it (16
    to 240 ms measured, by turns in custom and generic plans) instead of walking
    the index in order and stopping after the page (1 to 6 ms). set_config(...,
    true) lasts to the end of the transaction, so the old value is put back.
    """
    if not conn.is_in_transaction():
        async with conn.transaction():
            await conn.execute("SELECT set_config('enable_sort', 'off', true)")
            return list(await conn.fetch(sql, *args))
    was = await conn.fetchval(
        "SELECT set_config('enable_sort', 'off', true), was "
        "FROM (SELECT current_setting('enable_sort') AS was OFFSET 0) AS before",
        column=1,
    )
    rows = await conn.fetch(sql, *args)
    await conn.execute("SELECT set_config('enable_sort', $1, true)", was)
    return list(rows)


async def list_page(
    conn: Connection,
    search: PersonSearch,
    *,
    keyring: Keyring | None = None,
    after: PageKey | None = None,
    before: PageKey | None = None,
    limit: int = 50,
) -> PersonPage:
    """One page of persons in `search.scope`, after or before a key (or the first page)."""
    backwards = before is not None
    key = before if backwards else after
    value = _search_value(search, keyring)
    args: list[Any] = [
        search.scope,
        key.org_code if key else None,
        key.name_pinyin if key else None,
        key.id if key else None,
    ]
    args += [value, limit + 1]
    args += [search.status, search.ethnic_code, search.missing_only]
    indexed = _index_args(search.kind, value) if search.kind in ("name", "initials") else []
    args += indexed
    sql = _page_sql(search.kind, first=key is None, backwards=backwards, index_args=len(indexed))
    rows = await (_walked(conn, sql, args) if indexed else conn.fetch(sql, *args))
    items = [PersonSummary.model_validate(record(r)) for r in rows[:limit]]
    more = len(rows) > limit
    if backwards:
        items.reverse()
        return PersonPage(rows=items, has_before=more, has_after=True)
    return PersonPage(rows=items, has_before=key is not None, has_after=more)


async def ethnic_groups(conn: Connection) -> list[tuple[str, str]]:
    """(code, Chinese name) of every ethnic group, for the list's filter."""
    rows = await conn.fetch("SELECT code, name_zh FROM ethnic_group ORDER BY code")
    return [(r["code"], r["name_zh"]) for r in rows]


async def communities_in(conn: Connection, scope: str) -> list[tuple[str, str]]:
    """(code, name) of the communities in (or above) a scope, for the list's filter."""
    rows = await conn.fetch(
        "SELECT code, name FROM org_unit WHERE level = 'community' "
        "AND code >= left($1, 12) AND code < left($1, 12) || ':' ORDER BY code",
        scope,
    )
    return [(r["code"], r["name"]) for r in rows]


async def count_in_scope(conn: Connection, scope: str) -> int:
    """How many persons the scope holds (for the status line)."""
    value = await conn.fetchval(
        "SELECT count(*) FROM person WHERE org_code >= $1 AND org_code < $1 || ':'", scope
    )
    return int(value)
