"""Keys are handled one at a time, in the order typed, each after the last one has settled.

Over SSH a burst of keys often arrives in one read: "o" then "e", Tab then letters,
ctrl+u then a new address. Textual hands each key to the focused widget the moment it
arrives, before the previous key's consequences (a focus move, a screen pushed, a
search started) have happened, so a key can land in the wrong box, on the screen it
was typed to leave, or in a form whose content has not arrived yet; the form's load
then overwrites or mixes with it.

The router queues what the terminal sends (keys and pastes) and hands on the next one
only when every message the last one set off has been handled. A screen that waits for
its data (a record loading, a form being filled or saved) keeps the keys that reach it
meanwhile, and they go on, in order, once it is ready; if it closes first they go on to
whatever is in front then. Only ctrl+q goes through at once, so a stuck load never
keeps anyone in.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from textual import events
from textual._queue import Queue
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import Screen

Typed = events.Key | events.Paste
Route = Callable[[Typed], Awaitable[None]]

PASS_THROUGH = frozenset({"ctrl+q"})
QUEUE_GET = Queue.get.__code__
AWAIT_DEPTH = 30  # a parked pump's task awaits Queue.get a few coroutines deep
# A key whose consequences never settle (a widget that keeps itself busy) lets the
# next one go after this many rounds.
MAX_ROUNDS = 50
# A round waits for a callback from every widget; this often it looks again for widgets
# removed meanwhile, whose callbacks never come.
RECHECK_SECONDS = 0.1


def _gone(node: MessagePump) -> bool:
    return node._closing or node._closed or not node.is_attached


def _parked(task: asyncio.Task[object] | None) -> bool:
    """Whether `task` (a message pump's) is suspended in its queue's get(), i.e. holds no
    message in hand; Textual's queues keep no count of those, so this looks at where the
    task waits. A pump not started yet holds nothing in hand either."""
    if task is None:
        return True
    awaited: object = task.get_coro()
    for _ in range(AWAIT_DEPTH):
        code = getattr(awaited, "cr_code", None)
        if code is None:
            return False
        if code is QUEUE_GET:
            return True
        awaited = getattr(awaited, "cr_await", None)
    return False


async def _round(nodes: list[MessagePump]) -> None:
    """Wait until every one of `nodes` has handled what it held when the round began
    (a callback queued behind it runs), or has gone."""
    waiting: set[MessagePump] = set()
    done = asyncio.Event()

    def handled(node: MessagePump) -> None:
        waiting.discard(node)
        if not waiting:
            done.set()

    for node in nodes:
        if not _gone(node) and node.call_later(handled, node):
            waiting.add(node)
    while waiting:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), RECHECK_SECONDS)
        waiting.difference_update([node for node in waiting if _gone(node)])


class KeyRouter:
    """Hands the app's typed input on one piece at a time (see the module's docstring)."""

    def __init__(self, app: App[Any], route: Route) -> None:
        self._app = app
        self._route = route
        self._arrived: deque[Typed] = deque()
        self._held: dict[Screen[Any], deque[Typed]] = {}
        self._waiting: set[Screen[Any]] = set()
        self._busy = False
        self._replaying: Screen[Any] | None = None  # whose kept keys are going on
        self._pump_posted = False
        self._settling: asyncio.Task[None] | None = None
        # The app's messages run in the task that runs the app (it has no task of its
        # own); the router's pump runs there and notes it.
        self._app_task: asyncio.Task[object] | None = None

    # What the app and its screens tell the router.

    def take(self, event: Typed) -> bool:
        """Queue a key or paste from the terminal; False if it must be handled now."""
        if isinstance(event, events.Key) and event.key in PASS_THROUGH:
            return False
        self._arrived.append(event)
        self._wake()
        return True

    def wait_for(self, screen: Screen[Any]) -> None:
        """`screen` waits for its data: keys that reach it meanwhile are kept for it."""
        self._waiting.add(screen)

    def ready(self, screen: Screen[Any]) -> None:
        """`screen` has its data: the keys kept for it go on, in order."""
        self._waiting.discard(screen)
        self._wake()

    def drop(self, screen: Screen[Any]) -> None:
        """`screen`'s data will not come: the keys kept for it were meant for it, drop them."""
        self._waiting.discard(screen)
        self._held.pop(screen, None)
        self._wake()

    def hand_on(self, screen: Screen[Any]) -> None:
        """The keys kept for `screen` go on to the screen in front, ahead of later ones."""
        self._waiting.discard(screen)
        front = self._app.screen
        if front is not screen and (kept := self._held.pop(screen, None)):
            self._held.setdefault(front, deque()).extendleft(reversed(kept))
        self._wake()

    def waits(self, screen: Screen[Any]) -> bool:
        return screen in self._waiting

    def close(self) -> None:
        if self._settling is not None:
            self._settling.cancel()

    # Handing keys on.

    def _wake(self) -> None:
        if not self._pump_posted:
            self._pump_posted = True
            self._app.call_later(self._pump)

    async def _pump(self) -> None:
        self._app_task = asyncio.current_task()
        self._pump_posted = False
        if self._busy:
            return
        event = self._next()
        if event is None:
            return
        self._busy = True
        try:
            await self._route(event)
        finally:
            self._settling = asyncio.create_task(self._settle())

    def _next(self) -> Typed | None:
        stack = self._app.screen_stack
        for gone in [s for s in self._held if s not in stack]:
            self.hand_on(gone)
        self._waiting.intersection_update(stack)
        replayed, self._replaying = self._replaying, None
        front = self._app.screen
        if replayed is not None and replayed is not front:
            self.hand_on(replayed)  # a key it kept opened another screen: the rest follow
        if front in self._waiting or not front.is_mounted:
            if self._arrived:
                self._held.setdefault(front, deque()).extend(self._arrived)
                self._arrived.clear()
            if not front.is_mounted:
                front.call_later(self._wake)  # handled once it has mounted
            return None
        kept = self._held.get(front)
        if kept:
            event = kept.popleft()
            if not kept:
                del self._held[front]
            else:
                self._replaying = front
            return event
        return self._arrived.popleft() if self._arrived else None

    async def _settle(self) -> None:
        """Wait until every message the last key set off has been handled, then go on:
        every widget's queue is empty and its task is back waiting for the next message."""
        try:
            for _ in range(MAX_ROUNDS):
                busy = [node for node in self._nodes() if not self._idle(node)]
                if not busy:
                    break
                await _round(busy)
        finally:
            self._busy = False
            self._settling = None
            self._wake()

    def _idle(self, node: MessagePump) -> bool:
        if _gone(node):
            return True
        task = self._app_task if node is self._app else node._task
        return node._message_queue.empty() and _parked(task)

    def _nodes(self) -> Iterator[MessagePump]:
        yield self._app
        for screen in self._app.screen_stack:
            yield from screen.walk_children(with_self=True)


