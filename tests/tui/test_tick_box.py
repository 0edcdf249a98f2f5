"""A tick box's state reads without colour: X while ticked, a blank when not."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.widgets.tick_box import TickBox


class _OneBox(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("零报告", id="box")


def _mark(box: TickBox) -> str:
    return box.render().plain.split("零报告")[0].strip("▐▌ ")


async def test_the_mark_shows_only_while_ticked() -> None:
    app = _OneBox()
    async with app.run_test() as pilot:
        box = app.query_one("#box", TickBox)
        box.focus()
        assert _mark(box) == ""
        await pilot.press("space")
        assert box.value
        assert _mark(box) == "X"
        await pilot.press("enter")
        assert not box.value
        assert _mark(box) == ""
