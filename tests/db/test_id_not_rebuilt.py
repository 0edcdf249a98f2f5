"""No role rebuilds a resident ID or phone number from what it may read without a reveal.

The attacker is each role kind in turn, on plain SQL. It reads every column it may
select of every table and view the catalogue lists for it (sealed values and blind
indexes are bytea under keys that live outside the database, so they are left out),
keeps what concerns one sample person (the rows that name the person's id, and the
rows that name those rows), and enumerates the resident ID numbers that agree with
all of it: the place of origin as the region (when the mask allows it), the birth
date, the parity of the 17th digit from the sex, every visible character of any
ID-shaped text, and the check character computed from the 17 digits before it. At
least 100 numbers must remain for every sample person, and at least 100 phone numbers.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import pytest

from db.audit.trail import AccessEvent, record_access
from db.core.migrate import discover, migrate
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.form import FormContext, PersonForm, PersonInput, load_form_reference
from db.persons.idcard import check_char, make_id, mask_id
from db.persons.save import create_person
from db.users import AppUser, RoleKind
from seeds.demo import seed_demo
from seeds.reference import (
    load_departments,
    load_divisions,
    load_ethnic_groups,
    load_org_units,
)
from tests.db.access_fixtures import add_person, demo_grid_codes, new_user

TODAY = date(2026, 11, 1)
BOUND = 100
ROLE_SCOPES: dict[RoleKind, int] = {"grid_worker": 14, "supervisor": 9, "auditor": 6, "admin": 4}
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Anything an ID number could be written as, whole or masked: 18 of digits, X and *.
ID_SHAPED = re.compile(r"(?<![0-9Xx*])[0-9Xx*]{18}(?![0-9Xx*])")

_RELATIONS = """
SELECT format('%I.%I', n.nspname, c.relname) AS name,
       array_agg(quote_ident(a.attname) ORDER BY a.attnum) AS columns
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
   AND a.atttypid <> 'bytea'::regtype
   AND has_column_privilege(c.oid, a.attnum, 'SELECT')
 GROUP BY n.nspname, c.relname
