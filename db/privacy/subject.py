"""Everything held about one person, for their request to see it (PIPL Art. 45)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from db.audit.trail import AccessEvent, record_access
from db.core.connect import Connection, record
from db.core.errors import UserError
from db.keys.crypto import Keyring


class PersonNotFound(UserError):
    """No person matches what was given."""


async def find_person(conn: Connection, keys: Keyring, ref: str) -> tuple[str, UUID]:
    """(city_code, id) of a person given their record id or resident ID number."""
    try:
        row = await conn.fetchrow("SELECT city_code, id FROM person WHERE id = $1", UUID(ref))
    except ValueError:
        row = await conn.fetchrow(
            "SELECT city_code, id FROM person WHERE id_number_hmac = ANY($1::bytea[])",
            keys.blind_indexes("id_number", ref),
        )
    if row is None:
        raise PersonNotFound(f"person {ref}: no such record (give a record id or ID number)")
    return row["city_code"], row["id"]


async def subject_document(
    conn: Connection, keys: Keyring, city_code: str, person_id: UUID
) -> dict[str, Any]:
    """The person's record with identifiers in full, their related rows, and the
    trail of who saw or changed it."""
    row = await conn.fetchrow(
        """
        SELECT p.*, e.name_zh AS ethnic_name, d.name AS origin_name, o.name AS grid_name
          FROM person p
          JOIN ethnic_group e ON e.code = p.ethnic_code
          JOIN org_unit o ON o.code = p.org_code
          LEFT JOIN division d ON d.code = p.origin_division_code
         WHERE p.city_code = $1 AND p.id = $2
        """,
        city_code,
        person_id,
    )
    if row is None:
        raise PersonNotFound(f"person {person_id}: no such record")
    person = _plain(record(row), keys)
    related = {
        table: [
            _plain(record(r), keys) for r in await conn.fetch(_RELATED[table], city_code, person_id)
        ]
        for table in _RELATED
    }
    trail = await conn.fetch(
        "SELECT at, actor, action, table_name, changes::text AS changes, purpose FROM audit_log "
        "WHERE city_code = $1 AND person_id = $2 ORDER BY at, id",
        city_code,
        person_id,
    )
    return {
        "person": person,
        **related,
        "audit_trail": [_plain(record(r), keys) for r in trail],
    }


async def export_subject(
    conn: Connection, keys: Keyring, ref: str, purpose: str, output: Path
) -> None:
    """Write everything held about one person to `output`, and audit the export only
    once the file is there: in one transaction, so a file that cannot be written leaves
    no export in the trail, and an export that cannot be audited leaves no file."""
    city_code, person_id = await find_person(conn, keys, ref)
    written = False
    try:
        async with conn.transaction():
            document = await subject_document(conn, keys, city_code, person_id)
            event = AccessEvent(
                action="export",
                purpose=purpose,
                org_code=document["person"]["org_code"],
                city_code=city_code,
                person_id=person_id,
                table_name="person",
            )
            await asyncio.to_thread(write_new_file, output, to_json(document))
            written = True
            await record_access(conn, event)
    except BaseException:
        if written:
            await asyncio.to_thread(output.unlink, missing_ok=True)
        raise


class ExportNotWritten(UserError):
    """The export file cannot be written where asked."""


def write_new_file(path: Path, text: str) -> None:
    """Write `text` to `path`, which must not exist yet, readable by its owner only.

    The text goes to a temporary file in the same directory, renamed into place once
    complete, so `path` never holds half an export.
    """
    if path.exists():
        raise ExportNotWritten(f"{path}: the file exists; choose another name")
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise ExportNotWritten(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp made it 0600
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ExportNotWritten(f"cannot write {path}: {exc.strerror}") from exc


_RELATED = {
    "household_member": "SELECT * FROM household_member "
    "WHERE city_code = $1 AND person_id = $2 ORDER BY created_at, id",
    "consent_record": "SELECT * FROM consent_record "
    "WHERE city_code = $1 AND person_id = $2 ORDER BY created_at, id",
    "visit": "SELECT v.* FROM visit v JOIN visit_person w "
    "ON w.city_code = v.city_code AND w.visit_id = v.id "
    "WHERE w.city_code = $1 AND w.person_id = $2 ORDER BY v.visited_on, v.id",
    "assistance_request": "SELECT * FROM assistance_request "
    "WHERE city_code = $1 AND person_id = $2 ORDER BY raised_on, id",
    "referral_note": "SELECT n.* FROM referral_note n JOIN assistance_request a "
    "ON a.city_code = n.city_code AND a.id = n.need_id "
    "WHERE a.city_code = $1 AND a.person_id = $2 ORDER BY n.noted_on, n.created_at, n.id",
    "referral_outcome": "SELECT o.* FROM referral_outcome o JOIN assistance_request a "
    "ON a.city_code = o.city_code AND a.id = o.id "
    "WHERE a.city_code = $1 AND a.person_id = $2 ORDER BY a.raised_on, o.id",
    "dispute_case": "SELECT c.*, p.name AS party_name FROM dispute_party p JOIN dispute_case c "
    "ON c.city_code = p.city_code AND c.id = p.case_id "
    "WHERE p.city_code = $1 AND p.person_id = $2 ORDER BY c.opened_on, c.id",
    "person_move": "SELECT * FROM person_move WHERE city_code = $1 AND person_id = $2 ORDER BY id",
    "representative": "SELECT * FROM representative "
    "WHERE city_code = $1 AND person_id = $2 ORDER BY appointed_on, id",
    "meeting_attendee": "SELECT m.id AS meeting_id, m.kind, m.held_on, m.org_code, a.attendance "
    "FROM meeting_attendee a JOIN meeting m ON m.city_code = a.city_code AND m.id = a.meeting_id "
    "WHERE a.city_code = $1 AND a.person_id = $2 ORDER BY m.held_on, m.id",
    "action_item": "SELECT i.*, m.kind AS meeting_kind, m.held_on AS meeting_held_on "
    "FROM action_item_link l JOIN action_item i ON i.city_code = l.city_code AND i.id = l.item_id "
    "JOIN meeting m ON m.city_code = i.city_code AND m.id = i.meeting_id "
    "WHERE l.city_code = $1 AND l.person_id = $2 ORDER BY m.held_on, i.seq, i.id",
}


def _plain(row: dict[str, Any], keys: Keyring) -> dict[str, Any]:
    """Decrypt identifiers, drop blind indexes, make every value JSON-ready."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name.endswith("_hmac"):
            continue
        if name == "id_number_enc":
            out["id_number"] = keys.decrypt("id_number", value) if value else None
        elif name == "phone_enc":
            out["phone"] = keys.decrypt("phone", value) if value else None
        elif isinstance(value, date | datetime):
            out[name] = value.isoformat()
        elif isinstance(value, UUID):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
