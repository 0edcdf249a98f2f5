"""Representatives with the keyboard: reach the list from the command palette, appoint
someone from the registry and someone by name, see who is due, log a phone talk on the
visit form and an Eid symposium as a contact record, retire; bad input named in a line."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
from textual.pilot import Pilot
from textual.widgets import Select, TextArea

from db.core.clock import today
from db.keys.crypto import Keyring
from tests.db.kernel_fixtures import add_representative
from tests.tui.conftest import (
    add_app_user,
    fetch,
    screen_text,
    settle,
    start_on_list,
    tab_to,
    type_text,
)
from tui.app import TongxinApp
from tui.dialogs.appoint import AppointModal
from tui.dialogs.contact import ContactModal
from tui.dialogs.person_picker import PersonPickerModal
from tui.dialogs.retire import RetireModal
from tui.screens.representative_list import RepresentativeListScreen
from tui.screens.representative_record import RepresentativeScreen
from tui.screens.visit_form import VisitFormScreen

SIZE = (100, 30)


async def _open_list(pilot: Pilot[object]) -> None:
    await start_on_list(pilot)
    await pilot.press("ctrl+p")
    await settle(pilot)
    await type_text(pilot, "代表人士")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RepresentativeListScreen), screen_text(pilot.app)


async def _choose(pilot: Pilot[object], box: str, value: str) -> None:
    """Open the choice box with Enter and walk down to the option of `value`."""
    await tab_to(pilot, box)
    select = pilot.app.focused
    assert isinstance(select, Select)
    values = [option for _label, option in select._options]
    await pilot.press("enter", *(["down"] * values.index(value)), "enter")
    assert select.value == value


async def _type_into(pilot: Pilot[object], box: str, text: str) -> None:
    await tab_to(pilot, box)
    await pilot.press("end", "ctrl+u")
    await type_text(pilot, text)


async def _write(pilot: Pilot[object], box: str, text: str) -> None:
    """Write into a notes box, as an input method hands over Chinese text."""
    await tab_to(pilot, box)
    notes = pilot.app.focused
    assert isinstance(notes, TextArea)
    notes.insert(text)
    await pilot.pause()


async def test_appoint_from_the_registry_and_by_name_and_see_who_is_due(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        assert "辖区内尚无代表人士" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, PersonPickerModal)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AppointModal)
        await _choose(pilot, "appoint-standing", "ethnic")
        await _type_into(pilot, "appoint-post", "商会副会长")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeListScreen), screen_text(app)

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AppointModal)
        await _type_into(pilot, "appoint-name", "马文明")
        await _choose(pilot, "appoint-sex", "1")
        await _choose(pilot, "appoint-ethnic_code", "03")
        await _type_into(pilot, "appoint-birth_date", "1962-03-08")
        await _choose(pilot, "appoint-standing", "clergy")
        await _type_into(pilot, "appoint-employer", "北大清真寺")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeListScreen), screen_text(app)
        text = screen_text(app)
        assert "马文明" in text
        assert "宗教教职人员" in text
        # Appointed today: this week is grace, the next week's phone talk is owed.
        assert text.count("应谈") >= 4

    rows = await fetch(
        demo_dsn,
        "SELECT person_id IS NOT NULL AS registered, org_code, name, ethnic_code, standing, post, "
        "employer, appointed_on, created_by FROM representative ORDER BY registered",
    )
    assert [tuple(r) for r in rows] == [
        (False, worker.org_code, "马文明", "03", "clergy", "", "北大清真寺", today(),
         worker.pg_role),
        (True, worker.org_code, None, None, "ethnic", "商会副会长", "", today(), worker.pg_role),
    ]  # fmt: skip


async def test_a_phone_talk_with_a_registered_one_is_a_visit_of_that_kind(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    person = (await fetch(demo_dsn, "SELECT id FROM person WHERE org_code = $1 LIMIT 1",
                          worker.org_code))[0]["id"]  # fmt: skip
    conn = await asyncpg.connect(demo_dsn)
    try:
        await add_representative(conn, worker.org_code, person,
                                 appointed_on=today() - timedelta(days=60))  # fmt: skip
    finally:
        await conn.close()
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        assert "逾期" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeScreen)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, VisitFormScreen)
        await _write(pilot, "box-notes", "电话问候，了解近况")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeScreen), screen_text(app)
        text = screen_text(app)
        assert f"每周电话谈：已谈 {today().isoformat()}" in text
        assert "已提交" in text
    visits = await fetch(demo_dsn, "SELECT kind, status, visited_on FROM visit")
    assert [tuple(v) for v in visits] == [("phone_call", "submitted", today())]


async def test_an_eid_symposium_with_one_appointed_by_name_then_retirement(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    conn = await asyncpg.connect(demo_dsn)
    try:
        rep = await add_representative(conn, worker.org_code, appointed_on=date(2025, 1, 6))
    finally:
        await conn.close()
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeScreen)
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, ContactModal)
        await _type_into(pilot, "contact-place", "清真寺")
        await _write(pilot, "contact-notes", "参加座谈，谈了寺里近况")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeScreen)
        assert "联系已记录" in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, RetireModal)
        await _type_into(pilot, "retire-note", "任期届满")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已退出" in screen_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeListScreen)
        assert "辖区内尚无代表人士" in screen_text(app)
    contacts = await fetch(demo_dsn, "SELECT kind, place, contacted_on FROM representative_contact")
    assert [tuple(c) for c in contacts] == [("festival", "清真寺", today())]
    retired = await fetch(demo_dsn, "SELECT retired_on, retirement_note FROM representative "
                          "WHERE id = $1", rep)  # fmt: skip
    assert [tuple(r) for r in retired] == [(today(), "任期届满")]


async def test_bad_input_is_named_in_a_line_and_nothing_is_stored(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        await pilot.press("n")
        await settle(pilot)
        await _type_into(pilot, "appoint-birth_date", (today() + timedelta(days=1)).isoformat())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AppointModal)
        text = screen_text(app)
        assert "姓名：必填" in text
        assert "是将来的日期" in text
        assert app.focused is app.screen.query_one("#appoint-name")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeListScreen)
    assert await fetch(demo_dsn, "SELECT * FROM representative") == []


async def test_a_supervisor_reads_the_list_and_appoints_nobody(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    conn = await asyncpg.connect(demo_dsn)
    try:
        await add_representative(conn, worker.org_code, appointed_on=date(2025, 1, 6))
    finally:
        await conn.close()
    supervisor = await add_app_user(demo_dsn, "supervisor", worker.org_code[:9])
    app = TongxinApp(demo_dsn, keyring=keyring, login=supervisor.name)
    async with app.run_test(size=SIZE) as pilot:
        await _open_list(pilot)
        assert "阿卜杜拉" in screen_text(app)
        await pilot.press("a", "n", "d")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeListScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p", "d")
        await settle(pilot)
        assert isinstance(app.screen, RepresentativeScreen)
    assert len(await fetch(demo_dsn, "SELECT * FROM representative")) == 1
