"""Operator commands for data protection: audit trail, keys, retention, subject access."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from db.core.clock import OFFICE_TZ
from db.core.connect import Connection
from tui.cli_common import office_time, run_db, usage

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys of ID and phone numbers.", no_args_is_help=True)
retention_app = typer.Typer(help="Anonymise people who left long ago.", no_args_is_help=True)
person_app = typer.Typer(help="One person's data (subject access).", no_args_is_help=True)

SUBJECT_ACCESS = "个人信息查阅复制请求 / subject access request (PIPL Art. 45)"
PURPOSE_LIMIT = 200  # as db.audit.trail.AccessEvent keeps it


@audit_app.command("show")
def audit_show(
    person: Annotated[str | None, typer.Option(help="Record id or ID number.")] = None,
    user: Annotated[str | None, typer.Option(help="Login name of the actor.")] = None,
    since: Annotated[
        datetime | None,
        typer.Option(help="Only from this date (YYYY-MM-DD), or time, in the office's zone."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """Show the trail, newest first; times are in the office's zone."""
    from db.audit.trail import list_entries
    from db.keys.check import verify_keyring
    from db.keys.crypto import load_keyring
    from db.privacy.subject import find_person
    from db.users import get_user

    start = since.replace(tzinfo=OFFICE_TZ) if since and since.tzinfo is None else since

    async def work(conn: Connection) -> list[Any]:
        person_id = None
        if person is not None:
            keyring = load_keyring()
            await verify_keyring(conn, keyring)
            _, person_id = await find_person(conn, keyring, person)
        actor = (await get_user(conn, user)).pg_role if user is not None else None
        return await list_entries(conn, person_id=person_id, actor=actor, since=start, limit=limit)

    for e in run_db(work):
        changed = ",".join(e.changes or [])
        typer.echo(
            f"{office_time(e.at)} {e.actor:16} {e.action:11} {e.table_name or '':16} "
            f"{e.org_code or '':14} {e.person_id or ''} {changed} {e.purpose or ''}".rstrip()
        )


@audit_app.command("verify")
def audit_verify(
    city: Annotated[
        str | None, typer.Option(help="Only this city's chain (its 4-digit code; - for none).")
    ] = None,
    anchor: Annotated[
        list[str] | None,
        typer.Option(help="A head written down earlier (CHAIN:SEQ:HASH): must still hold."),
    ] = None,
) -> None:
    """Check the hash chains of the trail, one per city: exit 1 names the first broken or
    missing link; else print each chain's rows and its head (keep the head on paper)."""
    from db.audit.chain import NO_CITY, Anchor, verify_chains

    if city is not None and city != NO_CITY and not re.fullmatch(r"\d{4}", city):
        usage(f"--city: {city!r} is not a city code (4 digits, or - for rows without a city)")
    try:
        anchors = [Anchor.parse(text) for text in anchor or []]
    except ValueError as exc:
        usage(f"--anchor: {exc}")
    if city is not None and any(a.chain != city for a in anchors):
        usage(f"--anchor: with --city {city}, give only heads of chain {city}")
    reports = run_db(lambda conn: verify_chains(conn, city, anchors))
    if not reports:
        typer.echo("the audit trail is empty: nothing to verify")
    for r in reports:
        waiting = f"; {_rows(r.waiting)} still waiting to be sealed" if r.waiting else ""
        typer.echo(f"chain {r.label}: {_rows(r.rows)} verified; head {r.anchor}{waiting}")


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


@keys_app.command("init")
def keys_init() -> None:
    """Create the key file (TONGXIN_KEY_FILE) if there is none and the database holds
    nothing sealed yet; record its check value in the database (once, also for an
    existing installation). Never replaces a key file."""
    from db.keys.rotation import init_keys

    done = run_db(init_keys)
    state = "created" if done.created else "exists"
    check = "check recorded" if done.recorded else "matches the database"
    typer.echo(f"{done.path} {state}; active key {done.active_key}; {check}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Encrypt every ID and phone number under a new key; sessions keep working."""
    from db.keys.rotation import rotate

    done = run_db(rotate)
    typer.echo(
        f"new key {done.new_key}; {done.rows} rows re-encrypted; "
        f"older keys kept for backups: {', '.join(done.retired_keys)}"
    )


@retention_app.command("run")
def retention_run(
    months: Annotated[int, typer.Option(min=1, help="Left the city more than N months ago.")] = 24,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count.")] = False,
) -> None:
    """Anonymise people who left the city long ago, keeping them in statistics."""
    from db.core.clock import today
    from db.privacy.retention import run_retention

    result = run_db(lambda conn: run_retention(conn, today=today(), months=months, dry_run=dry_run))
    verb = "would anonymise" if dry_run else "anonymised"
    typer.echo(f"{verb} {result.due} persons who left before {result.cutoff.isoformat()}")


@person_app.command("export")
def person_export(
    ref: Annotated[str, typer.Argument(help="Record id or resident ID number.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSON file to write.")],
    purpose: Annotated[
        str, typer.Option(help="Why (recorded in the audit trail).")
    ] = SUBJECT_ACCESS,
) -> None:
    """Write everything held about one person to a JSON file (PIPL Art. 45); the export
    is recorded in the audit trail once the file is written."""
    from db.keys.check import verify_keyring
    from db.keys.crypto import load_keyring
    from db.privacy.subject import export_subject

    why = purpose.strip()
    if not 1 <= len(why) <= PURPOSE_LIMIT:
        usage(f"--purpose: say why, in 1 to {PURPOSE_LIMIT} characters")

    async def work(conn: Connection) -> None:
        keyring = load_keyring()
        await verify_keyring(conn, keyring)
        await export_subject(conn, keyring, ref, why, output)

    run_db(work)
    typer.echo(f"wrote {output}")
