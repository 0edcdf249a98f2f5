"""Who is using the app and how to reach the database as them: handed to every screen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from db.core.connect import Connection, Pool
from db.core.reachability import is_unreachable
from db.core.session import user_transaction
from db.keys.crypto import Keyring
from db.users import AppUser

if TYPE_CHECKING:
    from db.persons.form import FormReference


@dataclass
class Session:
    """The pool, the app user, the key ring, and reference data once it is loaded.

    `on_unreachable` is told when a transaction fails because the database cannot
    be reached, so the app can say so and retry, whichever screen ran it.
    """

    pool: Pool
    user: AppUser
    keyring: Keyring
    reference: FormReference | None = field(default=None)
    on_unreachable: Callable[[], None] | None = field(default=None, repr=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """One transaction in which the database sees the user (RLS applies)."""
        try:
            async with user_transaction(self.pool, self.user) as conn:
                yield conn
        except Exception as exc:
            if self.on_unreachable is not None and is_unreachable(exc):
                self.on_unreachable()
            raise

    @property
    def writes_persons(self) -> bool:
        return self.user.role_kind in ("grid_worker", "admin")

    @property
    def reviews(self) -> bool:
        return self.user.role_kind in ("supervisor", "admin")