"""


@dataclass(frozen=True, slots=True)
class Known:
    """What a role reads about one person: the record's own columns, and every
    identifier-shaped text of the rows that concern them."""

    origin: str | None
    birth: date
    sex: int
    phone_masked: str | None
    texts: list[str]


async def _everything_readable(conn: asyncpg.Connection) -> tuple[set[str], list[dict[str, Any]]]:
    """The relations the current role may select from, and every row of them as JSON."""
    relations = await conn.fetch(_RELATIONS)
    rows: list[dict[str, Any]] = []
    for relation in relations:
        query = f"SELECT to_jsonb(t)::text FROM (SELECT {', '.join(relation['columns'])} " \
                f"FROM {relation['name']}) AS t"  # fmt: skip
        rows += [
            {"__relation": relation["name"], **json.loads(r[0])} for r in await conn.fetch(query)
        ]
    return {r["name"] for r in relations}, rows


def _scalars(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    elif value is not None:
        yield str(value)


def _concerning(rows: list[dict[str, Any]], person_id: uuid.UUID) -> list[dict[str, Any]]:
    """The rows that name the person, and the rows that name one of those."""
    first = [r for r in rows if str(person_id) in set(_scalars(r))]
    linked = {s for r in first for s in _scalars(r) if UUID_TEXT.match(s)}
    return [r for r in rows if linked & set(_scalars(r))]


def _known(rows: list[dict[str, Any]], person_id: uuid.UUID) -> Known:
    concerning = _concerning(rows, person_id)
    person = next(
        r for r in concerning if r["__relation"] == "public.person" and r["id"] == str(person_id)
    )
    return Known(
        origin=person["origin_division_code"],
        birth=date.fromisoformat(person["birth_date"]),
        sex=person["sex"],
        phone_masked=person["phone_masked"],
        # Record ids are random: a uuid's last group may end in 11 digits, which is
        # no phone number, so they are keys here, not text.
        texts=[s for r in concerning for s in _scalars(r) if not UUID_TEXT.match(s)],
    )


def _agrees(pattern: str, number: str) -> bool:
    return all(p in ("*", n) for p, n in zip(pattern.upper(), number, strict=True))


def id_candidates(known: Known, regions: list[str]) -> list[str]:
    """The ID numbers that agree with everything known, as an attacker enumerates them:
    the origin as the region if the masks allow it, else every division they allow."""
    patterns = [m for text in known.texts for m in ID_SHAPED.findall(text)]
    if known.origin and all(_agrees(p[:6], known.origin) for p in patterns):
        regions = [known.origin]
    else:
        regions = [r for r in regions if all(_agrees(p[:6], r) for p in patterns)]
    found = []
    for region in regions:
        for sequence in range(1 if known.sex == 1 else 0, 1000, 2):
            body = f"{region}{known.birth:%Y%m%d}{sequence:03d}"
            number = body + check_char(body)
            if all(_agrees(p, number) for p in patterns):
                found.append(number)
    return found


def phone_candidates(known: Known) -> int:
    """How many numbers agree with the masked phone and every text of its length
    and shape that concerns the person."""
    masked = known.phone_masked
    assert masked is not None
    shaped = re.compile(rf"(?<![0-9*])[0-9*]{{{len(masked)}}}(?![0-9*])")
    patterns = [m for text in known.texts for m in shaped.findall(text)]
    hidden = 0
    for position in range(len(masked)):
        shown = {p[position] for p in patterns} - {"*"}
        assert len(shown) <= 1, f"texts disagree on digit {position + 1}: {patterns}"
        hidden += not shown
    return 10**hidden


@pytest.fixture
async def people(conn: asyncpg.Connection, keyring: Keyring) -> tuple[str, list[uuid.UUID]]:
    """Demo persons, and one registered through the app (without an occupation, so the
    data-quality ledger lists them) with a visit, a need and an audited open; the
    sample is every person of that person's grid."""
    await seed_demo(conn, keyring, persons=300, seed=5, today=TODAY)
    grid = await conn.fetchval(
        "SELECT org_code FROM person GROUP BY org_code ORDER BY count(*) DESC, org_code LIMIT 1"
    )
    worker = await new_user(conn, "grid_worker", grid)
    registered = await _register(conn, keyring, worker, grid)
    await _visit_with_a_need(conn, grid, registered)
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM person WHERE org_code = $1", grid)]
    return grid, ids


async def _register(
    conn: asyncpg.Connection, keyring: Keyring, worker: AppUser, grid: str
) -> uuid.UUID:
    form = PersonForm(
        name="买买提·艾力", sex="1", ethnic="05", birth_date="1985-03-12",
        id_number=make_id("653101", date(1985, 3, 12), 11), origin="653101",
        origin_address="喀什市某街", current_address="金水区经三路1号", occupation="",
        phone="13812345678", arrival_date="2020-05-01", notes="会说汉语",
    )  # fmt: skip
    data = PersonInput.from_form(form, FormContext(await load_form_reference(conn), TODAY))
    person_id = uuid.uuid4()
    async with acting_as(conn, worker):
        await create_person(conn, keyring, person_id, grid, data)
        event = AccessEvent(action="open", purpose="走访前查看", org_code=grid,
                            city_code=grid[:4], person_id=person_id)  # fmt: skip
        await record_access(conn, event)
    return person_id


