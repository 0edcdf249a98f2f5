"""A throwaway embedded PostgreSQL for one benchmark run (or TONGXIN_DSN if set)."""

from __future__ import annotations

import os
import platform
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import asyncpg

from db.core.connect import DSN_ENV, embedded_dsn
from db.core.migrate import migrate
from db.keys.crypto import Keyring
from seeds.demo import seed_demo
from seeds.reference import load_reference


@contextmanager
def bench_dsn(settings: Mapping[str, str] | None = None) -> Iterator[str]:
    """A DSN of an empty database; the embedded cluster is deleted afterwards.

    `settings` (e.g. max_connections) are set on the embedded cluster, which is then
    restarted; a server named by TONGXIN_DSN is used as it is.
    """
    if os.environ.get(DSN_ENV):
        yield os.environ[DSN_ENV]
        return
    with tempfile.TemporaryDirectory(prefix="tongxin-bench-") as tmp:
        root = Path(tmp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver._commands import pg_ctl
            from pgserver.postgres_server import get_server

            server = get_server(str(root / "pgdata"), cleanup_mode="delete")
        try:
            if settings:
                for name, value in settings.items():
                    server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
                pg_ctl(["-w", "-l", str(server.log), "restart"], pgdata=server.pgdata,
                       user=server.system_user, timeout=60)  # fmt: skip
            yield embedded_dsn("bench", root=root)
        finally:
            if settings:
                # The restarted postmaster is not the one pgserver started and would stop.
                pg_ctl(["-w", "stop"], pgdata=server.pgdata, user=server.system_user)
            server.cleanup()


def database_dsn(dsn: str, database: str) -> str:
    """The same server's DSN for another database."""
    head, _, query = dsn.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{database}" + (f"?{query}" if query else "")


async def seeded(conn: asyncpg.Connection, keys: Keyring, persons: int, today: date) -> None:
    """Migrate, load reference data and `persons` demo persons (seed 1), then ANALYZE."""
    await migrate(conn)
    await load_reference(conn)
    await seed_demo(conn, keys, persons=persons, seed=1, today=today)
    await conn.execute("ANALYZE")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {platform.python_version()}"
