"""End-to-end fixtures: a demo data directory and a private sshd that forces the app."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.e2e.sshd import SshServer, missing_tools, write_session_script

TONGXIN = str(Path(sys.executable).with_name("tongxin"))
# What `tongxin demo` does before it opens the app: migrate, reference data,
# demo persons, demo users (demo_grid among them).
PREPARE_DEMO = """
import asyncio
from db.core.clock import today
from db.core.connect import embedded_dsn
from seeds.bootstrap import prepare_demo
asyncio.run(prepare_demo(embedded_dsn(), persons=300, seed=1, today=today()))
"""


@dataclass(frozen=True)
class SshApp:
    """The private sshd whose forced command is `tongxin tui --as demo_grid`, and the
    file where each session writes the app's PID."""

    server: SshServer
    pid_file: Path


@pytest.fixture(scope="session")
def openssh() -> None:
    """Fail, never skip, without OpenSSH: CI installs it (.ci/run)."""
    missing = missing_tools()
    if missing:
        pytest.fail(
            f"OpenSSH is not installed (missing {', '.join(missing)}): "
            "apt-get install openssh-server openssh-client",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def demo_data_dir() -> Iterator[Path]:
    """A TONGXIN_DATA_DIR holding an embedded cluster with 300 demo persons and the
    demo users; the cluster is stopped and the directory removed at the end.

    Like tests/conftest.py, it lives outside pytest's basetemp, which a
    concurrent pytest run may prune.
    """
    root = Path(tempfile.mkdtemp(prefix="tongxin-e2e-"))
    data = root / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("TONGXIN_DSN", "TONGXIN_KEY_FILE")}
    env |= {"TONGXIN_DATA_DIR": str(data), "LANG": "C.UTF-8"}
    try:
        subprocess.run([sys.executable, "-c", PREPARE_DEMO], env=env, check=True, timeout=240)
        yield data
    finally:
        stop_cluster(data / "pgdata")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def ssh_app(openssh: None, demo_data_dir: Path) -> Iterator[SshApp]:
    """A private sshd on 127.0.0.1 whose every session is the app as demo_grid."""
    root = Path(tempfile.mkdtemp(prefix="tongxin-sshd-"))
    pid_file = root / "app.pid"
    script = write_session_script(
        root / "session.sh",
        [TONGXIN, "tui", "--as", "demo_grid"],
        {"TONGXIN_DATA_DIR": str(demo_data_dir), "LANG": "C.UTF-8"},
        pid_file,
    )
    try:
        server = SshServer(root, shlex.quote(str(script)))
        try:
            yield SshApp(server, pid_file)
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def stop_cluster(pgdata: Path) -> None:
    """Fast-shut-down the embedded postmaster the app leaves running between sessions."""
    try:
        postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
        if postmaster.name() != "postgres":
            return  # a stale PID file; the number now belongs to someone else
        postmaster.send_signal(signal.SIGINT)
        try:
            postmaster.wait(timeout=30)
        except psutil.TimeoutExpired:
            postmaster.kill()
    except (OSError, ValueError, IndexError, psutil.NoSuchProcess):
        pass
