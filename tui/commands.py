"""The command palette offers every key of the current screen, named as in the footer."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.actions import parse as parse_action
from textual.app import SystemCommand
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen

from tui.i18n import _


def ruled_out(node: DOMNode, binding: Binding) -> bool:
    """The node's `check_action` says the binding cannot apply now (False, not None),
    asked the way Textual asks it: with the action's name and its arguments."""
    _namespace, name, arguments = parse_action(binding.action)
    return node.check_action(name, arguments) is False


def screen_commands(screen: Screen[object]) -> Iterator[SystemCommand]:
    """One command per action the screen's bindings offer now, with its key in the help."""
    seen: set[str] = set()
    for _key, binding in BindingsMap(type(screen).BINDINGS):
        if binding.action in seen or not binding.description:
            continue
        if ruled_out(screen, binding):
            continue
        seen.add(binding.action)
        key = screen.app.get_key_display(binding)
        help_text = _(binding.tooltip) if binding.tooltip else _(binding.description)
        yield SystemCommand(
            f"{_(binding.description)} ({key})",
            help_text,
            partial(screen.run_action, binding.action),
        )
