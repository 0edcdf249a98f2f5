"""Who the app acts as: the login lookup, and identity per transaction.

The app connects either as the user's own role (a direct login) or as a
gateway role that may become any app user. Either way every transaction
starts with `SET LOCAL ROLE <user's role>`, so row-level security sees the
user, and nothing survives the transaction into the next borrower of the
pooled connection (a session-level SET ROLE would survive asyncpg's reset).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from db.core.connect import Connection, Pool, record
from db.core.errors import UserError
from db.users import AppUser


class NotAnAppUser(UserError):
    """The login name has no app user this connection may act as."""


async def login(conn: Connection, name: str) -> AppUser:
    """The app user for an OS login name, or a clear refusal."""
    row = await conn.fetchrow("SELECT * FROM tx_login($1)", name)
    if row is None:
        raise NotAnAppUser(
            f"{name} is not a tongxin user here; ask an administrator to run "
            f"`tongxin user add {name} --role ... --org ...`"
        )
    user = AppUser.model_validate(record(row))
    if user.disabled:
        raise NotAnAppUser(f"user {name} is disabled; ask an administrator")
    return user


async def logins(conn: Connection, names: Sequence[str]) -> list[AppUser]:
    """Of `names`, the active app users this connection may act as, in the order given."""
    rows = await conn.fetch(
        """
        SELECT u.* FROM unnest($1::text[]) WITH ORDINALITY AS n(name, place)
         CROSS JOIN LATERAL tx_login(n.name) AS u
         WHERE NOT u.disabled
         ORDER BY n.place
        """,
        list(names),
    )
    return [AppUser.model_validate(record(r)) for r in rows]


@asynccontextmanager
async def acting_as(conn: Connection, user: AppUser) -> AsyncIterator[Connection]:
    """A transaction on `conn` in which the database sees `user`'s role.

    It must be the outermost transaction: inside another, the role would outlive
    this block until that one ends.
    """
    if conn.is_in_transaction():
        raise RuntimeError("acting_as must start its own transaction")
    async with conn.transaction():
        try:
            await conn.execute("SELECT set_config('role', $1, true)", user.pg_role)
        except asyncpg.InsufficientPrivilegeError as exc:
            raise NotAnAppUser(f"this connection may not act as {user.name}") from exc
        yield conn


@asynccontextmanager
async def user_transaction(pool: Pool, user: AppUser) -> AsyncIterator[Connection]:
    """Borrow a pooled connection and act as `user` for one transaction."""
    async with pool.acquire() as conn, acting_as(conn, user) as acting:
        yield acting
