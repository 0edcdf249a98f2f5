"""A session that ends without a quit: the thin client's window closes (the SSH line
drops), the system ends the app (SIGTERM), or the terminal just goes (end of file and
EIO on a tty that is not the app's controlling one, so no SIGHUP comes). Each time the
app stores what the open form holds and is gone within 10 s: an app left over holds
two server connections and blocks a clean shutdown of the database.

The draft is stored while the server answers slowly (a test transaction holds
form_draft locked for 2 s after the end), so the app keeps repainting a terminal
that is gone while it waits, as it does on a busy machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import psutil
import pytest

from db.core.connect import embedded_dsn
from db.keys.crypto import load_keyring
from tests.e2e.conftest import TONGXIN, SshApp
from tests.e2e.test_ssh import MASKED_ID, _running, _until
from tests.e2e.test_ssh_workday import _app_process, _login, _query, _type
from tests.e2e.tmux import Terminal

GONE_WITHIN = 10.0  # seconds from the end of the session to the end of the process
SLOW_ANSWER = 2.0  # seconds the server takes to take the draft


class SlowDrafts:
    """Holds form_draft locked against writes in a transaction of the test's own, so
    the app's draft saves wait until `release()`."""

    def __init__(self, data_dir: Path) -> None:
        self._loop = asyncio.new_event_loop()
        dsn = embedded_dsn(root=data_dir)
        self._lock = self._run(asyncpg.connect(dsn))
        self._watch = self._run(asyncpg.connect(dsn))
        self._run(self._lock.execute("BEGIN; LOCK TABLE form_draft IN EXCLUSIVE MODE"))
        self.released = False

    def _run(self, work: Any) -> Any:
        return self._loop.run_until_complete(work)

    def waiting(self) -> int:
        """How many of the app's statements wait for the lock now."""
        return int(
            self._run(
                self._watch.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )

    def release(self) -> None:
        if not self.released:
            self.released = True
            self._run(self._lock.execute("COMMIT"))

    def close(self) -> None:
        self.release()
        self._run(self._lock.close())
        self._run(self._watch.close())
        self._loop.close()


@contextlib.contextmanager
def _slow_drafts(data_dir: Path) -> Iterator[SlowDrafts]:
    slow = SlowDrafts(data_dir)
    try:
        yield slow
    finally:
        slow.close()


@pytest.fixture
def no_drafts(demo_data_dir: Path) -> Iterator[Path]:
    """The demo data directory with no drafts stored, before the test and after it."""
    _query(demo_data_dir, "DELETE FROM form_draft")
    yield demo_data_dir
    _query(demo_data_dir, "DELETE FROM form_draft")


def _draft_names(data_dir: Path) -> list[str]:
    """The name box of every stored person draft, unsealed with the demo's key file."""
    keyring = load_keyring(data_dir / "tongxin.key", create=False)
    rows = _query(data_dir, "SELECT payload FROM form_draft WHERE form = 'person'")
    return [json.loads(keyring.decrypt("draft", r["payload"]))["form"]["name"] for r in rows]


@contextlib.contextmanager
def _killed_if_left_over(app: psutil.Process) -> Iterator[None]:
    """An app that outlived its session (the failure tested for) is not left running."""
    try:
        yield
    finally:
        if _running(app):
            app.kill()


# type_in(text, shown): type `text` into the focused box, wait until the box shows `shown`.
TypeIn = Callable[[str, str], None]


def _end_while_saving_slowly(
    data_dir: Path, app: psutil.Process, type_in: TypeIn, end: Callable[[], None]
) -> None:
    """Type into the open registration form, end the session with `end()` while the
    server is slow, and check that the app stored all of it and was gone in time."""
    type_in("热依拉", "热依拉")
    _until(lambda: _draft_names(data_dir) == ["热依拉"], 15, "the form was not autosaved")
    with _killed_if_left_over(app), _slow_drafts(data_dir) as slow:
        # Typed after the last autosave: only the save at the end can keep it.
        type_in("·买买提", "热依拉·买买提")
        end()
        ended = time.monotonic()
        _until(
            lambda: (
                not _running(app) or (slow.waiting() > 0 and time.monotonic() - ended > SLOW_ANSWER)
            ),
            GONE_WITHIN,
            "the app did not try to store its draft",
        )
        slow.release()
        _until(
            lambda: not _running(app),
            ended + GONE_WITHIN - time.monotonic(),
            f"the app (PID {app.pid}) still runs {GONE_WITHIN:.0f} s after its session ended",
        )
    assert _draft_names(data_dir) == ["热依拉·买买提"]


def _typing_into(term: Terminal) -> TypeIn:
    def type_in(text: str, shown: str) -> None:
        _type(term, text)
        term.wait_for(lambda s: shown in s)

    return type_in


def _new_person_form(term: Terminal) -> None:
    term.keys("a")
    term.wait_for(lambda s: "新登记" in s)


def test_a_killed_terminal_stores_the_draft_and_the_app_is_gone(
    ssh_app: SshApp, no_drafts: Path
) -> None:
    with _login(ssh_app) as term:
        app = _app_process(ssh_app)
        _new_person_form(term)
        # `tmux kill-session`: the ssh client hangs up, sshd closes the pty, and the
        # kernel sends the app SIGHUP and SIGCONT.
        _end_while_saving_slowly(no_drafts, app, _typing_into(term), term.close)


def test_sigterm_stores_the_draft_and_the_app_is_gone(ssh_app: SshApp, no_drafts: Path) -> None:
    with _login(ssh_app) as term:
        app = _app_process(ssh_app)
        _new_person_form(term)
        _end_while_saving_slowly(
            no_drafts, app, _typing_into(term), lambda: app.send_signal(signal.SIGTERM)
        )


class PtyApp:
    """The app on a pty of the test's own, in a session of its own. Closing the pty's
    master side hangs the terminal up: reads give end of file, writes EIO; when the pty
    is the app's controlling terminal (`controlling`, as under sshd), the kernel also
    sends the app SIGHUP and then SIGCONT, else no signal at all."""

    def __init__(self, data_dir: Path, *, controlling: bool) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
        env |= {"TONGXIN_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", "TERM": "xterm-256color"}
        command = [TONGXIN, "tui", "--as", "demo_grid"]
        # setsid(1) execs in place (this child leads no process group) and, with
        # --ctty, makes the pty on its stdin the new session's controlling terminal.
        self.process = subprocess.Popen(
            ["setsid", "--ctty", *command] if controlling else command,
            stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=not controlling,
        )  # fmt: skip
        os.close(slave)
        self._output = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.closed = False

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            while chunk := os.read(self.master, 65536):
                self._output.extend(chunk)

    def output(self) -> str:
        """Everything the app wrote so far, escape sequences and all."""
        return bytes(self._output).decode("utf-8", errors="replace")

    def wait_for(self, text: str, after: int = 0, timeout: float = 60.0) -> int:
        """Wait until `text` appears in the output past `after`; return where it ends."""
        _until(lambda: text in self.output()[after:], timeout, f"the app never showed {text!r}")
        return len(self.output())

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close_terminal(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.master)

    def stop(self) -> None:
        self.close_terminal()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def _end_by_closing_the_pty(data_dir: Path, *, controlling: bool) -> None:
    pty_app = PtyApp(data_dir, controlling=controlling)
    try:
        pty_app.wait_for("我的待办")  # the grid worker's home screen, then the list
        pty_app.type("l")
        _until(lambda: bool(MASKED_ID.search(pty_app.output())), 60, "the list never showed")
        pty_app.type("a")
        seen = pty_app.wait_for("新登记")

        def type_in(text: str, shown: str) -> None:
            nonlocal seen
            pty_app.type(text)
            seen = pty_app.wait_for(shown, after=seen)

        app = psutil.Process(pty_app.process.pid)
        assert "tui" in app.cmdline(), "the pty's process is the app itself"
        _end_while_saving_slowly(data_dir, app, type_in, pty_app.close_terminal)
    finally:
        pty_app.stop()


def test_a_hung_up_controlling_terminal_stores_the_draft_and_the_app_is_gone(
    no_drafts: Path,
) -> None:
    _end_by_closing_the_pty(no_drafts, controlling=True)


def test_end_of_file_on_the_terminal_stores_the_draft_and_the_app_is_gone(
    no_drafts: Path,
) -> None:
    _end_by_closing_the_pty(no_drafts, controlling=False)
