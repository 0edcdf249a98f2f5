"""What the key router costs: a burst of keys into the registration form, as one read
over SSH delivers it, handled one at a time (tui/keys.py) against Textual's own
dispatch (the router bypassed), in the same run on the same database."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import asyncpg
from textual import events
from textual.widgets import Input

import tui.app
from bench.cluster import bench_dsn, machine, seeded
from db.core.clock import today
from db.keys.crypto import DataKey, Keyring
from db.users import add_user
from tui.app import TongxinApp
from tui.keys import RoutedKeysApp
from tui.screens.person_form import PersonFormScreen

BURST = 100


class Unrouted(TongxinApp):
    """The app with Textual's dispatch: every key goes to the focus as it arrives."""

    CSS_PATH = str(Path(tui.app.__file__).with_name("app.tcss"))  # not beside this file

    async def on_event(self, event: events.Event) -> None:
        await super(RoutedKeysApp, self).on_event(event)


async def _burst(app_class: type[TongxinApp], dsn: str, keys: Keyring, login: str) -> float:
    app = app_class(dsn, keyring=keys, login=login)
    async with app.run_test(size=(80, 24)) as pilot:
        while not app.screen_stack or app.pool is None:
            await pilot.pause()
        await pilot.pause(0.5)
        await pilot.press("a")
        while not (isinstance(app.screen, PersonFormScreen) and app.screen.ready):
            await pilot.pause()
        box = app.focused
        assert isinstance(box, Input)
        started = time.perf_counter()
        for _ in range(BURST):
            app.post_message(events.Key("x", "x"))
        while len(box.value) < BURST:  # noqa: ASYNC110 - watching, not waking: no hook to await
            await asyncio.sleep(0.001)
        return time.perf_counter() - started


async def _prepare(dsn: str, keys: Keyring) -> str:
    """Demo data and a grid worker of its first grid; their login."""
    conn = await asyncpg.connect(dsn)
    try:
        await seeded(conn, keys, 2_000, today())
        grid = await conn.fetchval("SELECT min(org_code) FROM person")
        return (await add_user(conn, "bench_keys", "grid_worker", grid)).name
    finally:
        await conn.close()


def main(runs: int) -> None:
    key = DataKey.generate()
    keys = Keyring([key], key.key_id)
    results: dict[str, list[float]] = {"routed": [], "unrouted": []}
    with bench_dsn() as dsn:
        login = asyncio.run(_prepare(dsn, keys))
        for _ in range(runs):
            results["routed"].append(asyncio.run(_burst(TongxinApp, dsn, keys, login)))
            results["unrouted"].append(asyncio.run(_burst(Unrouted, dsn, keys, login)))
    routed, plain = (statistics.median(results[k]) for k in ("routed", "unrouted"))
    print(machine())
    print(f"{BURST} keys into the registration form, median of {runs} runs:")
    for label, seconds in (("routed, one key at a time", routed), ("Textual's own", plain)):
        print(f"  {label:26} {seconds * 1000:6.0f} ms, {seconds / BURST * 1000:.2f} ms a key")
    print(f"  ratio: {routed / plain:.1f}x")
