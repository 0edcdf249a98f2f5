"""Filtering the person list with the keyboard: status, ethnicity, missing 三必清 fields."""

from __future__ import annotations

from textual.widgets import Checkbox, Select

from db.keys.crypto import Keyring
from tests.tui.conftest import screen_text, settle, shown_rows, start_on_list
from tui.app import TongxinApp
from tui.dialogs.filters import FilterModal

STATUS_COLUMN, ETHNIC_COLUMN = 9, 3


async def test_filter_by_status_then_ethnicity_then_clear(demo_dsn: str, keyring: Keyring) -> None:
    app = TongxinApp(demo_dsn, keyring=keyring)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        everyone = len(shown_rows(app))
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterModal)
        app.screen.query_one("#filter-status", Select).value = "registered"
        app.screen.query_one("#filter-ethnic", Select).value = "03"
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = shown_rows(app)
        assert rows
        assert {row[STATUS_COLUMN] for row in rows} == {"在册"}
        assert {row[ETHNIC_COLUMN] for row in rows} == {"回族"}
        assert "已筛选" in screen_text(app)

        await pilot.press("f")
        await settle(pilot)
        assert app.screen.query_one("#filter-ethnic", Select).value == "03"  # kept
        app.screen.query_one("#filter-clear").press()
        await settle(pilot)
        assert len(shown_rows(app)) == everyone
        assert "已筛选" not in screen_text(app)


async def test_missing_fields_filter_and_escape_changes_nothing(
    demo_dsn: str, keyring: Keyring
) -> None:
    app = TongxinApp(demo_dsn, keyring=keyring)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_on_list(pilot)
        before = shown_rows(app)
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#filter-missing", Checkbox).value = True
        await pilot.press("escape")
        await settle(pilot)
        assert shown_rows(app) == before
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#filter-missing", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        missing = shown_rows(app)
        assert 0 < len(missing) < len(before)
