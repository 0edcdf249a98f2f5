"""Status changes and hand-overs from the record; every key in the palette and in help."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Input

from db.keys.crypto import Keyring
from tests.tui.conftest import (
    add_app_user,
    fetch,
    notices,
    screen_text,
    settle,
    start_on_list,
    type_text,
)
from tui.app import TongxinApp
from tui.commands import screen_commands
from tui.dialogs.help import HelpScreen, key_rows
from tui.dialogs.status import StatusModal
from tui.screens.person_form import PersonFormScreen
from tui.screens.person_list import PersonListScreen
from tui.screens.person_record import PersonRecordScreen

SMALL = (80, 24)


async def test_hand_over_to_another_grid(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        await pilot.press("o")
        await settle(pilot)
        person_id = app.screen.person_id
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatusModal)
        await pilot.press("ctrl+s")  # no grid chosen yet
        await settle(pilot)
        assert "网格：必填" in screen_text(app)
        await pilot.press("tab", "enter", "down", "enter", "tab", "tab")
        await type_text(pilot, "搬到亲戚家")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PersonListScreen)
        assert "已移交，记录现由接收网格管理。" in notices(app)
    moved = await fetch(
        demo_dsn, "SELECT from_org, to_org, note, moved_by FROM person_move WHERE person_id = $1",
        person_id,
    )  # fmt: skip
    assert len(moved) == 1
    assert moved[0]["from_org"] == worker.org_code
    assert moved[0]["to_org"] != worker.org_code
    assert (moved[0]["note"], moved[0]["moved_by"]) == ("搬到亲戚家", worker.pg_role)
    rows = await fetch(demo_dsn, "SELECT org_code FROM person WHERE id = $1", person_id)
    assert rows[0]["org_code"] == moved[0]["to_org"]


async def test_left_the_city_then_returned(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("o")
        await settle(pilot)
        person_id = app.screen.person_id
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter", "down", "enter", "ctrl+s")  # 离市, today
        await settle(pilot)
        assert isinstance(app.screen, PersonRecordScreen)
        assert "离市" in screen_text(app)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("ctrl+s")  # the first offer for someone who left: returned
        await settle(pilot)
        assert "在册" in screen_text(app)
    rows = await fetch(demo_dsn, "SELECT status, version FROM person WHERE id = $1", person_id)
    assert tuple(rows[0]) == ("registered", 3)


async def test_the_palette_offers_the_screens_keys(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "登记")
        await settle(pilot)
        assert "登记 (a)" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonFormScreen)


async def test_help_lists_the_forms_keys_and_f1_works_while_typing(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.focused, Input)
        await pilot.press("question_mark")  # typed into the name box, not help
        assert app.focused.value == "?"
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "检查并保存记录" in text
        assert "离开表单，已填写的内容保存为草稿" in text


async def test_the_form_switches_to_english(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert "暂住地址" in screen_text(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        text = screen_text(app)
        assert "Address here" in text
        assert "暂住地址" not in text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Name: required" in screen_text(app)


async def test_keys_that_cannot_apply_now_are_left_out_of_palette_and_help(
    demo_dsn: str, keyring: Keyring
) -> None:
    # Esc's action takes an argument, leave_search(False): it is offered only while
    # the search box has the focus, in the palette and in help alike.
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        screen = app.screen
        assert isinstance(screen, PersonListScreen)

        def offered() -> tuple[bool, bool]:
            palette = any("回到列表" in str(c.title) for c in screen_commands(screen))
            help_rows = any(text == "回到列表" for _keys, text in key_rows(screen))
            return palette, help_rows

        assert offered() == (False, False)
        await pilot.press("slash")
        assert offered() == (True, True)
