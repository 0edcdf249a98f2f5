"""Errors a user can act on, and how they are said in one line."""

from __future__ import annotations

import asyncpg

from db.errors import UserError

USER_ERRORS: tuple[type[BaseException], ...] = (UserError, asyncpg.PostgresError, OSError)


def one_line(exc: BaseException) -> str:
    """The first line of an error's message, never a traceback."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
