"""The `tongxin` command: thin wrappers that parse, call db/ and seeds/, and open the app.

The Textual app is imported only inside the commands that open it, so
`tongxin db migrate` or a seed starts fast. Exit codes: 0 ok, 1 a user error
with a one-line reason, 2 usage.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from typing import Annotated

import typer

from db.core.clock import today
from tui.cli_common import fail, lang_code, office_time, pick_lang, run, run_db, usage
from tui.cli_ledgers import ledger_app
from tui.cli_privacy import audit_app, keys_app, person_app, retention_app
from tui.cli_users import user_app
from tui.errors import USER_ERRORS, one_line
from tui.progress import progress_bar

app = typer.Typer(
    help="同心 tongxin: service records for ethnic-minority residents.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: migrate, status.", no_args_is_help=True)
seed_app = typer.Typer(help="Load reference or demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(person_app, name="person")
app.add_typer(ledger_app, name="ledger")

LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Interface language: zh_CN (default) or en."),
]


AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this app user (default: the OS login user)."),
]

# The commands that open the app, and so take --as and --lang before or after their name.
APP_COMMANDS = ("tui", "demo")


@dataclass(frozen=True)
class AppOptions:
    """--lang and --as as given before the command's name (`tongxin --as X tui`)."""

    lang: str | None = None
    as_user: str | None = None


def _once(option: str, before: str | None, after: str | None) -> str | None:
    if before is not None and after is not None and before != after:
        usage(f"{option} given twice, as {before!r} and {after!r}: give it once")
    return after if after is not None else before


def app_options(ctx: typer.Context, lang: str | None, as_user: str | None) -> AppOptions:
    """The command's --lang and --as with the ones given before its name; they must agree."""
    group = ctx.find_object(AppOptions) or AppOptions()
    lang_before = lang_code(group.lang) if group.lang is not None else None
    lang_after = lang_code(lang) if lang is not None else None
    return AppOptions(
        _once("--lang", lang_before, lang_after), _once("--as", group.as_user, as_user)
    )


@app.callback()
def main(ctx: typer.Context, lang: LangOption = None, as_user: AsOption = None) -> None:
    """Open the app (the default when no command is given)."""
    if ctx.invoked_subcommand is None:
        open_app(dsn=None, lang=pick_lang(lang), login=as_user or getpass.getuser())
        return
    if ctx.invoked_subcommand not in APP_COMMANDS:
        for option, value in (("--as", as_user), ("--lang", lang)):
            if value is not None:
                usage(f"{option} is for the app (tongxin, tongxin tui, tongxin demo), "
                      f"not for `tongxin {ctx.invoked_subcommand}`")  # fmt: skip
    ctx.obj = AppOptions(lang, as_user)


@app.command()
def tui(ctx: typer.Context, lang: LangOption = None, as_user: AsOption = None) -> None:
    """Open the app on the database named by TONGXIN_DSN (or the embedded one)."""
    options = app_options(ctx, lang, as_user)
    open_app(dsn=None, lang=pick_lang(options.lang), login=options.as_user or getpass.getuser())


@app.command()
def demo(
    ctx: typer.Context,
    persons: Annotated[int, typer.Option(min=0, help="Demo persons to load if empty.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed of the demo data.")] = 1,
    lang: LangOption = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this demo user (default: choose on the first screen)."),
    ] = None,
) -> None:
    """Embedded database: create, migrate, load reference and demo data if empty; open the app
    as the --as user, or on a first screen that offers each kind of demo user."""
    from db.core.connect import embedded_dsn
    from seeds.bootstrap import DEMO_USER_NAMES, prepare_demo

    options = app_options(ctx, lang, as_user)
    try:
        dsn = embedded_dsn(say=lambda line: typer.echo(f"tongxin: {line}", err=True))
    except USER_ERRORS as exc:
        fail(one_line(exc))
    login = options.as_user
    with progress_bar("演示数据 demo data", persons) as advance:
        run(
            lambda: prepare_demo(
                dsn, persons=persons, seed=seed, today=today(), login=login, progress=advance
            )
        )
    choices = () if login else DEMO_USER_NAMES
    open_app(dsn=dsn, lang=pick_lang(options.lang), login=login, choose_from=choices)


def open_app(
    *, dsn: str | None, lang: str, login: str | None, choose_from: tuple[str, ...] = ()
) -> None:
    """Refuse an unknown or disabled user, or a key file that is not this database's,
    here, with one line and exit 1, before any screen is drawn; then run the app as
    that user (or on the choice of `choose_from`)."""
    from db.core.connect import Connection, resolve_dsn
    from db.core.session import login as find_user
    from db.keys.check import verify_keyring
    from db.keys.crypto import load_keyring

    try:
        target = dsn or resolve_dsn()
        keyring = load_keyring()
    except USER_ERRORS as exc:
        fail(one_line(exc))

    async def check(conn: Connection) -> None:
        if login is not None:
            await find_user(conn, login)
        await verify_keyring(conn, keyring)

    run_db(check, target)
    from tui.app import TongxinApp

    TongxinApp(target, lang=lang, keyring=keyring, login=login, choose_from=choose_from).run()


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (V files once, R files when changed)."""
    from db.core.migrate import migrate_dsn

    applied = run(migrate_dsn)
    typer.echo("\n".join(f"applied {name}" for name in applied) or "up to date")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded database server (it starts again with the next command that needs it)."""
    from db.core.connect import DSN_ENV, data_dir
    from db.core.stopping_server import stop

    if os.environ.get(DSN_ENV):
        fail(f"{DSN_ENV} is set: that server is not the embedded one, and not stopped here")
    try:
        stopped = stop(data_dir() / "pgdata")
    except USER_ERRORS as exc:
        fail(one_line(exc))
    typer.echo("stopped the embedded database server" if stopped else
               "the embedded database server is not running")  # fmt: skip


@db_app.command("status")
def db_status() -> None:
    """List every migration and whether it is applied, pending or changed."""
    from db.core.migrate import status_dsn

    rows = run(status_dsn)
    for row in rows:
        when = office_time(row.applied_at) if row.applied_at else ""
        typer.echo(f"{row.state:8} {row.name:40} {when}")
    if any(row.state in ("changed", "missing") for row in rows):
        raise typer.Exit(1)


@seed_app.command("reference")
def seed_reference() -> None:
    """Load or refresh ethnic groups, divisions, org units, departments and the Eid days."""
    from seeds.bootstrap import load_reference_data

    for loaded in run(load_reference_data):
        typer.echo(f"{loaded.name:14} {loaded.rows:6} rows  ({loaded.edition})")


@seed_app.command("demo")
def seed_demo(
    persons: Annotated[int, typer.Option(min=1, help="How many persons to generate.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 1,
) -> None:
    """Generate deterministic demo persons into the demo grids (loaded with COPY)."""
    from seeds.bootstrap import load_demo_data

    with progress_bar("演示数据 demo data", persons) as advance:
        loaded = run(
            lambda: load_demo_data(persons=persons, seed=seed, today=today(), progress=advance)
        )
    typer.echo(f"loaded {loaded.persons} persons, {loaded.household_members} household members")
    if loaded.history is not None:
        typer.echo(f"and their history: {loaded.history.summary()}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
