"""The base of every error a user can act on; its message is what they read."""

from __future__ import annotations


class UserError(RuntimeError):
    """Something the user or the operator can fix; shown as one line, never a traceback."""
