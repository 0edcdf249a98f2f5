"""The monthly counts (sql/V022) of a bulk load into empty tables, made once at its end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from db.core.connect import Connection


@asynccontextmanager
async def counted_at_the_end(conn: Connection) -> AsyncIterator[None]:
    """Within the load's transaction, as its superuser owner: the person events it
    writes are counted once, after the load, instead of per statement. Only for a load
    into empty tables: every event then counts in its own month."""
    await conn.execute("SELECT set_config('tongxin.counts_deferred', 'on', true)")
    yield
    await conn.execute("SELECT set_config('tongxin.counts_deferred', 'off', true)")
    await conn.execute("SELECT ledger_count_afresh()")
