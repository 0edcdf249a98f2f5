"""`tongxin ledger ...`: the ledgers there are, and exports of them (run by the operator)."""

from __future__ import annotations

import getpass
import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from db.core.connect import Connection
from tui.cli_common import run_db, usage

ledger_app = typer.Typer(help="Ledgers (台账) and statistics: list, export.", no_args_is_help=True)

PURPOSE_LIMIT = 200  # as db.audit.trail.AccessEvent keeps it
_ORG = re.compile(r"\d{4}(\d{2}(\d{3}(\d{3}(\d{2})?)?)?)?")


class Format(StrEnum):
    """File formats of an export."""

    xlsx = "xlsx"
    csv = "csv"


@ledger_app.command("list")
def ledger_list() -> None:
    """List the ledgers: name, view, the options each takes, title."""
    from db.ledgers.catalogue import LEDGERS

    for ledger in LEDGERS.values():
        takes = "--org --month" if ledger.by_month else "--org"
        typer.echo(f"{ledger.name:14} {ledger.view:23} {takes:14} {ledger.zh} / {ledger.en}")


@ledger_app.command("export")
def ledger_export(
    name: Annotated[str, typer.Argument(help="Which ledger (see `tongxin ledger list`).")],
    file_format: Annotated[Format, typer.Option("--format", help="xlsx or csv.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write (must not exist).")],
    purpose: Annotated[str, typer.Option(help="Why (recorded in the audit trail).")],
    org: Annotated[
        str | None, typer.Option(help="Org code of the unit covered (default: the only city).")
    ] = None,
    month: Annotated[str | None, typer.Option(help="Only this month, YYYY-MM.")] = None,
) -> None:
    """Export a ledger for a unit (and month) to Excel or CSV; the export is recorded in the
    audit trail with its purpose once the file is written."""
    from db.ledgers.catalogue import LEDGERS
    from db.ledgers.export import LedgerExport, LedgerExported, export_ledger
    from db.ledgers.scope import parse_month
    from tui.progress import progress_counting

    ledger = LEDGERS.get(name)
    if ledger is None:
        usage(f"ledger {name!r}: no such ledger (there are {', '.join(LEDGERS)})")
    if org is not None and not _ORG.fullmatch(org):
        usage(f"--org: {org!r} is not an org code (4, 6, 9, 12 or 14 digits)")
    when: date | None = None
    if month is not None:
        if not ledger.by_month:
            usage(f"--month: ledger {name} covers no month")
        try:
            when = parse_month(month)
        except ValueError as exc:
            usage(f"--month: {exc}")
    elif ledger.month_needed:
        usage(f"--month: ledger {name} reports on one month; give --month YYYY-MM")
    why = purpose.strip()
    if not 1 <= len(why) <= PURPOSE_LIMIT:
        usage(f"--purpose: say why, in 1 to {PURPOSE_LIMIT} characters")
    request = LedgerExport(
        ledger=name, org=org, month=when, format=file_format.value, output=output,
        purpose=why, prepared_by=getpass.getuser(),
    )  # fmt: skip
    with progress_counting(f"{ledger.zh} {ledger.name}") as (set_total, advance):

        async def work(conn: Connection) -> LedgerExported:
            return await export_ledger(conn, request, on_total=set_total, advance=advance)

        done = run_db(work)
    head = f"; audit chain head {done.chain_head}" if done.chain_head else ""
    typer.echo(f"wrote {done.path}: {done.rows} rows of {ledger.view} for {done.scope}{head}")
