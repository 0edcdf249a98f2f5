"""Drafts: sealed at rest, one per form and record, seen only by their owner."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from db.core.session import acting_as
from db.drafts import discard_draft, drafts_of, find_draft, save_draft
from db.keys.crypto import Keyring
from tests.db.access_fixtures import demo_grid_codes, new_user

ID = "653101198503120111"


async def test_draft_round_trip_is_sealed_and_private(
    conn: asyncpg.Connection, other: asyncpg.Connection, keyring: Keyring
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    owner = await new_user(conn, "grid_worker", grid)
    colleague = await new_user(conn, "grid_worker", grid)
    subject = uuid.uuid4()
    values = {"name": "买买提·艾力", "id_number": ID, "notes": "第一次"}
    async with acting_as(other, owner):
        await save_draft(other, keyring, "person", subject, grid, None, values)
        await save_draft(other, keyring, "person", subject, grid, 3, {**values, "notes": "第二次"})
    stored = await conn.fetch("SELECT owner, payload FROM form_draft")
    assert [r["owner"] for r in stored] == [owner.pg_role]
    assert ID.encode() not in stored[0]["payload"]
    assert "买买提".encode() not in stored[0]["payload"]
    async with acting_as(other, colleague):
        assert await find_draft(other, keyring, "person", subject) is None
        assert await other.fetchval("SELECT count(*) FROM form_draft") == 0
    async with acting_as(other, owner):
        draft = await find_draft(other, keyring, "person", subject)
        listed = await drafts_of(other, keyring, "person")
    assert draft is not None
    assert (draft.base_version, draft.values["notes"], draft.values["id_number"]) == (
        3,
        "第二次",
        ID,
    )
    assert [d.subject for d in listed] == [subject]
    async with acting_as(other, owner):
        await discard_draft(other, "person", subject)
        assert await find_draft(other, keyring, "person", subject) is None


async def test_a_draft_cannot_be_filed_outside_the_scope(
    conn: asyncpg.Connection, other: asyncpg.Connection, keyring: Keyring
) -> None:
    grids = await demo_grid_codes(conn)
    worker = await new_user(conn, "grid_worker", grids[0])
    far = next(c for c in grids if c[:9] != grids[0][:9])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(other, worker):
            await save_draft(other, keyring, "visit", uuid.uuid4(), far, None, {"notes": "x"})
    assert await conn.fetchval("SELECT count(*) FROM form_draft") == 0
