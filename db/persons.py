"""The registry of persons: lists in keyset pages, and search."""

from __future__ import annotations

from typing import Any

from db.connect import Connection, record
from db.crypto import Keyring
from db.models import PageKey, PersonPage, PersonSearch, PersonSummary, SearchKind

_SELECT = """
SELECT p.city_code, p.id, p.org_code, o.name AS grid_name, p.name, p.name_pinyin, p.sex,
       e.name_zh AS ethnic_name, p.birth_date, p.id_number_masked, p.phone_masked,
       d.name AS origin_name, p.current_address, p.occupation, p.status
  FROM person p
  JOIN org_unit o ON o.code = p.org_code
  JOIN ethnic_group e ON e.code = p.ethnic_code
  LEFT JOIN division d ON d.code = p.origin_division_code
 WHERE p.org_code >= $1 AND p.org_code < $1 || ':'
"""

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


def _search_value(search: PersonSearch, keyring: Keyring | None) -> Any:
    kind = search.kind
    if kind == "id_number":
        if keyring is None:
            raise ValueError("searching by ID number needs the key file")
        return keyring.blind_indexes("id_number", search.text)
    if kind == "initials":
        return search.text.lower()
    return search.text or None


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
    position = _FIRST if key is None else (_BEFORE if backwards else _AFTER)
    sql = _SELECT + _FILTERS[search.kind] + _NARROW + position + (_DESC if backwards else _ASC)
    args: list[Any] = [
        search.scope,
        key.org_code if key else None,
        key.name_pinyin if key else None,
        key.id if key else None,
    ]
    args += [_search_value(search, keyring), limit + 1]
    args += [search.status, search.ethnic_code, search.missing_only]
    rows = await conn.fetch(sql, *args)
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
