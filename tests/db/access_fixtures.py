"""Helpers for access-control tests: users with unique role names, persons by plain SQL."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

import asyncpg

from db.keys.crypto import Keyring
from db.persons.idcard import mask_id, mask_phone
from db.users import AppUser, RoleKind, add_user

_names = itertools.count()


async def new_user(conn: asyncpg.Connection, kind: RoleKind, org_code: str) -> AppUser:
    """A fresh app user; role names are cluster-wide, so each test gets its own."""
    return await add_user(conn, f"u{next(_names)}_{uuid.uuid4().hex[:6]}", kind, org_code)


async def add_person(conn: asyncpg.Connection, org_code: str, name: str = "马小龙") -> uuid.UUID:
    person_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO person (city_code, id, org_code, name, sex, ethnic_code, birth_date) "
        "VALUES ($1, $2, $3, $4, 1, '03', $5)",
        org_code[:4],
        person_id,
        org_code,
        name,
        date(1990, 1, 1),
    )
    return person_id


async def demo_grid_codes(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch("SELECT code FROM org_unit WHERE level = 'grid' ORDER BY code")
    return [r["code"] for r in rows]


async def give_identifiers(
    conn: asyncpg.Connection, keys: Keyring, person_id: uuid.UUID, id_number: str, phone: str
) -> None:
    """Store an ID and phone number the way the app does: encrypted, indexed, masked."""
    await conn.execute(
        "UPDATE person SET id_number_enc = $1, id_number_hmac = $2, id_number_masked = $3, "
        "phone_enc = $4, phone_hmac = $5, phone_masked = $6 WHERE id = $7",
        keys.encrypt("id_number", id_number),
        keys.blind_index("id_number", id_number),
        mask_id(id_number),
        keys.encrypt("phone", phone),
        keys.blind_index("phone", phone),
        mask_phone(phone),
        person_id,
    )
