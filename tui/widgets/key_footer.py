"""The footer of the app's screens: the screen's keys on the left, the app's on the right.

Textual's footer lists the keys in a row and cuts what does not fit; at 80
columns it cut the language and quit keys, which every screen needs. Here the
app's help, language and quit keys are pinned to the right edge, so whatever a
screen adds can only crowd its own keys. Screens keep their footer keys few
(secondary ones are `show=False`, listed by help), so at 80 columns none is cut.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The app's own actions (tui/app.py) kept in view on every screen.
PINNED_ACTIONS = frozenset({"show_help", "toggle_language", "quit"})


class KeyFooter(Footer):
    """A footer that never cuts the help, language and quit keys."""

    DEFAULT_CSS = """
    KeyFooter #app-keys {
        dock: right;
        width: auto;
        height: 1;
        background: $footer-background;
    }
    """

    def __init__(self) -> None:
        # ctrl+p (commands) is listed in help; its room goes to the screen's keys.
        super().__init__(show_command_palette=False)

    def compose(self) -> ComposeResult:
        pinned: list[FooterKey] = []
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in PINNED_ACTIONS:
                pinned.append(widget)
            else:
                yield widget
        if pinned:
            yield HorizontalGroup(*pinned, id="app-keys")
