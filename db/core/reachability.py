"""Whether the database can be reached: which errors say it went away, a probe, and
how long to wait between probes.

A server that stops under an open app takes its pool's connections with it;
asyncpg opens new ones on the next acquire once the server is back, so the app
only has to notice, say so, and try again now and then.
"""

from __future__ import annotations

import asyncio

import asyncpg

from db.core.connect import DatabaseUnavailable, Pool

PROBE_TIMEOUT = 5.0  # seconds: a probe that waits longer counts as unreachable
RETRY_FIRST = 1.0  # seconds before the first retry; each later one waits twice as long
RETRY_CAP = 15.0  # ... but never longer than this

# The server is gone (its socket, or its TCP port, refuses us), shutting down, or
# starting up; or the connection broke in the middle of an operation.
_LOST = (
    OSError,
    DatabaseUnavailable,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def is_unreachable(exc: BaseException) -> bool:
    """Whether `exc` says the server cannot be reached (rather than refusing the work)."""
    if isinstance(exc, _LOST):
        return True
    return isinstance(exc, asyncpg.InterfaceError) and "connection is closed" in str(exc)


def retry_delay(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (0 first): doubling, capped."""
    return min(RETRY_CAP, RETRY_FIRST * 2.0 ** min(attempt, 32))


async def responds(pool: Pool) -> bool:
    """Whether the server answers a trivial query through `pool` within PROBE_TIMEOUT."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT), pool.acquire() as conn:
            await conn.fetchval("SELECT 1")
    except Exception as exc:
        if is_unreachable(exc):
            return False
        raise
    return True
