"""Opening a person's record from the list, and showing a full ID only with a purpose."""

from __future__ import annotations

import re
import uuid

import asyncpg

from db.keys.crypto import Keyring
from db.users import add_user
from tests.tui.conftest import screen_text, settle, start_on_list, type_ahead
from tui.app import TongxinApp
from tui.dialogs.purpose import PurposeModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen

FULL_ID = re.compile(r"\b\d{17}[\dX]\b")


async def _worker_of_first_grid(dsn: str) -> tuple[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        grid = await conn.fetchval("SELECT min(org_code) FROM person")
        name = f"rec_{uuid.uuid4().hex[:8]}"
        user = await add_user(conn, name, "grid_worker", grid)
    finally:
        await conn.close()
    return name, user.pg_role


async def _trail(dsn: str, role: str) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT action, purpose FROM audit_log WHERE actor = $1 ORDER BY id", role
        )
    finally:
        await conn.close()
    return [(r["action"], r["purpose"]) for r in rows]


async def test_open_record_then_reveal_with_a_purpose(demo_dsn: str, keyring: Keyring) -> None:
    login, role = await _worker_of_first_grid(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=login)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        text = screen_text(app)
        assert "身份证号" in text
        assert "同住家庭成员" in text
        assert not FULL_ID.search(text)
        assert await _trail(demo_dsn, role) == [("open", "查看档案 / viewing the record")]

        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, PurposeModal)
        await pilot.press("enter")  # no purpose: refused with a reason, nothing shown
        await settle(pilot)
        assert isinstance(app.screen, PurposeModal)
        assert "请说明" in screen_text(app)
        app.screen.query_one("#purpose-text").insert_text_at_cursor("核实身份")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert FULL_ID.search(screen_text(app))
        assert (await _trail(demo_dsn, role))[-1] == ("reveal", "核实身份")

        await pilot.press("b")
        await settle(pilot)
        assert not isinstance(app.screen, PersonRecordScreen)
        assert not FULL_ID.search(screen_text(app))


async def test_cancelling_the_purpose_shows_and_logs_nothing(
    demo_dsn: str, keyring: Keyring
) -> None:
    login, role = await _worker_of_first_grid(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=login, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert "Household" in screen_text(app)
        assert [action for action, _ in await _trail(demo_dsn, role)] == ["open"]


async def test_open_typed_ahead_of_a_search_opens_its_first_hit(
    demo_dsn: str, keyring: Keyring
) -> None:
    # "/", initials, Enter and "o" in one read: the record opened is the search's first
    # hit, not the row that was under the cursor before the search.
    login, _ = await _worker_of_first_grid(demo_dsn)
    conn = await asyncpg.connect(demo_dsn)
    try:
        grid = await conn.fetchval("SELECT min(org_code) FROM person")
        wanted = await conn.fetchrow(
            "SELECT id, name_initials FROM person WHERE org_code = $1 "
            "ORDER BY name_pinyin DESC LIMIT 1",
            grid,
        )
    finally:
        await conn.close()
    app = TongxinApp(demo_dsn, keyring=keyring, login=login)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        type_ahead(app, "slash", *wanted["name_initials"], "enter", "o")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        hits = app.screen_stack[-2].page.rows
        assert app.screen.person_id == hits[0].id
        assert wanted["id"] in [row.id for row in hits]


async def test_edit_typed_ahead_of_the_record_waits_for_it(demo_dsn: str, keyring: Keyring) -> None:
    # "o" then "e" before the record has arrived: the edit form opens once it has.
    login, _ = await _worker_of_first_grid(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=login)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_on_list(pilot)
        type_ahead(app, "o", "e")
        await settle(pilot)
        assert isinstance(app.screen, PersonFormScreen), screen_text(app)
        assert app.screen_stack[-2].detail is not None
