"""The shared base of submission forms, shown on visits: a save over a version someone
saved meanwhile compares both and merges or reloads, like the person form."""

from __future__ import annotations

import uuid

import asyncpg
from textual.widgets import Input, TextArea

from db.core.clock import today
from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.visits.form import VisitForm, VisitInput, VisitPerson
from db.visits.store import load_visit, save_visit
from tests.tui.conftest import add_app_user, fetch, screen_text, settle, start_on_list, tab_to
from tests.tui.test_visit_flow import SMALL
from tui.app import TongxinApp
from tui.dialogs.conflict import ConflictModal
from tui.screens.work_list import WorkListScreen


async def _a_draft(dsn: str, worker_name: str, grid: str) -> None:
    rows = await fetch(
        dsn, "SELECT city_code, id, name FROM person WHERE org_code = $1 LIMIT 1", grid
    )
    person = VisitPerson(city_code=rows[0]["city_code"], id=rows[0]["id"], name=rows[0]["name"])
    form = VisitForm(
        id=uuid.uuid4(), visited_on=today().isoformat(), persons=[person], notes="初次走访"
    )
    conn = await asyncpg.connect(dsn)
    try:
        user = await _user(conn, worker_name)
        async with acting_as(conn, user):
            await save_visit(conn, VisitInput.from_form(form, today()), base_version=None,
                             submit=False)  # fmt: skip
    finally:
        await conn.close()


async def _user(conn: asyncpg.Connection, name: str):  # type: ignore[no-untyped-def]
    from db.core.session import login

    return await login(conn, name)


async def _someone_else_saves_notes(dsn: str, worker_name: str, notes: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        user = await _user(conn, worker_name)
        visit = (await conn.fetch("SELECT city_code, id FROM visit"))[0]
        async with acting_as(conn, user):
            form, state = await load_visit(conn, visit["city_code"], visit["id"])
            changed = VisitInput.from_form(form.model_copy(update={"notes": notes}), today())
            await save_visit(conn, changed, base_version=state.version, submit=False)
    finally:
        await conn.close()


async def test_a_save_over_a_newer_visit_merges_mine_with_theirs(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    await _a_draft(demo_dsn, worker.name, worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WorkListScreen)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        await tab_to(pilot, "box-place")
        await pilot.press(*"Room 3")
        await _someone_else_saves_notes(demo_dsn, worker.name, "初次走访；已联系社区")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal), screen_text(app)
        assert "已联系社区" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#box-place", Input).value == "Room 3"
        assert form.query_one("#box-notes", TextArea).text == "初次走访；已联系社区"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已保存为草稿" in screen_text(app), screen_text(app)
    stored = await fetch(demo_dsn, "SELECT place, notes, version FROM visit")
    assert [tuple(r) for r in stored] == [("Room 3", "初次走访；已联系社区", 3)]
