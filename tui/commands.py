"""The command palette offers every key of the current screen, named as in the footer."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.app import SystemCommand
from textual.binding import BindingsMap
from textual.screen import Screen

from tui.i18n import _


def screen_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """One command per action the screen's bindings offer now, with its key in the help."""
    seen: set[str] = set()
    for _key, binding in BindingsMap(type(screen).BINDINGS):
        if binding.action in seen or not binding.description:
            continue
        if screen.check_action(binding.action, ()) is False:
            continue
        seen.add(binding.action)
        key = screen.app.get_key_display(binding)
        help_text = _(binding.tooltip) if binding.tooltip else _(binding.description)
        yield SystemCommand(
            f"{_(binding.description)} ({key})",
            help_text,
            partial(screen.run_action, binding.action),
        )
