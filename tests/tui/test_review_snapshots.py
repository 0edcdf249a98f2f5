"""Snapshots of a supervisor's review at 80x24, in Chinese and English: the queue (its
first visit returned once, with the comment), a submitted visit opened from it, and
the step that confirms an approval.

The queue is fixed and hand-written (fixed_people.QUEUE). Review a changed SVG
before accepting it with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from db.keys.crypto import Keyring
from db.users import AppUser
from tests.tui.conftest import settle, start_on_list
from tui.app import TongxinApp

SnapCompare = Callable[..., bool]
SMALL = (80, 24)
LANGS = {"zh": "zh_CN", "en": "en"}


def _app(dsn: str, keyring: Keyring, lang: str, user: AppUser) -> TongxinApp:
    return TongxinApp(
        dsn, lang=LANGS[lang], keyring=keyring, login=user.name, user_label="演示 demo"
    )


def _keys(*keys: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    async def run(pilot: Pilot[object]) -> None:
        await start_on_list(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("lang", LANGS)
def test_review_queue(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    queue_supervisor: AppUser,
    lang: str,
) -> None:
    app = _app(fixed_dsn, keyring, lang, queue_supervisor)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("w"))


@pytest.mark.parametrize("lang", LANGS)
def test_submitted_visit_under_review(
    snap_compare: SnapCompare,
    fixed_dsn: str,
    keyring: Keyring,
    queue_supervisor: AppUser,
    lang: str,
) -> None:
    app = _app(fixed_dsn, keyring, lang, queue_supervisor)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("w", "enter"))


def test_approval_is_confirmed_zh(
    snap_compare: SnapCompare, fixed_dsn: str, keyring: Keyring, queue_supervisor: AppUser
) -> None:
    app = _app(fixed_dsn, keyring, "zh", queue_supervisor)
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("w", "down", "a"))
