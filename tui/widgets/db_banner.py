"""The one line that says the database went away, shown on top of whatever screen is open."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tui.i18n import N_, _

UNREACHABLE = N_("Database unreachable, retrying; nothing typed is lost")


class DatabaseBanner(Widget):
    """The first line under the title bar while the database cannot be reached.

    The app puts one on every full screen (a dialog shows the one beneath it) and
    removes them all once the database answers again (tui/app.py); the text
    follows the language.
    """

    def render(self) -> Text:
        return Text(_(UNREACHABLE), no_wrap=True, overflow="ellipsis")
