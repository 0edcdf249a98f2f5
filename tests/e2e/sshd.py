"""A private OpenSSH server for end-to-end tests: its own keys, config, port and log.

Sessions reach the app as grid workers do: sshd's `ForceCommand` runs a session
script that sets the environment, records its PID and `exec`s the app, so the
app is the session's process and gets the SIGHUP when the connection drops.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import psutil

SSHD = Path("/usr/sbin/sshd")
# Compiled into Debian's sshd; root's sshd refuses to start without it, and only
# the system service (which these tests do not use) would otherwise create it.
PRIVSEP_DIR = Path("/run/sshd")


def missing_tools() -> list[str]:
    """The OpenSSH programs this machine lacks (empty when the tests can run)."""
    missing = [] if SSHD.exists() else [str(SSHD)]
    return missing + [name for name in ("ssh", "ssh-keygen") if shutil.which(name) is None]


def login_user() -> str:
    """The account sshd authenticates: the real uid's, not $USER (which may lie)."""
    return pwd.getpwuid(os.getuid()).pw_name


def write_session_script(
    path: Path, command: list[str], env: Mapping[str, str], pid_file: Path
) -> Path:
    """Write the script a `ForceCommand` runs: environment, PID file, then `exec`.

    sshd without PAM builds the session environment from scratch (USER, HOME,
    PATH, TERM from the client's pty request), so nothing else leaks in.
    """
    lines = ["#!/bin/sh", f"echo $$ > {shlex.quote(str(pid_file))}"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    lines += ['export TERM="${TERM:-xterm-256color}"', f"exec {shlex.join(command)}"]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o755)
    return path


class SshServer:
    """One `sshd -D` on 127.0.0.1 and a free port, with one client key allowed."""

    def __init__(self, root: Path, force_command: str, *, attempts: int = 3) -> None:
        self.root = root
        self.user = login_user()
        self.log = root / "sshd.log"
        self.client_key = root / "client_ed25519"
        _keygen(root / "host_ed25519")
        _keygen(self.client_key)
        (root / "authorized_keys").write_text((root / "client_ed25519.pub").read_text())
        if os.geteuid() == 0:
            PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        for attempt in range(attempts):
            self.port = _free_port()
            config = self._write_config(force_command)
            self.process = subprocess.Popen(
                [str(SSHD), "-D", "-f", str(config), "-E", str(self.log)],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            # The port was free when chosen but another process may take it first.
            if self._wait_until_listening(timeout=10.0):
                return
            self.stop()
            if attempt == attempts - 1:
                log = self.log.read_text() if self.log.exists() else "(no log)"
                raise RuntimeError(f"sshd did not start; its log:\n{log}")

    def _write_config(self, force_command: str) -> Path:
        settings = {
            "ListenAddress": "127.0.0.1",
            "Port": str(self.port),
            "HostKey": str(self.root / "host_ed25519"),
            "PidFile": str(self.root / "sshd.pid"),
            "AuthorizedKeysFile": str(self.root / "authorized_keys"),
            "AllowUsers": self.user,
            "PubkeyAuthentication": "yes",
            "PasswordAuthentication": "no",
            "KbdInteractiveAuthentication": "no",
            "StrictModes": "no",
            "UsePAM": "no",
            "PermitRootLogin": "prohibit-password",
            "PrintMotd": "no",
            "PrintLastLog": "no",
            "X11Forwarding": "no",
            "AllowTcpForwarding": "no",
            "ForceCommand": force_command,
        }
        config = self.root / "sshd_config"
        config.write_text("".join(f"{key} {value}\n" for key, value in settings.items()))
        return config

    def _wait_until_listening(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def client_command(self) -> list[str]:
        """The `ssh` command line of a thin client logging in to this server."""
        return [
            "ssh", "-tt", "-F", "/dev/null",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
            "-i", str(self.client_key), "-p", str(self.port), f"{self.user}@127.0.0.1",
        ]  # fmt: skip

    def stop(self) -> None:
        """Stop the listener and any session it still serves (by PID, its own children)."""
        try:
            sessions = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            sessions = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for child in sessions:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.terminate()
        _, alive = psutil.wait_procs(sessions, timeout=5)
        for child in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tongxin-e2e", "-f", str(path)],
        check=True,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
