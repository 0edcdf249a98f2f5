"""Text boxes whose editing keys keep their place among the typed characters.

Textual's Input and TextArea insert a typed character as soon as it reaches them,
but run a bound key (Backspace, arrows, ctrl+u …) only after it has travelled up
to the app. When several keys arrive in one read, as they do over a slow SSH
line, "ab", Backspace, "c" can come out as "ab" instead of "ac". These boxes run
their own bindings the moment the key reaches them, in order with the characters.
"""

from __future__ import annotations

from textual import events
from textual.binding import BindingsMap
from textual.widget import Widget
from textual.widgets import Input, TextArea


async def run_own_binding(box: Widget, event: events.Key) -> None:
    """Run the box's own (non-priority) binding for `event` now, if it has one."""
    if event.is_printable:
        return  # the box inserts it itself, right away
    bindings = BindingsMap(type(box).BINDINGS)
    for key in event.aliases:
        for binding in bindings.key_to_bindings.get(key, ()):
            if not binding.priority and await box.app.run_action(binding.action, box):
                event.stop()
                event.prevent_default()
                return


class TextBox(Input):
    """A one-line box."""

    async def on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)


class NotesBox(TextArea):
    """A box for longer notes."""

    async def on_key(self, event: events.Key) -> None:
        await run_own_binding(self, event)
