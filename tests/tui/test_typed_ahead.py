"""Keys typed ahead, in one read as a slow SSH line delivers them, reach what they were
typed for: a form whose content is still loading (held up by a real lock another
session holds), a dialog not yet shown, the screen a key opens, the screen a save
returns to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from textual.widgets import Input

from db.keys.crypto import Keyring
from tests.tui.conftest import add_app_user, fetch, screen_text, settle, start_on_list, type_ahead
from tests.tui.test_visit_flow import SMALL, _open_visit_form
from tui.app import TongxinApp
from tui.dialogs.need import NeedModal
from tui.dialogs.status import StatusModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen
from tui.screens.visit_form import VisitFormScreen


@asynccontextmanager
async def _locked(dsn: str, table: str) -> AsyncIterator[None]:
    """Another session holds `table` so that no one can read it until the block ends."""
    blocker = await asyncpg.connect(dsn)
    try:
        async with blocker.transaction():
            await blocker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await blocker.close()


async def _first_person(dsn: str, grid: str) -> asyncpg.Record:
    """A registered person of `grid` whom their pinyin initials alone find."""
    rows = await fetch(
        dsn,
        "SELECT id, name, name_initials, current_address FROM person p "
        "WHERE org_code = $1 AND status = 'registered' AND 1 = (SELECT count(*) FROM person q "
        "  WHERE q.org_code = $1 AND starts_with(q.name_initials, p.name_initials)) "
        "ORDER BY name_pinyin LIMIT 1",
        grid,
    )
    return rows[0]


async def _until(pilot, seen) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `seen()` holds (a worker held up by a lock never finishes,
    so settle() cannot be used meanwhile)."""
    for _ in range(200):
        if seen():
            return
        await pilot.pause()
    raise AssertionError(f"never seen; the screen shows:\n{screen_text(pilot.app)}")


async def _open_record(pilot, person: asyncpg.Record) -> PersonRecordScreen:  # type: ignore[no-untyped-def]
    await start_on_list(pilot)
    await pilot.press("slash", *person["name_initials"], "enter")
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)
    record = pilot.app.screen
    assert isinstance(record, PersonRecordScreen)
    assert record.person_id == person["id"]
    return record


async def test_a_new_address_typed_before_the_edit_form_has_loaded_replaces_the_old(
    demo_dsn: str, keyring: Keyring
) -> None:
    # The corruption seen under load: the load landed after ctrl+e ctrl+u had cleared
    # the box, and the typed text was appended to the old address.
    worker = await add_app_user(demo_dsn)
    person = await _first_person(demo_dsn, worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_record(pilot, person)
        async with _locked(demo_dsn, "person"):
            type_ahead(app, "e", *["tab"] * 7, "ctrl+e", "ctrl+u", *"Huayuan Rd 9")
            await _until(pilot, lambda: isinstance(app.screen, PersonFormScreen))
            form = app.screen
            assert not form.ready  # its load waits for the lock
        await settle(pilot)
        assert form.query_one("#box-current_address", Input).value == "Huayuan Rd 9"
        assert form.query_one("#box-name", Input).value == person["name"]
        type_ahead(app, "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen), screen_text(app)
    stored = await fetch(demo_dsn, "SELECT current_address FROM person WHERE id = $1", person["id"])
    assert stored[0]["current_address"] == "Huayuan Rd 9"


async def test_o_then_e_typed_ahead_of_a_search_open_the_edit_form_of_its_first_hit(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    person = await _first_person(demo_dsn, worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        type_ahead(app, "slash", *person["name_initials"], "enter", "o", "e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen), screen_text(app)
        assert form.query_one("#box-name", Input).value == person["name"]


async def test_keys_typed_right_after_ctrl_n_reach_the_need_dialog(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_visit_form(pilot)
        type_ahead(app, "ctrl+n", "tab", "tab", *"rent")  # whose → category → what
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NeedModal), screen_text(app)
        assert dialog.query_one("#need-description", Input).value == "rent"
        assert form.query_one("#box-place", Input).value == ""


async def test_keys_typed_before_the_status_dialog_has_its_grids_reach_it(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    person = await _first_person(demo_dsn, worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        record = await _open_record(pilot, person)
        async with _locked(demo_dsn, "org_unit"):
            type_ahead(app, "s", "tab", "tab", "tab", *"moved")  # change → grid → date → note
            await _until(pilot, lambda: any(w.group == "person-record-status" for w in app.workers))
            assert app.screen is record  # the grids are on their way
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusModal), screen_text(app)
        assert dialog.query_one("#status-note", Input).value == "moved"


async def test_a_key_typed_after_save_acts_on_the_record_the_form_returns_to(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    person = await _first_person(demo_dsn, worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await _open_record(pilot, person)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PersonFormScreen)
        async with _locked(demo_dsn, "person"):  # the save waits for the lock
            type_ahead(app, *["tab"] * 7, "end", *" 2F", "ctrl+s", "v")
            await _until(pilot, lambda: any(w.group == "person-form-save" for w in app.workers))
        await settle(pilot)
        assert isinstance(app.screen, VisitFormScreen), screen_text(app)
    stored = await fetch(demo_dsn, "SELECT current_address FROM person WHERE id = $1", person["id"])
    assert stored[0]["current_address"] == person["current_address"] + " 2F"
