"""Retention, subject access export, consent and key rotation."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from db.keys.crypto import load_keyring
from db.keys.rotation import init_keys, rotate
from db.persons.consent import (
    ConsentProblem,
    ConsentRecord,
    consents_of,
    record_consent,
    withdraw_consent,
)
from db.persons.idcard import make_id
from db.persons.models import PersonSearch
from db.persons.search import list_page
from db.privacy.retention import ANONYMOUS_NAME, cutoff_for, run_retention
from db.privacy.subject import ExportNotWritten, PersonNotFound, export_subject, find_person
from tests.db.access_fixtures import add_person, demo_grid_codes, give_identifiers

TODAY = date(2026, 11, 22)


@pytest.fixture
async def grid(conn: asyncpg.Connection) -> str:
    return (await demo_grid_codes(conn))[0]


async def _left(conn: asyncpg.Connection, grid: str, on: date) -> object:
    person = await add_person(conn, grid, "马木沙")
    await conn.execute(
        "UPDATE person SET status = 'left_city', status_changed_on = $1, "
        "current_address = '金水路1号', employer = '兰州牛肉拉面' WHERE id = $2",
        on,
        person,
    )
    await conn.execute(
        "INSERT INTO household_member (city_code, id, person_id, org_code, name, relation, sex, "
        "birth_date) VALUES ($1, gen_random_uuid(), $2, $3, '马小花', 'child', 2, '2015-03-01')",
        grid[:4],
        person,
        grid,
    )
    return person


def test_cutoff_counts_calendar_months() -> None:
    assert cutoff_for(date(2026, 11, 22), 24) == date(2024, 11, 22)
    assert cutoff_for(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert cutoff_for(date(2026, 1, 15), 13) == date(2024, 12, 15)


async def test_retention_anonymises_only_those_gone_long_enough(
    conn: asyncpg.Connection, grid: str, keyring
) -> None:
    old = await _left(conn, grid, date(2023, 5, 1))
    recent = await _left(conn, grid, date(2026, 1, 1))
    await give_identifiers(conn, keyring, old, "410102199001011237", "13812345678")
    stats_before = await conn.fetch(
        "SELECT ethnic_code, origin_division_code, sex, count(*) FROM person GROUP BY 1, 2, 3"
    )
    dry = await run_retention(conn, today=TODAY, months=24, dry_run=True)
    assert (dry.due, dry.anonymised) == (1, 0)
    assert await conn.fetchval("SELECT name FROM person WHERE id = $1", old) == "马木沙"
    done = await run_retention(conn, today=TODAY, months=24)
    assert done.anonymised == 1
    row = await conn.fetchrow("SELECT * FROM person WHERE id = $1", old)
    assert row["name"] == ANONYMOUS_NAME
    assert row["id_number_enc"] is None
    assert row["phone_enc"] is None
    assert row["current_address"] == row["employer"] == ""
    assert row["birth_date"] == date(1990, 1, 1)
    assert row["anonymised_at"] is not None
    assert await conn.fetchval("SELECT name FROM person WHERE id = $1", recent) == "马木沙"
    members = await conn.fetchval("SELECT count(*) FROM household_member WHERE person_id = $1", old)
    assert members == 0
    stats_after = await conn.fetch(
        "SELECT ethnic_code, origin_division_code, sex, count(*) FROM person GROUP BY 1, 2, 3"
    )
    assert stats_after == stats_before
    logged = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE person_id = $1 AND action = 'anonymise'", old
    )
    assert logged == 1
    again = await run_retention(conn, today=TODAY, months=24)
    assert again.due == 0


async def test_subject_export_has_everything_and_is_audited(
    conn: asyncpg.Connection, grid: str, keyring, tmp_path: Path
) -> None:
    person = await _left(conn, grid, date(2026, 1, 1))
    await give_identifiers(conn, keyring, person, "410102199001011237", "13812345678")
    _city, found = await find_person(conn, keyring, "410102199001011237")
    assert found == person
    target = tmp_path / "subject.json"
    await export_subject(conn, keyring, "410102199001011237", "本人申请查阅", target)
    assert target.stat().st_mode & 0o077 == 0
    assert os.listdir(tmp_path) == ["subject.json"]  # no temporary file left
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["person"]["id_number"] == "410102199001011237"
    assert document["person"]["phone"] == "13812345678"
    assert document["person"]["ethnic_name"] == "回族"
    assert "id_number_hmac" not in document["person"]
    assert [m["name"] for m in document["household_member"]] == ["马小花"]
    assert {e["action"] for e in document["audit_trail"]} >= {"insert", "update"}
    exported = await conn.fetchval(
        "SELECT purpose FROM audit_log WHERE person_id = $1 AND action = 'export'", person
    )
    assert exported == "本人申请查阅"
    with pytest.raises(PersonNotFound):
        await find_person(conn, keyring, "110101199003070017")


async def _exports(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'export'")


@pytest.mark.parametrize("where", ["no/such/dir/subject.json", "taken.json"])
async def test_an_export_not_written_is_not_in_the_trail(
    conn: asyncpg.Connection, grid: str, keyring, tmp_path: Path, where: str
) -> None:
    person = await add_person(conn, grid, "马木沙")
    (tmp_path / "taken.json").write_text("someone else's", encoding="utf-8")
    before = await _exports(conn)
    with pytest.raises(ExportNotWritten, match=where.split("/")[-1]):
        await export_subject(conn, keyring, str(person), "本人申请查阅", tmp_path / where)
    assert await _exports(conn) == before
    assert os.listdir(tmp_path) == ["taken.json"]
    assert (tmp_path / "taken.json").read_text(encoding="utf-8") == "someone else's"


async def test_consent_recorded_once_and_withdrawn(conn: asyncpg.Connection, grid: str) -> None:
    person = await add_person(conn, grid)
    consent = ConsentRecord(
        city_code=grid[:4],
        person_id=person,
        org_code=grid,
        basis="consent",
        scope="登记与走访服务",
        given_on=date(2026, 3, 1),
    )
    await record_consent(conn, consent)
    await record_consent(conn, consent)  # a retried save
    stored = await consents_of(conn, grid[:4], person)
    assert len(stored) == 1
    assert stored[0].recorded_by == "postgres"
    withdrawn = await withdraw_consent(conn, grid[:4], consent.id, date(2026, 6, 1))
    assert withdrawn.withdrawn_on == date(2026, 6, 1)
    with pytest.raises(ConsentProblem, match="withdrawn_on"):
        await withdraw_consent(conn, grid[:4], consent.id, date(2026, 7, 1))
    with pytest.raises(ValueError, match="withdrawn_on"):
        ConsentRecord(**{**consent.model_dump(), "withdrawn_on": date(2026, 1, 1)})


async def test_key_rotation_keeps_every_record_readable_and_findable(
    conn: asyncpg.Connection, grid: str, tmp_path: Path
) -> None:
    key_file = tmp_path / "tongxin.key"
    keys = load_keyring(key_file, create=True)
    await init_keys(conn, key_file)
    people = {}
    for n in range(5):
        person = await add_person(conn, grid)
        id_number = make_id("410102", date(1990, 1, 1), n)
        await give_identifiers(conn, keys, person, id_number, f"1391234567{n}")
        people[person] = id_number
    old_key = keys.active.key_id
    rotation = await rotate(conn, key_file)
    assert rotation.rows == 5
    assert rotation.retired_keys == [old_key]
    fresh = load_keyring(key_file, create=False)
    assert fresh.active.key_id == rotation.new_key != old_key
    rows = await conn.fetch("SELECT id, id_number_enc, phone_enc FROM person")
    for row in rows:
        assert row["id_number_enc"][:8] == rotation.new_key.encode()
        assert fresh.decrypt("id_number", row["id_number_enc"]) == people[row["id"]]
    # The keyring loaded before the rotation follows the file and still finds people.
    some_person, some_id = next(iter(people.items()))
    page = await list_page(conn, PersonSearch(text=some_id), keyring=keys)
    assert [r.id for r in page.rows] == [some_person]
