"""The watchdog ends a process whose shutdown blocks for good, as Textual's did after a
hang-up (the event loop stuck in `Queue.put` on a writer thread that had died)."""

from __future__ import annotations

import subprocess
import sys
import time

from tui.exit_guard import WATCHDOG_EXIT_CODE

STUCK = """
import queue
from tui.exit_guard import ExitWatchdog
watchdog = ExitWatchdog()
watchdog.arm(30.0)
watchdog.arm(0.5)   # moved earlier: this deadline counts
watchdog.arm(60.0)  # never later
full = queue.Queue(1)
full.put("frame")
full.put("frame")   # nothing drains it: blocks for good
"""


def test_a_process_stuck_in_its_shutdown_is_ended_at_the_deadline() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", STUCK], timeout=20, capture_output=True)
    assert done.returncode == WATCHDOG_EXIT_CODE, done.stderr
    assert time.monotonic() - started < 10
