"""A checkbox whose mark shows only while it is ticked.

Textual's Checkbox draws its X in both states and tells them apart by colour alone,
which a monochrome thin client (or a colour-blind reader) cannot see: a reviewer could
not tell whether a sweep was filed as a nil return.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    """A Checkbox that shows X when ticked and a blank when not."""

    @property
    def _button(self) -> Content:
        # Textual's Checkbox draws BUTTON_INNER whatever its value.
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button
