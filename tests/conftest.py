"""Shared fixtures: one embedded PostgreSQL for the run, a migrated template, a DB per test."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from db.core.connect import embedded_dsn
from db.core.migrate import migrate
from db.keys.crypto import DataKey, Keyring
from seeds.reference import load_reference

TEMPLATE = "tongxin_template"
_counter = itertools.count()


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Every test starts in the default interface language, whatever the last one chose.

    The language is process-wide (an app sets it when made), and a worker runs many
    files one after another, so an English app in one file would leak into the next.
    """
    from tui import i18n

    i18n.set_language(i18n.DEFAULT_LANGUAGE)
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def _with_database(dsn: str, database: str) -> str:
    head, _, query = dsn.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{database}?{query}"


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """A fresh embedded cluster for this test run; removed at the end.

    It lives in a directory of its own rather than pytest's basetemp, which a
    concurrent pytest run may prune while this one still uses it.
    """
    root = Path(tempfile.mkdtemp(prefix="tongxin-test-pg-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(str(root / "pgdata"), cleanup_mode="delete")
    dsn = embedded_dsn("postgres", root=root)
    yield dsn
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_dsn(pg_admin_dsn: str) -> str:
    """A database migrated and loaded with reference data, used as a template."""
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    finally:
        await admin.close()
    dsn = _with_database(pg_admin_dsn, TEMPLATE)
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        await load_reference(conn)
    finally:
        await conn.close()
    return dsn


async def _fresh_database(admin_dsn: str, template: str) -> str:
    name = f"t_{next(_counter)}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return name


async def _drop_database(admin_dsn: str, name: str) -> None:
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def data_template(
    pg_admin_dsn: str, name: str, fill: Callable[[asyncpg.Connection], Awaitable[object]]
) -> str:
    """A template database made once for the run: the migrated one, filled by `fill`;
    tests then take copies of it (`copy_of`) instead of filling each their own."""
    admin = await asyncpg.connect(pg_admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(_with_database(pg_admin_dsn, name))
    try:
        await fill(conn)
    finally:
        await conn.close()
    return name


@asynccontextmanager
async def copy_of(pg_admin_dsn: str, template: str) -> AsyncIterator[str]:
    """A database of its own for one test, copied from `template`; dropped after."""
    name = await _fresh_database(pg_admin_dsn, template)
    try:
        yield _with_database(pg_admin_dsn, name)
    finally:
        await _drop_database(pg_admin_dsn, name)


@pytest.fixture
async def db_dsn(pg_admin_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    """A database of its own for one test: migrated, with reference data."""
    name = await _fresh_database(pg_admin_dsn, TEMPLATE)
    yield _with_database(pg_admin_dsn, name)
    await _drop_database(pg_admin_dsn, name)


@pytest.fixture
async def empty_dsn(pg_admin_dsn: str) -> AsyncIterator[str]:
    """An empty database, for tests of migration from nothing."""
    name = await _fresh_database(pg_admin_dsn, "template0")
    yield _with_database(pg_admin_dsn, name)
    await _drop_database(pg_admin_dsn, name)


@pytest.fixture
async def conn(db_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(db_dsn)
    yield connection
    await connection.close()


@pytest.fixture
async def other(db_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A second connection to the test's database, used while acting as an app user."""
    connection = await asyncpg.connect(db_dsn)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    key = DataKey.generate()
    return Keyring([key], key.key_id)
