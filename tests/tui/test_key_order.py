"""Editing keys that arrive in one read with typed characters keep their order."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from db.keys.crypto import Keyring
from tests.tui.conftest import add_app_user, settle, start_on_list, type_ahead
from tests.tui.test_visit_flow import SMALL, _open_visit_form
from tui.app import TongxinApp


async def test_a_burst_into_the_search_box_is_applied_in_order(
    demo_dsn: str, keyring: Keyring
) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        await start_on_list(pilot)
        await pilot.press("slash")
        # abc → Backspace: ab → d: abd → Left, x: abxd → ctrl+u (to the start): d → yz: yzd
        type_ahead(app, *"abc", "backspace", "d", "left", "x", "ctrl+u", *"yz")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "yzd"


async def test_a_burst_into_the_notes_is_applied_in_order(demo_dsn: str, keyring: Keyring) -> None:
    worker = await add_app_user(demo_dsn)
    app = TongxinApp(demo_dsn, keyring=keyring, login=worker.name)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_visit_form(pilot)
        type_ahead(app, "tab", "tab", "tab", "tab", *"abc", "backspace", "left", "x")
        await settle(pilot)
        assert form.query_one("#box-notes", TextArea).text == "axb"