class RoutedKeysApp(App[Any]):
    """An app whose typed input goes through a KeyRouter (its `keys`)."""

    def __init__(self) -> None:
        super().__init__()
        self.keys = KeyRouter(self, self._route_typed)

    async def on_event(self, event: events.Event) -> None:
        typed = isinstance(event, events.Key | events.Paste) and not event.is_forwarded
        if typed and self.keys.take(event):  # type: ignore[arg-type]
            return
        await super().on_event(event)

    async def _route_typed(self, event: Typed) -> None:
        await super().on_event(event)


# What a screen says about its data; a no-op in an app without a router.


def _router(screen: Screen[Any]) -> KeyRouter | None:
    router = getattr(screen.app, "keys", None)
    return router if isinstance(router, KeyRouter) else None


def hold_keys(screen: Screen[Any]) -> None:
    """`screen` waits for its data (or for a save): keys typed meanwhile wait with it."""
    if router := _router(screen):
        router.wait_for(screen)


def release_keys(screen: Screen[Any]) -> None:
    """`screen` is ready: the keys typed while it waited go on, in order."""
    if router := _router(screen):
        router.ready(screen)


def drop_keys(screen: Screen[Any]) -> None:
    """`screen`'s data will not come: the keys typed for it are dropped."""
    if router := _router(screen):
        router.drop(screen)


def hand_keys_on(screen: Screen[Any]) -> None:
    """What `screen` waited for opened another screen: the keys typed go on to it."""
    if router := _router(screen):
        router.hand_on(screen)
