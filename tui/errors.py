"""Errors a user can act on, and how they are said in one line."""

from __future__ import annotations

import asyncpg

from db.core.errors import UserError
from db.core.reachability import is_unreachable
from tui.i18n import _

USER_ERRORS: tuple[type[BaseException], ...] = (UserError, asyncpg.PostgresError, OSError)


def one_line(exc: BaseException) -> str:
    """The first line of an error's message, never a traceback."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def reason(exc: BaseException) -> str:
    """Why some work failed, for a screen: a lost database in plain words (never the
    socket's errno text, which says nothing to a grid worker), else `one_line`."""
    if is_unreachable(exc):
        return _("the database is unreachable")
    return one_line(exc)
