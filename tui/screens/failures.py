"""One path from a failed worker to the user, for every screen.

Every worker a screen starts is named by its group; the screen lists the groups it
reports (`FAILURES`), with what could not be done and what becomes of the keys typed
while the work ran: dropped when the data they were meant for will not come (a load),
released when the screen is still as it was (a save). A screen may answer some
failures itself first (a save over a newer version: compare and merge), and may show
a failure in a line of its own instead of a notification (a form's problems line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.errors import reason
from tui.i18n import _
from tui.keys import drop_keys, release_keys


@dataclass(frozen=True, slots=True)
class Failure:
    """How a failed worker of one group reaches the user."""

    title: str  # msgid: what could not be done
    keys: Literal["drop", "release"] = "drop"


class ReportsFailures:
    """A mixin for screens: reports the failures of the worker groups in `FAILURES`."""

    FAILURES: ClassVar[dict[str, Failure]] = {}

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        failure = self.FAILURES.get(event.worker.group)
        if event.state is not WorkerState.ERROR or failure is None:
            return
        error = event.worker.error
        assert error is not None
        if self.answer_failure(event.worker.group, error):
            return
        screen = cast(Screen[Any], self)
        (drop_keys if failure.keys == "drop" else release_keys)(screen)
        self.show_failure(failure, reason(error))

    def answer_failure(self, group: str, error: BaseException) -> bool:
        """A screen's own answer to a failure it knows (True: answered, nothing more)."""
        return False

    def show_failure(self, failure: Failure, why: str) -> None:
        cast(Screen[Any], self).notify(why, title=_(failure.title), severity="error")
