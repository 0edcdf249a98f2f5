"""Who is using the app and how to reach the database as them: handed to every screen."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from db.connect import Connection, Pool
from db.crypto import Keyring
from db.session import user_transaction
from db.users import AppUser

if TYPE_CHECKING:
    from db.person_form import FormReference


@dataclass
class Session:
    """The pool, the app user, the key ring, and reference data once it is loaded."""

    pool: Pool
    user: AppUser
    keyring: Keyring
    reference: FormReference | None = field(default=None)

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One transaction in which the database sees the user (RLS applies)."""
        return user_transaction(self.pool, self.user)

    @property
    def writes_persons(self) -> bool:
        return self.user.role_kind in ("grid_worker", "admin")

    @property
    def reviews(self) -> bool:
        return self.user.role_kind in ("supervisor", "admin")
