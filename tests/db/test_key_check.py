"""The right key or none: a key file that cannot serve the database is refused in one line,
through the real commands, before anything is written (sql/V009__key_check.sql)."""

# The fixtures env and demo_data come from test_cli; tests name them as parameters.
# ruff: noqa: F811

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from db.core.connect import data_dir, embedded_dsn
from db.core.session import acting_as
from db.keys.crypto import DataKey, Keyring, load_keyring
from seeds.bootstrap import prepare_demo
from tests.db.access_fixtures import add_person, demo_grid_codes, give_identifiers, new_user
from tests.db.test_cli import _ok, _refused, demo_data, env  # noqa: F401

ID_NUMBER = "540102198805051234"
TODAY = date(2026, 11, 1)


async def _checks(conn: asyncpg.Connection) -> dict[str, tuple[bytes, bool]]:
    rows = await conn.fetch("SELECT key_id, check_value, active FROM data_key_check")
    return {r["key_id"]: (bytes(r["check_value"]), r["active"]) for r in rows}


async def _registered(conn: asyncpg.Connection, keys: Keyring) -> str:
    """A person with an ID and phone number sealed with `keys`; their grid."""
    grid = (await demo_grid_codes(conn))[0]
    person = await add_person(conn, grid, "扎西顿珠")
    await give_identifiers(conn, keys, person, ID_NUMBER, "13912345678")
    return grid


async def _counts(conn: asyncpg.Connection) -> tuple[int, int, int]:
    return (
        await conn.fetchval("SELECT count(*) FROM person"),
        await conn.fetchval("SELECT count(*) FROM audit_log"),
        await conn.fetchval("SELECT count(*) FROM data_key_check"),
    )


def _write_ring(path: Path, ring: Keyring) -> None:
    path.write_text(ring.to_json())


def _remove(path: Path) -> None:
    path.unlink()


def _exists(path: Path) -> bool:
    return path.exists()


def _is_refusal_of(line: str, key_id: str, key_file: Path) -> None:
    assert key_id in line, line
    assert str(key_file) in line, line


async def test_a_different_key_under_the_same_id_is_refused_and_writes_nothing(
    env: Path, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    grid = await _registered(conn, load_keyring(env))
    worker = await new_user(conn, "grid_worker", grid)
    key_id = load_keyring(env).active.key_id
    impostor = DataKey(key_id, os.urandom(32), os.urandom(32))
    _write_ring(env, Keyring([impostor], key_id))
    before = await _counts(conn)
    out = tmp_path / "subject.json"
    for command in (
        ("person", "export", ID_NUMBER, "-o", str(out)),
        ("audit", "show", "--person", ID_NUMBER),
        ("keys", "rotate"),
        ("keys", "init"),
        ("seed", "demo", "--persons", "5"),
        ("tui", "--as", worker.name),
    ):
        line = await _refused(*command)
        _is_refusal_of(line, key_id, env)
        assert "different key" in line
    assert await _counts(conn) == before
    assert not out.exists()
    assert load_keyring(env).key_ids() == [key_id]  # the rotation made no new key


async def test_a_key_file_without_the_active_key_after_a_rotation_is_refused(
    env: Path, conn: asyncpg.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = await _registered(conn, load_keyring(env))
    worker = await new_user(conn, "grid_worker", grid)
    backup = tmp_path / "before-rotation.key"
    shutil.copy(env, backup)
    old = load_keyring(backup).active
    await _ok("keys", "rotate")
    new = load_keyring(env).active
    assert await _checks(conn) == {
        old.key_id: (old.check_value(), False),
        new.key_id: (new.check_value(), True),
    }
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(backup))
    before = await _counts(conn)
    out = tmp_path / "subject.json"
    for command in (
        ("person", "export", ID_NUMBER, "-o", str(out)),
        ("audit", "show", "--person", ID_NUMBER),
        ("keys", "rotate"),
        ("tui", "--as", worker.name),
    ):
        line = await _refused(*command)
        _is_refusal_of(line, new.key_id, backup)
        assert "lacks" in line
    assert await _counts(conn) == before
    assert not out.exists()
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(env))
    await _ok("person", "export", ID_NUMBER, "-o", str(out))


async def test_keys_init_never_makes_a_key_for_a_database_that_has_one(
    env: Path, conn: asyncpg.Connection
) -> None:
    key_id = load_keyring(env).active.key_id
    _remove(env)
    line = await _refused("keys", "init")
    _is_refusal_of(line, key_id, env)
    assert not _exists(env)


