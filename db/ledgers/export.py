"""Exporting a ledger to a file, audited with its purpose once the file is complete.

The rows stream from the database into a temporary file beside the target, which is
renamed into place once written and flushed to disk; only then is the export recorded
in the audit trail, in the same transaction as the reading. A file that cannot be
written leaves no audit row; an export that cannot be recorded leaves no file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from db.audit.trail import AccessEvent, record_access
from db.core.clock import OFFICE_TZ
from db.core.connect import Connection
from db.core.errors import UserError
from db.ledgers.catalogue import Ledger, get_ledger
from db.ledgers.layout import ExportHeading
from db.ledgers.reads import Cell, count_rows, stream_rows
from db.ledgers.scope import resolve_scope
from db.privacy.subject import ExportNotWritten

ExportFormat = Literal["xlsx", "csv"]
BATCH = 2000


class MonthNotTaken(UserError):
    """A month was given for a ledger that covers no month."""


class MonthNeeded(UserError):
    """A report of one month was asked for without its month."""


class LedgerExport(BaseModel):
    """What to export, where, and why (the purpose goes into the audit trail)."""

    model_config = ConfigDict(frozen=True)

    ledger: str
    org: str | None = None
    month: date | None = None
    format: ExportFormat
    output: Path
    purpose: str = Field(min_length=1, max_length=200)
    prepared_by: str
    lang: Literal["zh", "en"] = "zh"


class LedgerExported(BaseModel):
    """A finished export."""

    model_config = ConfigDict(frozen=True)

    path: Path
    rows: int
    scope: str
    chain_head: str | None


class _Writer(Protocol):
    def add(self, rows: list[tuple[Cell, ...]]) -> None: ...
    def close(self) -> None: ...


def _writer(kind: ExportFormat, path: Path, heading: ExportHeading, rows: int) -> _Writer:
    if kind == "xlsx":
        from db.ledgers.sheets import SheetWriter

        return SheetWriter(path, heading, rows)
    from db.ledgers.table_csv import CsvWriter

    return CsvWriter(path, heading, rows)


async def chain_head(conn: Connection, city: str) -> str | None:
    """The city's audit chain head as `tongxin audit verify` prints it, or None."""
    head = await conn.fetchval("SELECT tx_chain_head($1)", city)
    return str(head) if head is not None else None


def audited_name(ledger: Ledger, month: date | None) -> str:
    """What the audit row names as exported: the view, and the month if one was chosen."""
    return f"{ledger.view} {month:%Y-%m}" if month else ledger.view


async def export_ledger(
    conn: Connection,
    request: LedgerExport,
    *,
    on_total: Callable[[int], None] | None = None,
    advance: Callable[[int], None] | None = None,
) -> LedgerExported:
    """Write the ledger for the unit and month asked, as whoever `conn` acts as (its
    outermost transaction is this function's, or the caller's `acting_as`)."""
    ledger = get_ledger(request.ledger)
    if request.month is not None and not ledger.by_month:
        raise MonthNotTaken(f"ledger {ledger.name}: it covers no month; give no month")
    if request.month is None and ledger.month_needed:
        raise MonthNeeded(f"ledger {ledger.name}: it reports on one month; give the month")
    target = request.output
    if target.exists():
        raise ExportNotWritten(f"{target}: the file exists; choose another name")
    placed = False
    temporary: Path | None = None
    try:
        async with conn.transaction():
            scope = await resolve_scope(conn, request.org)
            total = await count_rows(conn, ledger, scope.code, request.month)
            if on_total is not None:
                on_total(total)
            heading = ExportHeading(
                ledger=ledger, scope=scope, month=request.month, lang=request.lang,
                prepared_by=request.prepared_by, made_at=datetime.now(OFFICE_TZ),
                chain_head=await chain_head(conn, scope.city),
            )  # fmt: skip
            temporary = _temporary_beside(target)
            written = await _write(conn, request.format, temporary, heading, total, advance)
            await asyncio.to_thread(_put_in_place, temporary, target)
            placed, temporary = True, None
            await record_access(conn, AccessEvent(
                action="export", purpose=request.purpose, org_code=scope.code,
                city_code=scope.city, table_name=audited_name(ledger, request.month),
                row_count=written,
            ))  # fmt: skip
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if placed:
            target.unlink(missing_ok=True)
        raise
    return LedgerExported(
        path=target, rows=written, scope=scope.code, chain_head=heading.chain_head
    )


async def _write(
    conn: Connection,
    kind: ExportFormat,
    path: Path,
    heading: ExportHeading,
    total: int,
    advance: Callable[[int], None] | None,
) -> int:
    """Stream the rows into `path`, a batch at a time; the file work runs off the loop."""
    ledger = heading.ledger
    writer = await asyncio.to_thread(_writer, kind, path, heading, total)
    written, batch = 0, []
    try:
        async for row in stream_rows(conn, ledger, heading.scope.code, heading.month):
            batch.append(row)
            if len(batch) == BATCH:
                await asyncio.to_thread(writer.add, batch)
                written += len(batch)
                if advance is not None:
                    advance(len(batch))
                batch = []
        if batch:
            await asyncio.to_thread(writer.add, batch)
            written += len(batch)
            if advance is not None:
                advance(len(batch))
    finally:
        await asyncio.to_thread(writer.close)
    return written


def _temporary_beside(target: Path) -> Path:
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise ExportNotWritten(f"cannot write {target}: {exc.strerror}") from exc
    os.close(fd)  # mkstemp made it 0600: the export holds personal data
    return Path(name)


def _put_in_place(temporary: Path, target: Path) -> None:
    try:
        with temporary.open("rb") as done:
            os.fsync(done.fileno())
        if target.exists():
            raise ExportNotWritten(f"{target}: the file appeared meanwhile; choose another name")
        os.replace(temporary, target)
    except OSError as exc:
        raise ExportNotWritten(f"cannot write {target}: {exc.strerror}") from exc
