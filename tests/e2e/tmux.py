"""Drive a real terminal: the app runs in a detached tmux session of a fixed size."""

from __future__ import annotations

import shlex
import subprocess
import time
import uuid
from collections.abc import Callable


class Terminal:
    """One tmux session running one command, on a tmux server of its own.

    A server of its own (its own socket, `-L`): on one shared server, the last session of
    a test that ends and the first of a test starting in another process can meet while
    the server, left with no session, exits, and the new session goes with it.
    """

    POLL = 0.2  # seconds between captures while waiting for the screen

    def __init__(self, command: list[str], *, width: int = 80, height: int = 24) -> None:
        self.name = f"tx-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
             shlex.join(command)],
            check=True,
        )  # fmt: skip

    @property
    def tmux(self) -> list[str]:
        """The tmux command line of this terminal's own server."""
        return ["tmux", "-L", self.name]

    def screen(self) -> str:
        result = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def alive(self) -> bool:
        found = subprocess.run([*self.tmux, "has-session", "-t", self.name], capture_output=True)
        return found.returncode == 0

    def wait_for(self, seen: Callable[[str], bool], timeout: float = 60.0) -> str:
        """Poll the screen until `seen` holds: the app is another process, so there is
        no worker to await; the timeout only bounds a failure."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen() if self.alive() else ""
            if seen(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; the screen shows:\n{text}")
            time.sleep(self.POLL)

    def settle(self, timeout: float = 10.0) -> str:
        """Wait until the screen stops changing (two equal captures in a row): the keys
        sent so far have been handled, so the next ones reach the widget they mean."""
        previous = None
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if text == previous or time.monotonic() > deadline:
                return text
            previous = text
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-session", "-t", self.name], capture_output=True)
