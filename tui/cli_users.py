"""`tongxin user ...`: app users and their database roles (run by the operator)."""

from __future__ import annotations

from typing import Annotated

import typer

from db.users import RoleKind
from tui.cli_common import run_db

user_app = typer.Typer(help="App users: add, list, disable.", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="Login name (the user's OS login on the app host).")],
    role: Annotated[RoleKind, typer.Option("--role", help="The user's kind.")],
    org: Annotated[str, typer.Option("--org", help="Org unit code of the user's scope.")],
    display_name: Annotated[str, typer.Option("--display-name", help="Full name.")] = "",
) -> None:
    """Add a user: a PostgreSQL role in the group of its kind, scoped to an org unit."""
    from db.users import add_user

    user = run_db(lambda conn: add_user(conn, name, role, org, display_name))
    typer.echo(
        f"added {user.name} ({user.role_kind}, {user.org_code} {user.org_name}) "
        f"as role {user.pg_role}"
    )


@user_app.command("list")
def user_list() -> None:
    """List users with their role kind and scope."""
    from db.users import list_users

    for user in run_db(list_users):
        state = "disabled" if user.disabled else "active"
        typer.echo(
            f"{user.name:20} {user.role_kind:12} {user.org_code:15} {state:9} "
            f"{user.org_name} {user.display_name}".rstrip()
        )


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user: they can no longer log in or act; their history stays."""
    from db.users import disable_user

    user = run_db(lambda conn: disable_user(conn, name))
    typer.echo(f"disabled {user.name}")
