"""What every command shares: one-line failures and running async work."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import NoReturn, TypeVar

import typer

from db.core.clock import OFFICE_TZ
from db.core.connect import Connection, connection
from tui.errors import USER_ERRORS, one_line

T = TypeVar("T")


def fail(message: str) -> NoReturn:
    """A user error: one line, exit 1."""
    typer.echo(f"tongxin: {message}", err=True)
    raise typer.Exit(1)


def usage(message: str) -> NoReturn:
    """A usage error typer cannot see (options that disagree, a bad value): one line, exit 2."""
    typer.echo(f"tongxin: {message}", err=True)
    raise typer.Exit(2)


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run async work; turn the errors a user can act on into one line and exit 1."""
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except USER_ERRORS as exc:
        fail(one_line(exc))


def lang_code(option: str) -> str:
    """The catalogue a --lang value names: zh_CN or en (zh, zh_CN.UTF-8, en_US … too)."""
    if option.lower().startswith("en"):
        return "en"
    if option.lower().startswith("zh"):
        return "zh_CN"
    usage(f"--lang: unknown language {option!r} (use zh_CN or en)")


def pick_lang(option: str | None) -> str:
    """--lang wins; else English only when the locale asks for it; else Chinese."""
    if option is not None:
        return lang_code(option)
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return "en" if (locale or "").lower().startswith("en") else "zh_CN"


def office_time(moment: datetime) -> str:
    """A stored moment in the office's zone, with the zone: 2026-12-01 15:40:02 +08:00."""
    local = moment.astimezone(OFFICE_TZ)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def run_db(work: Callable[[Connection], Awaitable[T]], dsn: str | None = None) -> T:
    """Run `work(conn)` on one operator connection (TONGXIN_DSN or the embedded database)."""

    async def on_connection() -> T:
        async with connection(dsn) as conn:
            return await work(conn)

    return run(on_connection)
