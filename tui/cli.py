"""The `tongxin` command: thin wrappers that parse, call db/ and seeds/, and open the app.

The Textual app is imported only inside the commands that open it, so
`tongxin db migrate` or a seed starts fast. Exit codes: 0 ok, 1 a user error
with a one-line reason, 2 usage.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from db.clock import today
from tui.cli_common import fail, pick_lang, run, run_db
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

LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Interface language: zh_CN (default) or en."),
]


AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this app user (default: the OS login user)."),
]


def login_name(as_user: str | None) -> str:
    return as_user or getpass.getuser()


@app.callback()
def main(ctx: typer.Context, lang: LangOption = None, as_user: AsOption = None) -> None:
    """Open the app (the default when no command is given)."""
    if ctx.invoked_subcommand is None:
        open_app(dsn=None, lang=pick_lang(lang), login=login_name(as_user))


@app.command()
def tui(lang: LangOption = None, as_user: AsOption = None) -> None:
    """Open the app on the database named by TONGXIN_DSN (or the embedded one)."""
    open_app(dsn=None, lang=pick_lang(lang), login=login_name(as_user))


@app.command()
def demo(
    persons: Annotated[int, typer.Option(min=0, help="Demo persons to load if empty.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed of the demo data.")] = 1,
    lang: LangOption = None,
    as_user: AsOption = None,
) -> None:
    """Embedded database: create, migrate, load reference and demo data if empty; open the app."""
    from db.connect import embedded_dsn
    from seeds.bootstrap import prepare_demo

    try:
        dsn = embedded_dsn(say=lambda line: typer.echo(f"tongxin: {line}", err=True))
    except USER_ERRORS as exc:
        fail(one_line(exc))
    login = login_name(as_user)
    with progress_bar("演示数据 demo data", persons) as advance:
        run(
            lambda: prepare_demo(
                dsn, persons=persons, seed=seed, today=today(), login=login, progress=advance
            )
        )
    open_app(dsn=dsn, lang=pick_lang(lang), login=login)


def open_app(*, dsn: str | None, lang: str, login: str) -> None:
    """Refuse an unknown or disabled user here, with one line and exit 1, before any
    screen is drawn; then run the app as that user."""
    from db.connect import resolve_dsn
    from db.crypto import load_keyring
    from db.session import login as find_user

    try:
        target = dsn or resolve_dsn()
        keyring = load_keyring()
    except USER_ERRORS as exc:
        fail(one_line(exc))
    run_db(lambda conn: find_user(conn, login), target)
    from tui.app import TongxinApp

    TongxinApp(target, lang=lang, keyring=keyring, login=login).run()


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (V files once, R files when changed)."""
    from db.migrate import migrate_dsn

    applied = run(migrate_dsn)
    typer.echo("\n".join(f"applied {name}" for name in applied) or "up to date")


@db_app.command("status")
def db_status() -> None:
    """List every migration and whether it is applied, pending or changed."""
    from db.migrate import status_dsn

    rows = run(status_dsn)
    for row in rows:
        when = row.applied_at.strftime("%Y-%m-%d %H:%M") if row.applied_at else ""
        typer.echo(f"{row.state:8} {row.name:40} {when}")
    if any(row.state in ("changed", "missing") for row in rows):
        raise typer.Exit(1)


@seed_app.command("reference")
def seed_reference() -> None:
    """Load or refresh ethnic groups, divisions, org units and departments."""
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
