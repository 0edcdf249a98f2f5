"""Reading a ledger: keyset pages for the screen, a stream of every row for an export.

Both read the ledger's one statement (db/ledgers/catalogue.py) in the order of its
key, as whoever the connection acts as: row-level security decides what they see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection
from db.ledgers.catalogue import Ledger, get_ledger

Cell = str | int | float | bool | date | UUID | None
STREAM_BATCH = 2000


class LedgerPage(BaseModel):
    """One page of a ledger: its rows (every column read, by name) and the key after
    the last one, or None when no row follows."""

    model_config = ConfigDict(frozen=True)

    ledger: str
    rows: list[dict[str, Cell]]
    after: list[Cell] | None


def _arguments(ledger: Ledger, scope: str, month: date | None) -> list[Any]:
    return [scope, month if ledger.by_month else None]


def _ordered(
    ledger: Ledger, *, first_key: int | None, limit: int | None, columns: str = "*"
) -> str:
    keys = ", ".join(k.name for k in ledger.key)
    sql = f"SELECT {columns} FROM ({ledger.source}) r"
    if first_key is not None:
        params = ", ".join(f"${first_key + i}::{k.sql_type}" for i, k in enumerate(ledger.key))
        sql += f" WHERE ({keys}) > ({params})"
    sql += f" ORDER BY {keys}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql


async def ledger_page(
    conn: Connection,
    name: str,
    scope: str,
    month: date | None = None,
    after: Sequence[Cell] | None = None,
    limit: int = 50,
) -> LedgerPage:
    """The rows of ledger `name` for `scope` (and `month`), after the key `after` (from
    the page before; None for the first page), at most `limit` of them."""
    ledger = get_ledger(name)
    args = _arguments(ledger, scope, month)
    first_key = None
    if after is not None:
        if len(after) != len(ledger.key):
            raise ValueError(f"{name}: a page key has {len(ledger.key)} values")
        first_key = len(args) + 1
        args += list(after)
    rows = await conn.fetch(_ordered(ledger, first_key=first_key, limit=limit + 1), *args)
    page = [dict(r.items()) for r in rows[:limit]]
    more = len(rows) > limit
    last = [page[-1][k.name] for k in ledger.key] if more else None
    return LedgerPage(ledger=name, rows=page, after=last)


async def count_rows(conn: Connection, ledger: Ledger, scope: str, month: date | None) -> int:
    """How many rows the ledger has for the scope (the length of an export's bar)."""
    sql = f"SELECT count(*) FROM ({ledger.source}) r"
    return int(await conn.fetchval(sql, *_arguments(ledger, scope, month)))


async def stream_rows(
    conn: Connection, ledger: Ledger, scope: str, month: date | None, *, batch: int = STREAM_BATCH
) -> AsyncIterator[tuple[Cell, ...]]:
    """Every row, in the ledger's order, as a tuple of `ledger.read`; `conn` must be in a
    transaction. Rows come through a cursor, `batch` at a time, so a city's registry
    streams in bounded memory."""
    sql = _ordered(ledger, first_key=None, limit=None, columns=", ".join(ledger.read))
    async for row in conn.cursor(sql, *_arguments(ledger, scope, month), prefetch=batch):
        yield tuple(row.values())
