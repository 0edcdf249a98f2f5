"""Nothing typed is lost: drafts kept on hang-up and by autosave, offered on the next open;
a save over someone else's newer version shows both and merges or reloads."""

from __future__ import annotations

import asyncpg

from db.core.session import acting_as
from db.keys.crypto import Keyring
from db.persons.form import FormContext, PersonInput, load_form_reference
from db.persons.save import load_for_edit, update_person
from db.users import AppUser
from tests.tui.conftest import add_app_user, fetch, fill_boxes, screen_text, settle, start_on_list
from tui.app import TongxinApp
from tui.dialogs.conflict import ConflictModal
from tui.dialogs.notice import DraftOfferModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_record import PersonRecordScreen

SMALL = (80, 24)


async def test_hang_up_keeps_a_draft_that_the_next_session_restores(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("a")
        await settle(pilot)
        await fill_boxes(pilot, {"name": "古丽娜尔·吐尔逊", "birth_date": "2001-05-30",
                                 "id_number": "65310120010530"})  # fmt: skip
        app.hang_up()  # what SIGHUP runs when the SSH line drops
        await settle(pilot)
    assert app.return_code is not None  # the app left
    drafts = await fetch(demo_dsn, "SELECT owner, form, base_version, payload FROM form_draft")
    assert [(d["owner"], d["form"], d["base_version"]) for d in drafts] == [
        (worker.pg_role, "person", None)
    ]
    assert b"65310120010530" not in drafts[0]["payload"]  # sealed: it may hold an ID number

    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DraftOfferModal)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen)
        restored = form.current_form()
        assert (restored.name, restored.birth_date, restored.id_number) == (
            "古丽娜尔·吐尔逊", "2001-05-30", "65310120010530",
        )  # fmt: skip
        assert "草稿已恢复" in screen_text(app)


async def test_autosave_and_leaving_keep_drafts_and_saving_removes_them(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("o")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, PersonRecordScreen)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen)
        form.autosave()  # the timer's tick: nothing changed, nothing stored
        await settle(pilot)
        assert await fetch(demo_dsn, "SELECT 1 FROM form_draft") == []
        await fill_boxes(pilot, {"notes": "需要回访"})
        form.autosave()
        await settle(pilot)
        assert "草稿已于" in screen_text(app)
        kept = await fetch(demo_dsn, "SELECT subject, base_version FROM form_draft")
        assert [(k["subject"], k["base_version"]) for k in kept] == [(record.person_id, 1)]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is record
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, DraftOfferModal)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is record
    notes = await fetch(demo_dsn, "SELECT notes FROM person WHERE id = $1", record.person_id)
    assert notes[0]["notes"] == "需要回访"
    assert await fetch(demo_dsn, "SELECT 1 FROM form_draft") == []


async def _save_as(
    dsn: str, keyring: Keyring, user: AppUser, person_id: object, **boxes: str
) -> None:
    """Another user saves the same record with their own session, as a second desk would."""
    conn = await asyncpg.connect(dsn)
    try:
        reference = await load_form_reference(conn)
        city = await conn.fetchval("SELECT city_code FROM person WHERE id = $1", person_id)
        async with acting_as(conn, user):
            stored, plain = await load_for_edit(conn, keyring, city, person_id)
            context = FormContext(reference, stored.updated_at.date(), stored.id_masked, plain,
                                  stored.phone_masked)  # fmt: skip
            data = PersonInput.from_form(stored.form.model_copy(update=boxes), context)
            await update_person(conn, keyring, city, person_id, stored.version, data)
    finally:
        await conn.close()


async def test_second_save_gets_the_conflict_screen_and_merges(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    colleague = await add_app_user(demo_dsn, org_code=worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        await pilot.press("o")
        await settle(pilot)
        person_id = app.screen.person_id
        await pilot.press("e")
        await settle(pilot)
        await fill_boxes(pilot, {"current_address": "我改的地址 1 号"})
        await _save_as(demo_dsn, keyring, colleague, person_id, occupation="同事改的职业")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal)
        text = screen_text(app)
        assert "我改的地址 1 号" in text
        assert "同事改的职业" in text
        assert colleague.pg_role in text
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PersonFormScreen)
        merged = form.current_form()
        assert (merged.current_address, merged.occupation) == ("我改的地址 1 号", "同事改的职业")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
    rows = await fetch(
        demo_dsn, "SELECT current_address, occupation, version FROM person WHERE id = $1", person_id
    )
    assert tuple(rows[0]) == ("我改的地址 1 号", "同事改的职业", 3)


async def test_reload_drops_mine_and_shows_theirs(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    colleague = await add_app_user(demo_dsn, org_code=worker.org_code)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("o")
        await settle(pilot)
        person_id = app.screen.person_id
        await pilot.press("e")
        await settle(pilot)
        await fill_boxes(pilot, {"occupation": "我写的职业"})
        await _save_as(demo_dsn, keyring, colleague, person_id, occupation="同事写的职业")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal)
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.current_form().occupation == "同事写的职业"
    rows = await fetch(demo_dsn, "SELECT occupation, version FROM person WHERE id = $1", person_id)
    assert tuple(rows[0]) == ("同事写的职业", 2)
