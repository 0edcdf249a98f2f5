"""Keys typed ahead of a screen's data: they wait for it instead of acting on what is gone.

Over SSH a user types faster than a page or a record arrives ("/zs", Enter, "o" or
"o", "e" often come in one read). A key that would act on the old page, or on a
record not loaded yet, is held and runs once the data is there, in the order typed.
"""

from __future__ import annotations

from collections import deque

from textual.screen import Screen


class TypedAhead:
    def __init__(self, screen: Screen[object], *, loading: bool = False) -> None:
        self._screen = screen
        self.loading = loading
        self._held: deque[str] = deque()

    def start(self) -> None:
        """Data is on its way: keys from now on wait for it."""
        self.loading = True

    def hold(self, action: str) -> bool:
        """Keep `action` for when the data arrives, if it is on its way; say whether kept."""
        if self.loading:
            self._held.append(action)
        return self.loading

    def loaded(self) -> None:
        """Run the held actions the screen still allows, until one loads again."""
        self.loading = False
        while self._held and not self.loading:
            action = self._held.popleft()
            if self._screen.check_action(action, ()):
                getattr(self._screen, f"action_{action}")()

    def failed(self) -> None:
        """Nothing arrives: held keys are dropped, they were meant for that data."""
        self.loading = False
        self._held.clear()
