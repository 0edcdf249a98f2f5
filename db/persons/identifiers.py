"""Showing a full resident ID or phone number: asks a purpose, leaves an audit row."""

from __future__ import annotations

from uuid import UUID

from db.audit.trail import AccessEvent, record_access
from db.core.connect import Connection
from db.core.errors import UserError
from db.keys.crypto import Field, Keyring

_WHERE = " FROM person WHERE city_code = $1 AND id = $2"
_ENCRYPTED = {
    "id_number": "SELECT org_code, id_number_enc AS blob" + _WHERE,
    "phone": "SELECT org_code, phone_enc AS blob" + _WHERE,
}


class NotVisible(UserError):
    """The record does not exist or lies outside the user's scope."""


async def reveal(
    conn: Connection, keys: Keyring, city_code: str, person_id: UUID, field: Field, purpose: str
) -> str | None:
    """The plaintext of one identifier (None if not recorded), audited with `purpose`.

    Runs as the user: a person outside their scope is simply not found.
    """
    row = await conn.fetchrow(_ENCRYPTED[field], city_code, person_id)
    if row is None:
        raise NotVisible("person: not found in your scope")
    event = AccessEvent(
        action="reveal",
        purpose=purpose,
        org_code=row["org_code"],
        city_code=city_code,
        person_id=person_id,
        table_name=f"person.{field}",
    )
    await record_access(conn, event)
    return None if row["blob"] is None else keys.decrypt(field, row["blob"])
