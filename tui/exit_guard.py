"""Leaving when the terminal goes: the signals that mean it, and a watchdog so the
process ends even if something in the shutdown blocks.

SIGHUP (the SSH line dropped; tui/terminal_driver.py raises it too on end of
file or EIO on the terminal) and SIGTERM (the system asks) both mean: store the
open forms' drafts, then exit. The handler is a plain `signal.signal` one, not
the event loop's, so it runs even while the loop's thread is stuck (a lock wait
is interrupted to run it): it arms the watchdog first, then asks the loop to
leave. An orphan that outlives its session holds two server connections and
blocks a clean database shutdown; the watchdog makes sure there is none.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

LEAVING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
EXIT_GRACE = 3.0  # seconds from "drafts stored, exit" to the end of the process
WATCHDOG_EXIT_CODE = 1  # the process did not end by itself


class ExitWatchdog:
    """Ends the process at a deadline unless it ended by itself first.

    `arm` sets the deadline, or moves it earlier; it never moves it later. The
    process ends with `os._exit`, which closes its sockets, so the server ends
    those backends at once.
    """

    def __init__(self, exit_code: int = WATCHDOG_EXIT_CODE) -> None:
        self._exit_code = exit_code
        self._deadline: float | None = None
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with self._changed:
            if self._deadline is not None and self._deadline <= deadline:
                return
            self._deadline = deadline
            self._changed.notify()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._wait, name="tongxin-exit-watchdog", daemon=True
                )
                self._thread.start()

    def _wait(self) -> None:
        with self._changed:
            while True:
                assert self._deadline is not None
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
        os._exit(self._exit_code)


class LeaveOnHangUp:
    """Runs `leave` on the app's loop when the terminal hangs up or SIGTERM comes,
    with a watchdog armed for `drafts_timeout` plus the grace period."""

    def __init__(self, leave: Callable[[], None], *, drafts_timeout: float) -> None:
        self._leave = leave
        self._drafts_timeout = drafts_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._previous: dict[int, Any] = {}
        self.watchdog = ExitWatchdog()

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        for sig in LEAVING_SIGNALS:
            self._previous[sig] = signal.signal(sig, self._on_signal)

    def uninstall(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
        self._loop = None

    def exiting(self) -> None:
        """The drafts are stored (or given up on): the process has the grace period left.
        Only for a process that installed the handlers (never an app under test)."""
        if self._loop is not None:
            self.watchdog.arm(EXIT_GRACE)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.watchdog.arm(self._drafts_timeout + EXIT_GRACE)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._leave)
