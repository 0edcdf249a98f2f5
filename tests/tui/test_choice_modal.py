"""A long list to choose from (a city's units) narrows to what is typed above it; a
short one is walked with ↑/↓ alone."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, OptionList

from tests.tui.conftest import settle
from tui.dialogs.ledger_choice import ChoiceModal

UNITS = [(f"第{n}社区 1404030010{n:02d}", f"1404030010{n:02d}") for n in range(1, 31)]


class _Chooser(App[None]):
    def __init__(self, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.options = options
        self.chosen: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(ChoiceModal("单位", self.options, self.options[0][1]), self.chosen.append)


def _shown(app: App[None]) -> list[str]:
    choices = app.screen.query_one(OptionList)
    return [str(choices.get_option_at_index(i).id) for i in range(choices.option_count)]


async def test_typing_narrows_a_long_list_and_enter_takes_the_highlighted_line() -> None:
    app = _Chooser(UNITS)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.focused, Input)
        await pilot.press(*"第2")
        await settle(pilot)
        assert _shown(app) == ["140403001002", *(f"1404030010{n}" for n in range(20, 30))]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
    assert app.chosen == ["140403001021"]


async def test_a_code_typed_that_matches_nothing_is_said_and_enter_takes_nothing() -> None:
    app = _Chooser(UNITS)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press(*"9999", "enter")
        await settle(pilot)
        assert _shown(app) == []
        assert "没有与“9999”相符的项" in str(app.screen.query_one("#choice-none").render())
        await pilot.press("escape")
        await settle(pilot)
    assert app.chosen == [None]


async def test_a_short_list_has_no_box_and_is_walked_from_the_top() -> None:
    app = _Chooser(UNITS[:5])
    async with app.run_test() as pilot:
        await settle(pilot)
        assert not app.screen.query(Input)
        await pilot.press("home", "down", "down", "enter")
        await settle(pilot)
    assert app.chosen == ["140403001003"]
