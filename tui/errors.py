"""Errors a user can act on, and how they are said in one line."""

from __future__ import annotations

import asyncpg

from db.core.errors import UserError
from db.core.reachability import is_unreachable
from db.signoff import refusal_of
from tui.i18n import _

USER_ERRORS: tuple[type[BaseException], ...] = (UserError, asyncpg.PostgresError, OSError)


def one_line(exc: BaseException) -> str:
    """The first line of an error's message, never a traceback."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def reason(exc: BaseException) -> str:
    """Why some work failed, for a screen: a lost database in plain words (never the
    socket's errno text, which says nothing to a grid worker), a month signed off in the
    user's language, else `one_line`."""
    if is_unreachable(exc):
        return _("the database is unreachable")
    refusal = refusal_of(exc)
    if refusal is not None:
        from tui.refusal_text import refusal_text

        return refusal_text(refusal)
    return one_line(exc)
