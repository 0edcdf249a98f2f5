"""Apply the SQL files in `sql/`: versioned ones once, repeatable ones when changed.

`V###__name.sql` files run once each, in version order, one transaction per
file, and their SHA-256 is recorded; a changed checksum of an applied file is
an error. `R__name.sql` files (views, functions, policies) run after them,
again whenever their content changes. A session advisory lock makes a second
process that starts at the same moment wait and then find nothing to do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Literal

from db.core.connect import Connection, connection
from db.core.errors import UserError

# Any constant shared by every tongxin process; "txmg" in ASCII.
MIGRATION_LOCK_KEY = 0x74786D67

_VERSIONED = re.compile(r"^V(\d{3,})__([a-z0-9_]+)\.sql$")
_REPEATABLE = re.compile(r"^R__([a-z0-9_]+)\.sql$")

_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name         text PRIMARY KEY,
    kind         char(1) NOT NULL CHECK (kind IN ('V', 'R')),
    version      integer,
    checksum     text NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    applied_by   text NOT NULL DEFAULT current_user,
    duration_ms  integer NOT NULL
);
COMMENT ON TABLE schema_migrations IS '已执行的数据库迁移 / applied schema migrations';
"""

State = Literal["applied", "pending", "changed", "missing"]


class MigrationError(UserError):
    """The database and the SQL files disagree in a way that needs a person."""


@dataclass(frozen=True, slots=True)
class MigrationFile:
    """One file of `sql/`, read and checksummed."""

    name: str
    kind: Literal["V", "R"]
    version: int | None
    sql: str

    @property
    def checksum(self) -> str:
        normalised = self.sql.replace("\r\n", "\n").encode()
        return hashlib.sha256(normalised).hexdigest()


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    """Where one migration stands in this database."""

    name: str
    kind: str
    state: State
    applied_at: datetime | None


def discover() -> list[MigrationFile]:
    """The migration files shipped in the `sql` package: V in version order, then R."""
    versioned: list[MigrationFile] = []
    repeatable: list[MigrationFile] = []
    for entry in resources.files("sql").iterdir():
        name = entry.name
        if match := _VERSIONED.match(name):
            versioned.append(
                MigrationFile(name, "V", int(match.group(1)), entry.read_text("utf-8"))
            )
        elif _REPEATABLE.match(name):
            repeatable.append(MigrationFile(name, "R", None, entry.read_text("utf-8")))
    versioned.sort(key=lambda f: f.version or 0)
    _refuse_duplicate_versions(versioned)
    repeatable.sort(key=lambda f: f.name)
    return versioned + repeatable


def _refuse_duplicate_versions(files: list[MigrationFile]) -> None:
    seen: dict[int | None, str] = {}
    for f in files:
        if f.version in seen:
            raise MigrationError(
                f"two files share version {f.version}: {seen[f.version]}, {f.name}"
            )
        seen[f.version] = f.name


async def _recorded(conn: Connection) -> dict[str, tuple[str, datetime]]:
    rows = await conn.fetch("SELECT name, checksum, applied_at FROM schema_migrations")
    return {r["name"]: (r["checksum"], r["applied_at"]) for r in rows}


async def _has_bootstrap(conn: Connection) -> bool:
    found = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    return bool(found)


async def status(
    conn: Connection, files: list[MigrationFile] | None = None
) -> list[MigrationStatus]:
    """Every known migration with its state; files recorded but gone are `missing`."""
    files = discover() if files is None else files
    recorded = await _recorded(conn) if await _has_bootstrap(conn) else {}
    result: list[MigrationStatus] = []
    for f in files:
        if f.name not in recorded:
            result.append(MigrationStatus(f.name, f.kind, "pending", None))
            continue
        checksum, applied_at = recorded[f.name]
        state: State = "applied" if checksum == f.checksum else "changed"
        result.append(MigrationStatus(f.name, f.kind, state, applied_at))
    known = {f.name for f in files}
    for name, (_, applied_at) in sorted(recorded.items()):
        if name not in known:
            result.append(MigrationStatus(name, name[0], "missing", applied_at))
    return result


async def migrate(conn: Connection, files: list[MigrationFile] | None = None) -> list[str]:
    """Bring the database up to date; return the names of the files applied."""
    files = discover() if files is None else files
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(_BOOTSTRAP)
        recorded = await _recorded(conn)
        _refuse_edited_versions(files, recorded)
        applied: list[str] = []
        for f in files:
            previous = recorded.get(f.name)
            if previous is not None and previous[0] == f.checksum:
                continue
            await _apply(conn, f)
            applied.append(f.name)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


def _refuse_edited_versions(
    files: list[MigrationFile], recorded: dict[str, tuple[str, datetime]]
) -> None:
    for f in files:
        if f.kind == "V" and f.name in recorded and recorded[f.name][0] != f.checksum:
            raise MigrationError(
                f"{f.name} was changed after it was applied "
                f"(recorded {recorded[f.name][0][:12]}, file {f.checksum[:12]}); "
                "add a new V file instead of editing an applied one"
            )


async def _apply(conn: Connection, f: MigrationFile) -> None:
    async with conn.transaction():
        started = await conn.fetchval("SELECT clock_timestamp()")
        try:
            await conn.execute(f.sql)
        except Exception as exc:
            raise MigrationError(f"{f.name} failed: {exc}") from exc
        await conn.execute(
            """
            INSERT INTO schema_migrations (name, kind, version, checksum, duration_ms)
            VALUES ($1, $2, $3, $4,
                    (extract(epoch FROM clock_timestamp() - $5::timestamptz) * 1000)::int)
            ON CONFLICT (name) DO UPDATE
               SET checksum = EXCLUDED.checksum, applied_at = now(),
                   applied_by = current_user, duration_ms = EXCLUDED.duration_ms
            """,
            f.name,
            f.kind,
            f.version,
            f.checksum,
            started,
        )


async def migrate_dsn(dsn: str | None = None) -> list[str]:
    """`migrate` on a connection of its own."""
    async with connection(dsn) as conn:
        return await migrate(conn)


async def status_dsn(dsn: str | None = None) -> list[MigrationStatus]:
    """`status` on a connection of its own."""
    async with connection(dsn) as conn:
        return await status(conn)