async def _visit_with_a_need(conn: asyncpg.Connection, grid: str, person_id: uuid.UUID) -> None:
    visit = uuid.uuid4()
    await conn.execute(
        "INSERT INTO visit (city_code, id, org_code, kind, visited_on, notes) "
        "VALUES ($1, $2, $3, 'home_visit', '2026-10-20', '孩子想转学')",
        grid[:4], visit, grid,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO visit_person (city_code, visit_id, person_id, org_code) "
        "VALUES ($1, $2, $3, $4)",
        grid[:4], visit, person_id, grid,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO assistance_request (city_code, id, org_code, person_id, visit_id, category, "
        "description, raised_on) VALUES ($1, $2, $3, $4, $5, 'schooling', '转学', '2026-10-20')",
        grid[:4], uuid.uuid4(), grid, person_id, visit,
    )  # fmt: skip


@pytest.mark.parametrize("kind", list(ROLE_SCOPES))
async def test_no_role_rebuilds_an_id_or_phone_number(
    conn: asyncpg.Connection,
    other: asyncpg.Connection,
    keyring: Keyring,
    people: tuple[str, list[uuid.UUID]],
    kind: RoleKind,
) -> None:
    grid, sample = people
    user = await new_user(conn, kind, grid[: ROLE_SCOPES[kind]])
    async with acting_as(other, user):
        relations, rows = await _everything_readable(other)
    assert {"public.person", "public.ledger_quality", "public.visit"} <= relations
    regions = sorted({r["code"] for r in rows if r["__relation"] == "public.division"})
    sealed = {
        r["id"]: keyring.decrypt("id_number", r["id_number_enc"])
        for r in await conn.fetch("SELECT id, id_number_enc FROM person WHERE org_code = $1", grid)
    }
    for person_id in sample:
        known = _known(rows, person_id)
        candidates = id_candidates(known, regions)
        assert sealed[person_id] in candidates, "the attacker's model must hold the true number"
        assert len(candidates) >= BOUND, (kind, person_id, len(candidates))
        if known.phone_masked is not None:
            assert phone_candidates(known) >= BOUND, (kind, person_id, known.phone_masked)


async def test_the_migration_remasks_stored_rows_without_the_key(
    empty_dsn: str, keyring: Keyring
) -> None:
    files = discover()
    mine = next(i for i, f in enumerate(files) if f.name.endswith("__identifiers_not_rebuilt.sql"))
    conn = await asyncpg.connect(empty_dsn)
    try:
        await migrate(conn, files[:mine])
        # What a person needs at that version (later reference data needs later tables).
        for load in (load_ethnic_groups, load_divisions, load_org_units, load_departments):
            await load(conn)
        grid = (await demo_grid_codes(conn))[0]
        numbers = {}
        for n in range(3):
            person = await add_person(conn, grid)
            numbers[person] = make_id("410102", date(1990, 1, 1), n)
            await conn.execute(
                "UPDATE person SET id_number_enc = $1, id_number_hmac = $2, "
                "id_number_masked = $3 WHERE id = $4",
                keyring.encrypt("id_number", numbers[person]),
                keyring.blind_index("id_number", numbers[person]),
                numbers[person][:4] + "*" * 10 + numbers[person][-4:],  # the old mask
                person,
            )
        last = await conn.fetchval("SELECT max(id) FROM audit_log")
        await migrate(conn, files)  # no key is given to it
        rows = await conn.fetch("SELECT id, id_number_masked, version FROM person")
        assert {r["id"]: r["id_number_masked"] for r in rows} == {
            person: mask_id(number) for person, number in numbers.items()
        }
        assert {r["version"] for r in rows} == {1}  # an edit under way still saves
        logged = await conn.fetch(
            "SELECT person_id, changes FROM audit_log WHERE id > $1 AND action = 'update'", last
        )
        assert sorted(r["person_id"] for r in logged) == sorted(numbers)
        assert {r["changes"] for r in logged} == {'["id_number_masked"]'}
        # Every writer is held to the form, psql users included.
        with pytest.raises(asyncpg.CheckViolationError, match="id_number_masked"):
            await conn.execute(
                "UPDATE person SET id_number_masked = $1 WHERE id = $2",
                next(iter(numbers.values())), next(iter(numbers)),
            )  # fmt: skip
    finally:
        await conn.close()
