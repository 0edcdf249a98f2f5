"""The boxes every form types into: a one-line box and a box for longer notes.

Keys reach them one at a time, each after the last has settled (tui/keys.py), so an
editing key (Backspace, arrows, ctrl+u …) keeps its place among the typed characters
even when a slow line delivers them in one read.
"""

from __future__ import annotations

from textual.widgets import Input, TextArea


class TextBox(Input):
    """A one-line box."""


class NotesBox(TextArea):
    """A box for longer notes."""
