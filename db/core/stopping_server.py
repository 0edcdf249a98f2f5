"""An embedded server that is still shutting down when the next run wants it.

pgserver treats any live postmaster of the data directory as the server to use
and then asserts that it is ready, so a run started while the previous server
stops (a fast shutdown writing its last checkpoint, or a smart one waiting for
its clients) ended in a traceback. Before starting, wait for such a server to
be gone, for a bounded time, and otherwise say what is going on in one line.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from db.core.errors import UserError

STOP_WAIT_SECONDS = 60.0  # a fast shutdown of a large demo may checkpoint for a while
POLL_SECONDS = 0.2
WAITING = "waiting for the previous database server to stop…"
# postmaster.pid: PID, data directory, start time, port, socket directory,
# listen address, shared memory key, status ("starting", "ready", "stopping", ...).
_STATUS_LINE = 7


class ServerStillStopping(UserError):
    """The previous embedded server did not finish shutting down in time."""


@dataclass(frozen=True, slots=True)
class Postmaster:
    """The live postmaster of a data directory, as its postmaster.pid describes it."""

    pid: int
    status: str


def live_postmaster(pgdata: Path) -> Postmaster | None:
    """The postmaster running on `pgdata`, or None (no PID file, or a stale one)."""
    import psutil  # type: ignore[import-untyped]  # pgserver's own dependency; no stubs

    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
        process = psutil.Process(pid)
        alive = process.name() == "postgres" and process.status() != psutil.STATUS_ZOMBIE
    except (OSError, ValueError, IndexError, psutil.Error):
        return None
    if not alive:
        return None  # the PID was reused by another program
    # The server writes the file line by line as it starts: no status yet is "starting".
    status = lines[_STATUS_LINE].strip() if len(lines) > _STATUS_LINE else "starting"
    return Postmaster(pid, status)


def wait_until_stopped(
    pgdata: Path,
    say: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> None:
    """Return once no postmaster of `pgdata` is shutting down.

    While one is, `say` is told once that we wait; after `timeout` seconds
    (STOP_WAIT_SECONDS) `ServerStillStopping` names the server and what to do.
    """
    timeout = STOP_WAIT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + timeout
    told = False
    while (postmaster := live_postmaster(pgdata)) is not None and postmaster.status == "stopping":
        if time.monotonic() >= deadline:
            raise ServerStillStopping(
                f"the previous database server (PID {postmaster.pid}) is still shutting down "
                f"after {timeout:.0f} s, probably waiting for its clients to leave; "
                "close them, or try again later"
            )
        if not told and say is not None:
            say(WAITING)
        told = True
        time.sleep(POLL_SECONDS)


def stop(pgdata: Path, timeout: float | None = None) -> bool:
    """Stop the embedded server of `pgdata` (a fast shutdown: its clients are let go and
    what they had not committed is rolled back); whether one was running. Raises
    `ServerStillStopping` if it is not gone after `timeout` seconds."""
    import signal

    postmaster = live_postmaster(pgdata)
    if postmaster is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(postmaster.pid, signal.SIGINT)
    wait_until_stopped(pgdata, timeout=timeout)
    deadline = time.monotonic() + (STOP_WAIT_SECONDS if timeout is None else timeout)
    while live_postmaster(pgdata) is not None:  # after "stopping", until the process is gone
        if time.monotonic() >= deadline:
            raise ServerStillStopping(
                f"the database server (PID {postmaster.pid}) did not stop; try again later"
            )
        time.sleep(POLL_SECONDS)
    return True
