"""Where the database is, and how this process talks to it.

`TONGXIN_DSN` names a PostgreSQL server. When it is unset the app uses an
embedded cluster (pgserver) kept in the user data directory, started on
demand and left running so the next session reuses it.
"""

from __future__ import annotations

import os
import subprocess
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import platformdirs
from asyncpg.pool import PoolConnectionProxy

from db.core.errors import UserError
from db.core.stopping_server import wait_until_stopped

DSN_ENV = "TONGXIN_DSN"
DATA_DIR_ENV = "TONGXIN_DATA_DIR"
DATABASE_NAME = "tongxin"
CONNECT_TIMEOUT = 10.0

Pool = asyncpg.Pool
# A plain connection or one borrowed from a pool: db/ functions take either.
Connection = asyncpg.Connection | PoolConnectionProxy


class DatabaseUnavailable(UserError):
    """The configured or embedded database cannot be reached."""


def data_dir() -> Path:
    """The directory that holds the embedded cluster and the key file."""
    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("tongxin"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_dsn(
    database: str = DATABASE_NAME,
    *,
    root: Path | None = None,
    say: Callable[[str], None] | None = None,
) -> str:
    """Start (or find running) the embedded cluster; return a DSN for `database`.

    The database is created when missing, so the first run needs no setup. A
    previous server still shutting down is waited for (`say` is told so, once).
    """
    pgdata = (root or data_dir()) / "pgdata"
    wait_until_stopped(pgdata, say)
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset, as over plain SSH.
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server

            server = get_server(str(pgdata), cleanup_mode=None)
        socket_dir = server.get_uri().split("host=", 1)[1]
        if database != "postgres":
            exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
            if "(1 row)" not in exists:
                server.psql(f'CREATE DATABASE "{database}";')
    except (OSError, subprocess.SubprocessError) as exc:
        raise DatabaseUnavailable(f"cannot start the embedded database: {exc}") from exc
    except AssertionError as exc:
        # pgserver asserts that a live server is ready; one began to stop just now.
        raise DatabaseUnavailable(
            f"the embedded database server in {pgdata} is not ready (starting or stopping); "
            "try again in a moment"
        ) from exc
    return f"postgresql://postgres@/{database}?host={socket_dir}"


def resolve_dsn() -> str:
    """The DSN this process should use: `TONGXIN_DSN`, else the embedded cluster."""
    configured = os.environ.get(DSN_ENV, "").strip()
    return configured or embedded_dsn()


async def _init_connection(conn: Connection) -> None:
    await conn.execute("SET application_name = 'tongxin'")


async def open_pool(dsn: str | None = None, *, max_size: int = 2) -> Pool:
    """One small pool per process: thin-client sessions are many, connections few."""
    target = dsn or resolve_dsn()
    try:
        pool = await asyncpg.create_pool(
            target,
            min_size=1,
            max_size=max_size,
            init=_init_connection,
            command_timeout=60,
            timeout=CONNECT_TIMEOUT,
        )
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(f"cannot connect to the database: {exc}") from exc
    assert pool is not None
    return pool


@asynccontextmanager
async def connection(dsn: str | None = None) -> AsyncIterator[Connection]:
    """A single connection for command-line work (migrations, seeding, export)."""
    target = dsn or resolve_dsn()
    try:
        conn: Connection = await asyncpg.connect(target, timeout=CONNECT_TIMEOUT)
    except (OSError, asyncpg.PostgresError) as exc:
        raise DatabaseUnavailable(f"cannot connect to the database: {exc}") from exc
    try:
        await _init_connection(conn)
        yield conn
    finally:
        await conn.close()


def record(row: Any) -> dict[str, Any]:
    """An asyncpg Record as a plain dict, ready for `Model.model_validate`."""
    return dict(row.items())
