"""The app as grid workers reach it: a thin client's ssh, a real sshd, ForceCommand."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil
import pytest

from tests.e2e.conftest import SshApp
from tests.e2e.tmux import Terminal

MASKED_ID = re.compile(r"\d{4}\*{14}")
FULL_ID = re.compile(r"(?<!\d)\d{17}[\dX](?![\dX])")


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _until(done: Callable[[], bool], timeout: float, failure: str) -> None:
    """Poll another process's state; the timeout only bounds a failure."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(failure)
        time.sleep(0.1)


def to_person_list(term: Terminal) -> None:
    """From the grid worker's home screen, their first, on to the person list (`l`)."""
    term.wait_for(lambda s: "首页：我的待办" in s, timeout=60)
    term.keys("l")
    term.wait_for(lambda s: bool(MASKED_ID.search(s)), timeout=60)


@contextmanager
def _session(ssh_app: SshApp) -> Iterator[tuple[Terminal, psutil.Process]]:
    """Log in over ssh in an 80x24 tmux pane and go on to the person list; yield the
    client's terminal and the server-side app process. Neither outlives the test:
    an app that ignores its hang-up would otherwise linger past sshd's teardown."""
    ssh_app.pid_file.unlink(missing_ok=True)
    term = Terminal(ssh_app.server.client_command())
    app: psutil.Process | None = None
    try:
        to_person_list(term)
        _until(lambda: ssh_app.pid_file.stat().st_size > 0, 5, "the session wrote no PID")
        app = psutil.Process(int(ssh_app.pid_file.read_text()))
        assert "tui" in app.cmdline(), "the session's process is the app itself (exec)"
        yield term, app
    finally:
        term.close()
        if app is not None and _running(app):
            app.kill()


def test_grid_worker_over_ssh_sees_masked_ids_opens_help_and_quits(ssh_app: SshApp) -> None:
    with _session(ssh_app) as (term, app):
        screen = term.screen()
        assert "同心" in screen
        assert not FULL_ID.search(screen), f"a full ID number on screen:\n{screen}"
        term.keys("?")
        help_screen = term.wait_for(lambda s: "关闭" in s)
        assert "退出" in help_screen
        # Esc right before another key reads as Alt+key over a terminal; close with Enter.
        term.keys("Enter")
        term.wait_for(lambda s: "关闭" not in s and bool(MASKED_ID.search(s)))
        term.keys("q")
        # The ssh client exits with the remote app, which ends its tmux session.
        term.wait_for(lambda s: not term.alive(), timeout=20)
        _until(lambda: not _running(app), 10, f"the app (PID {app.pid}) outlived its session")


def test_app_exits_when_the_ssh_connection_drops(ssh_app: SshApp) -> None:
    with _session(ssh_app) as (term, app):
        # Killing the tmux session hangs up the ssh client, as closing a thin client's
        # window does; sshd then closes the pty and the kernel sends the app SIGHUP.
        term.close()
        assert not term.alive()
        _until(
            lambda: not _running(app),
            15,
            f"the app (PID {app.pid}) still runs after its ssh connection dropped",
        )
