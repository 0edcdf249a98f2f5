"""Textual's Linux driver, made safe for a terminal that goes away under it.

When an SSH line drops, sshd closes the pty and the kernel hangs up the app's
terminal: it sends the session leader (the app, exec'd by ForceCommand) SIGHUP
*and then SIGCONT*; reads return end of file; writes fail with EIO. Textual
8.2.8 mishandles all three (seen as an app orphaned for minutes):

- its SIGCONT handler restarts application mode even though nothing suspended
  it, which starts a second writer thread (the first is left waiting on its
  queue) and a second input thread;
- that writer thread dies on its first EIO, and its bounded queue (30 writes)
  is then never drained: after a few repaints every write, and the driver's
  own `close()`, blocks the event loop in `Queue.put` for good
  (Textualize/textual#6692);
- its input thread spins on end of file and panics on EIO, so a terminal that
  goes without a SIGHUP (one that is not the controlling terminal) is never
  noticed.

This driver resumes only after its own suspension, drops output the terminal
can no longer take (so the writer thread keeps draining its queue), and treats
end of file or EIO on input or output as the hang-up it is: it sends the
process SIGHUP, which the app handles like the kernel's (tui/exit_guard.py).
"""

from __future__ import annotations

import os
import selectors
import signal
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App

READ_SIZE = 1024 * 4


class TerminalOutput:
    """The terminal's output file as Textual's writer thread sees it: once a write
    fails (the terminal hung up), output is dropped and the loss reported once."""

    def __init__(self, file: IO[str], lost: Callable[[], None]) -> None:
        self._file = file
        self._lost = lost
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self._file.write(text)
            except OSError:
                self._break()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._file.flush()
            except OSError:
                self._break()

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return not self.broken and self._file.isatty()

    def _break(self) -> None:
        self.broken = True
        self._lost()


class HangUpSafeDriver(LinuxDriver):
    """A LinuxDriver that lets the app leave when its terminal is gone."""

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._suspended = False
        self._gone = threading.Event()
        terminal = self._file
        assert terminal is not None, "no terminal to write to"
        # The writer thread calls only write, flush and fileno on it.
        self._file = TerminalOutput(terminal, self.terminal_gone)  # type: ignore[assignment]

    def terminal_gone(self) -> None:
        """The terminal reads end of file or fails with EIO: it hung up. Say so the
        way the kernel does for a controlling terminal, once."""
        if not self._gone.is_set():
            self._gone.set()
            os.kill(os.getpid(), signal.SIGHUP)

    def _sigtstp_application(self, *args: Any) -> None:
        self._suspended = True
        super()._sigtstp_application(*args)

    def _sigcont_application(self, *args: Any) -> None:
        # The kernel sends SIGCONT with every hang-up: resume only what was suspended.
        if self._suspended:
            self._suspended = False
            super()._sigcont_application(*args)

    def run_input_thread(self) -> None:
        """Textual's input loop, ended by end of file or EIO on the terminal."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not self.exit_event.is_set():
                if selector.select(0.1):
                    try:
                        data = os.read(self.fileno, READ_SIZE)
                    except OSError:
                        data = b""
                    if not data:
                        self.terminal_gone()
                        return
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