async def test_keys_init_records_the_key_of_an_existing_installation_once(
    db_dsn: str, conn: asyncpg.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Identifiers sealed before the database kept key checks: none is recorded yet.
    key_file = tmp_path / "tongxin.key"
    keys = load_keyring(key_file, create=True)
    await _registered(conn, keys)
    monkeypatch.setenv("TONGXIN_DSN", db_dsn)
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(key_file))
    out = tmp_path / "subject.json"
    assert "keys init" in await _refused("person", "export", ID_NUMBER, "-o", str(out))
    # A key file that cannot open the stored values is not recorded.
    other = tmp_path / "other.key"
    stranger = DataKey(keys.active.key_id, os.urandom(32), os.urandom(32))
    _write_ring(other, Keyring([stranger], stranger.key_id))
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(other))
    _is_refusal_of(await _refused("keys", "init"), stranger.key_id, other)
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(tmp_path / "missing.key"))
    assert str(tmp_path / "missing.key") in await _refused("keys", "init")
    assert not (tmp_path / "missing.key").exists()
    assert await _checks(conn) == {}
    monkeypatch.setenv("TONGXIN_KEY_FILE", str(key_file))
    assert "check recorded" in await _ok("keys", "init")
    assert await _checks(conn) == {keys.active.key_id: (keys.active.check_value(), True)}
    assert "matches the database" in await _ok("keys", "init")
    await _ok("person", "export", ID_NUMBER, "-o", str(out))


async def test_a_first_demo_run_on_an_empty_database_makes_the_key_and_records_it(
    db_dsn: str, conn: asyncpg.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TONGXIN_KEY_FILE", raising=False)
    await prepare_demo(db_dsn, persons=20, seed=3, today=TODAY)
    key_file = tmp_path / "tongxin.key"
    assert key_file.stat().st_mode & 0o077 == 0
    key = load_keyring(key_file).active
    assert await _checks(conn) == {key.key_id: (key.check_value(), True)}
    assert await conn.fetchval("SELECT count(*) FROM person") == 20
    await prepare_demo(db_dsn, persons=20, seed=3, today=TODAY)  # a warm start passes
    assert load_keyring(key_file).active == key


async def test_the_demo_stops_when_its_key_file_is_gone_and_persons_are_there(
    demo_data: str,
) -> None:
    await prepare_demo(embedded_dsn(), persons=20, seed=3, today=TODAY)
    key_file = data_dir() / "tongxin.key"
    key_id = load_keyring(key_file).active.key_id
    key_file.rename(key_file.with_name("tongxin.key.moved"))
    try:
        for args in (("demo", "--persons", "20", "--as", "demo_grid"), ("demo",), ("tui",)):
            line = await _refused(*args)
            assert str(key_file) in line, line
        _is_refusal_of(await _refused("demo", "--persons", "20"), key_id, key_file)
        assert not key_file.exists()
        conn = await asyncpg.connect(demo_data)
        try:
            assert await conn.fetchval("SELECT count(*) FROM person") == 20
            assert len(await _checks(conn)) == 1
        finally:
            await conn.close()
    finally:
        key_file.with_name("tongxin.key.moved").unlink(missing_ok=True)


async def test_app_roles_read_the_key_checks_only_through_the_function(
    env: Path, conn: asyncpg.Connection, other: asyncpg.Connection
) -> None:
    grid = (await demo_grid_codes(conn))[0]
    key = load_keyring(env).active
    for kind, org in (("grid_worker", grid), ("admin", grid[:4]), ("auditor", grid[:6])):
        user = await new_user(conn, kind, org)
        for attack in (
            "SELECT * FROM data_key_check",
            "INSERT INTO data_key_check (key_id, check_value, active) "
            "VALUES ('00000000', decode(repeat('00', 32), 'hex'), false)",
            "UPDATE data_key_check SET active = false",
            "DELETE FROM data_key_check",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                async with acting_as(other, user):
                    await other.execute(attack)
        async with acting_as(other, user):
            seen = await other.fetch("SELECT key_id, check_value, active FROM tx_key_checks()")
        assert [(r["key_id"], bytes(r["check_value"]), r["active"]) for r in seen] == [
            (key.key_id, key.check_value(), True)
        ]
    assert await _checks(conn) == {key.key_id: (key.check_value(), True)}
