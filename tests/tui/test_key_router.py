"""The key router on a small app of its own: a burst of keys is handled one key at a
time, each after everything the last one set off, and a screen that waits for its
data keeps the keys typed for it."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input

from tests.tui.conftest import type_ahead
from tui.keys import RoutedKeysApp, drop_keys, hold_keys, release_keys


class Loading(Screen[None]):
    """A screen whose one box is filled by a load that the test finishes."""

    def compose(self) -> ComposeResult:
        yield Input(id="loaded")

    def on_mount(self) -> None:
        hold_keys(self)

    def arrive(self, text: str) -> None:
        self.query_one("#loaded", Input).value = text
        release_keys(self)


class SlowBox(Input):
    """A box whose handler of one key awaits before it moves the focus on."""

    async def on_key(self, event: events.Key) -> None:
        if event.key == "ctrl+w":
            event.stop()
            await self.app.pause.wait()  # type: ignore[attr-defined]
            self.app.query_one("#b", Input).focus()


class Routed(RoutedKeysApp):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "slow_focus", "b"),
        Binding("ctrl+o", "open", "open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pause = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield SlowBox(id="a")
        yield Input(id="b")

    async def action_slow_focus(self) -> None:
        # An action that awaits before it moves the focus: the keys after it wait.
        await self.pause.wait()
        self.query_one("#b", Input).focus()

    def action_open(self) -> None:
        self.push_screen(Loading())


async def _until(pilot, seen) -> None:  # type: ignore[no-untyped-def]
    for _ in range(200):
        if seen():
            return
        await pilot.pause()
    raise AssertionError("never seen")


async def test_keys_after_an_action_still_in_hand_wait_for_it() -> None:
    app = Routed()
    async with app.run_test() as pilot:
        type_ahead(app, "ctrl+b", *"xyz")
        await pilot.pause()
        assert app.query_one("#a", Input).value == ""  # held while the action awaits
        app.pause.set()
        await _until(pilot, lambda: app.query_one("#b", Input).value == "xyz")
        assert app.query_one("#a", Input).value == ""


async def test_keys_after_a_widget_handler_still_in_hand_wait_for_it() -> None:
    app = Routed()
    async with app.run_test() as pilot:
        type_ahead(app, "ctrl+w", *"xyz")
        await pilot.pause()
        assert app.query_one("#a", Input).value == ""  # held while the handler awaits
        app.pause.set()
        await _until(pilot, lambda: app.query_one("#b", Input).value == "xyz")
        assert app.query_one("#a", Input).value == ""


async def test_keys_typed_for_a_screen_that_loads_wait_for_its_data() -> None:
    app = Routed()
    async with app.run_test() as pilot:
        type_ahead(app, "ctrl+o", "end", *"!!", "backspace", "?")
        await _until(pilot, lambda: isinstance(app.screen, Loading) and app.screen.is_mounted)
        screen = app.screen
        assert isinstance(screen, Loading)
        await pilot.pause()
        box = screen.query_one("#loaded", Input)
        assert box.value == ""
        screen.arrive("data")
        await _until(pilot, lambda: box.value == "data!?")
        assert app.query_one("#a", Input).value == ""


async def test_keys_typed_for_data_that_never_comes_are_dropped() -> None:
    app = Routed()
    async with app.run_test() as pilot:
        type_ahead(app, "ctrl+o", *"abc")
        await _until(pilot, lambda: isinstance(app.screen, Loading) and app.screen.is_mounted)
        screen = app.screen
        drop_keys(screen)
        type_ahead(app, "d")
        box = screen.query_one("#loaded", Input)
        await _until(pilot, lambda: box.value == "d")


async def test_ctrl_q_goes_through_while_a_screen_waits() -> None:
    app = Routed()
    async with app.run_test() as pilot:
        type_ahead(app, "ctrl+o")
        await _until(pilot, lambda: isinstance(app.screen, Loading) and app.screen.is_mounted)
        type_ahead(app, "ctrl+q")
        await _until(pilot, lambda: app.return_code is not None or not app.is_running)
