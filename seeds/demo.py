"""Load deterministic demo persons into the demo grids, with COPY.

Identifiers are encrypted and masked exactly as the app stores real ones, so
the demo database holds no plaintext ID or phone number either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any
from uuid import UUID

import asyncpg

from db.core.connect import Connection
from db.core.errors import UserError
from db.keys.check import ensure_keyring
from db.keys.crypto import Keyring
from db.ledgers.counts import counted_at_the_end
from db.persons.idcard import mask_id, mask_phone
from seeds.demo_records import DemoHouseholdMember, DemoPerson, Division, Grid
from seeds.population import generate

if TYPE_CHECKING:
    from seeds.demo_history import HistoryLoaded

BATCH = 20_000

PERSON_COLUMNS = [
    "city_code", "id", "org_code", "name", "name_pinyin", "name_initials", "sex",
    "ethnic_code", "birth_date", "id_number_enc", "id_number_hmac", "id_number_masked",
    "origin_division_code", "origin_address", "current_address", "occupation", "employer",
    "phone_enc", "phone_hmac", "phone_masked", "arrival_date", "residence_permit",
    "languages", "interpreter_needed", "status", "status_changed_on", "created_by",
    "updated_by",
]  # fmt: skip
MEMBER_COLUMNS = [
    "city_code", "id", "person_id", "org_code", "name", "relation", "sex", "birth_date",
    "school_status", "created_by", "updated_by",
]  # fmt: skip
CONSENT_COLUMNS = [
    "city_code", "id", "person_id", "org_code", "basis", "scope", "given_on", "recorded_by",
]  # fmt: skip

# The tables a demo load fills, directly or through person's triggers.
LOADED_TABLES = ("person", "household_member", "consent_record", "person_name_suffix")

SEEDER = "demo_seed"
BULK_PURPOSE = "演示数据 / demo data"
CONSENT_SCOPE = "基础信息登记与服务管理 / registration and services"


@dataclass(frozen=True, slots=True)
class DemoLoaded:
    """How many rows the demo load wrote."""

    persons: int
    household_members: int
    history: HistoryLoaded | None = None  # the casework over them, where it was loaded


class NoDemoGrids(UserError):
    """Reference data (with its demo grids) has not been loaded yet."""


async def fetch_grids(conn: Connection) -> list[Grid]:
    """The demo grids with the names of the units above them."""
    rows = await conn.fetch(
        """
        SELECT g.code, c.name AS community, s.name AS street, d.name AS district, t.name AS city
          FROM org_unit g
          JOIN org_unit c ON c.code = g.parent_code
          JOIN org_unit s ON s.code = c.parent_code
          JOIN org_unit d ON d.code = s.parent_code
          JOIN org_unit t ON t.code = d.parent_code
         WHERE g.level = 'grid' AND g.is_demo
         ORDER BY g.code
        """
    )
    return [Grid(r["code"], r["community"], r["street"], r["district"], r["city"]) for r in rows]


async def fetch_divisions(conn: Connection) -> list[Division]:
    rows = await conn.fetch("SELECT code, name, level, parent_code FROM division ORDER BY code")
    return [Division(r["code"], r["name"], r["level"], r["parent_code"]) for r in rows]


def person_row(p: DemoPerson, keys: Keyring) -> tuple[Any, ...]:
    phone = p.phone
    return (
        p.org_code[:4], p.id, p.org_code, p.name, p.name_pinyin, p.name_initials, p.sex,
        p.ethnic_code, p.birth_date,
        keys.encrypt("id_number", p.id_number), keys.blind_index("id_number", p.id_number),
        mask_id(p.id_number),
        p.origin_division_code, p.origin_address, p.current_address, p.occupation,
        p.employer or "",
        keys.encrypt("phone", phone) if phone else None,
        keys.blind_index("phone", phone) if phone else None,
        mask_phone(phone) if phone else None,
        p.arrival_date, p.residence_permit, list(p.languages), p.interpreter_needed, p.status,
        p.status_changed_on, SEEDER, SEEDER,
    )  # fmt: skip


def _member_row(m: DemoHouseholdMember) -> tuple[Any, ...]:
    return (
        m.org_code[:4], m.id, m.person_id, m.org_code, m.name, m.relation, m.sex,
        m.birth_date, m.school_status, SEEDER, SEEDER,
    )  # fmt: skip


def _consent_row(p: DemoPerson) -> tuple[Any, ...]:
    # The consent id is derived from the person id so reloads stay deterministic.
    consent_id = UUID(int=p.id.int ^ 0xC0C0, version=4)
    return (
        p.org_code[:4], consent_id, p.id, p.org_code, "statutory_duty", CONSENT_SCOPE,
        p.arrival_date, SEEDER,
    )  # fmt: skip


def _batches(
    people: Iterator[tuple[DemoPerson, list[DemoHouseholdMember]]], size: int
) -> Iterator[list[tuple[DemoPerson, list[DemoHouseholdMember]]]]:
    while chunk := list(islice(people, size)):
        yield chunk


async def _copy(conn: Connection, table: str, columns: list[str], rows: Iterable[Any]) -> None:
    await conn.copy_records_to_table(table, records=rows, columns=columns)


async def seed_demo(
    conn: Connection,
    keys: Keyring,
    *,
    persons: int,
    seed: int,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> DemoLoaded:
    """Generate and COPY `persons` demo persons (and their households) in one transaction,
    once the key is checked against the database (or recorded, for a new one)."""
    grids = await fetch_grids(conn)
    if not grids:
        raise NoDemoGrids("no demo grids: run `tongxin seed reference` first")
    divisions = await fetch_divisions(conn)
    people = generate(persons, seed, grids, divisions, today)
    members_total = 0
    async with conn.transaction():
        await ensure_keyring(conn, keys)
        # One audit row per COPY instead of one per person (see sql/V003, V010).
        await conn.execute("SELECT set_config('tongxin.bulk_load', 'on', true)")
        await conn.execute("SELECT set_config('tongxin.bulk_purpose', $1, true)", BULK_PURPOSE)
        await _skip_foreign_key_checks(conn)
        async with _indexes_built_after(conn):
            for chunk in _batches(people, BATCH):
                rows = [person_row(p, keys) for p, _ in chunk]
                await _copy(conn, "person", PERSON_COLUMNS, rows)
                members = [_member_row(m) for _, ms in chunk for m in ms]
                await _copy(conn, "household_member", MEMBER_COLUMNS, members)
                await _copy(
                    conn, "consent_record", CONSENT_COLUMNS, [_consent_row(p) for p, _ in chunk]
                )
                members_total += len(members)
                if progress is not None:
                    progress(len(chunk))
    return DemoLoaded(persons, members_total)


@asynccontextmanager
async def _indexes_built_after(conn: Connection) -> AsyncIterator[None]:
    """Into empty tables, load first and build the indexes once at the end.

    Building an index over the loaded rows is several times faster than keeping it
    up to date row by row. Primary keys and unique constraints are set aside too,
    unless a foreign key leans on them; they are added back at the end, where a
    duplicate fails the whole load. Runs inside the load's transaction: if the load
    fails, what was set aside comes back with the rollback. Tables that already
    hold rows are loaded with their indexes in place.
    """
    empty = await conn.fetchval(
        "SELECT NOT EXISTS (SELECT FROM person) AND NOT EXISTS (SELECT FROM household_member) "
        "AND NOT EXISTS (SELECT FROM consent_record)"
    )
    if not empty:
        yield
        return
    constraints = await conn.fetch(
        "SELECT c.conrelid::regclass::text AS owner, quote_ident(c.conname) AS name, "
        "pg_get_constraintdef(c.oid) AS def FROM pg_constraint c "
        "WHERE c.conrelid = ANY($1::regclass[]) AND c.contype IN ('p', 'u') "
        "AND NOT EXISTS (SELECT FROM pg_constraint f "
        "                WHERE f.contype = 'f' AND f.conindid = c.conindid)",
        list(LOADED_TABLES),
    )
    indexes = await conn.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def "
        "FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        list(LOADED_TABLES),
    )
    for constraint in constraints:
        await conn.execute(
            f"ALTER TABLE {constraint['owner']} DROP CONSTRAINT {constraint['name']}"
        )
    for index in indexes:
        await conn.execute(f"DROP INDEX {index['name']}")
    async with counted_at_the_end(conn):
        yield
    for constraint in constraints:
        await conn.execute(
            f"ALTER TABLE {constraint['owner']} ADD CONSTRAINT {constraint['name']} "
            f"{constraint['def']}"
        )
    for index in indexes:
        await conn.execute(index["def"])


async def _skip_foreign_key_checks(conn: Connection) -> bool:
    """Skip the per-row foreign-key triggers for this transaction, if allowed.

    Every generated row refers only to org units and divisions just read from
    this database, so the three foreign-key lookups per person (two thirds of
    the load time) prove nothing; pg_restore skips them the same way. Needs
    superuser; otherwise the load simply runs with the checks. The audit and
    protection triggers fire ALWAYS, so they run either way (sql/V010).
    """
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
    except asyncpg.InsufficientPrivilegeError:
        return False
    return True
