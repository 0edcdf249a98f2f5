"""Every form that keeps drafts keeps one: the sweep and the dispute case with the rest."""

from __future__ import annotations

import uuid
from typing import get_args

import asyncpg
import pytest

from db.core.session import acting_as
from db.drafts import FormName, find_draft, save_draft
from db.keys.crypto import Keyring
from tests.db.access_fixtures import demo_grid_codes, new_user


@pytest.mark.parametrize("form", get_args(FormName))
async def test_each_form_keeps_a_draft(
    conn: asyncpg.Connection, other: asyncpg.Connection, keyring: Keyring, form: FormName
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    worker = await new_user(conn, "grid_worker", grid)
    subject = uuid.uuid4()
    async with acting_as(other, worker):
        await save_draft(other, keyring, form, subject, grid, None, {"notes": "未完"})
        draft = await find_draft(other, keyring, form, subject)
    assert draft is not None
    assert draft.values == {"notes": "未完"}
