"""Drafts of forms, kept in the database so nothing typed is lost.

A form's boxes are saved every few seconds, on quit and on hang-up, sealed with
the app's key (they may hold an ID number) and readable only by their owner
(sql/V005 `form_draft`). On the next open of the same form the user is offered
the draft; saving the record for real removes it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection
from db.keys.crypto import Keyring

FormName = Literal["person", "visit", "referral", "need", "meeting", "sweep", "dispute_case"]


class Draft(BaseModel):
    """A saved draft: what the boxes held, and from which version of the record."""

    model_config = ConfigDict(frozen=True)

    form: FormName
    subject: UUID
    org_code: str
    base_version: int | None
    values: dict[str, Any]
    saved_at: datetime


async def save_draft(
    conn: Connection,
    keys: Keyring,
    form: FormName,
    subject: UUID,
    org_code: str,
    base_version: int | None,
    values: dict[str, Any],
) -> None:
    """Keep the boxes of `form` for `subject` (replacing an older draft of it)."""
    sealed = keys.encrypt("draft", json.dumps(values, ensure_ascii=False, default=str))
    await conn.execute(
        """
        INSERT INTO form_draft (form, subject, city_code, org_code, base_version, payload)
        VALUES ($1, $2, left($3, 4), $3, $4, $5)
        ON CONFLICT (owner, form, subject) DO UPDATE
           SET org_code = EXCLUDED.org_code, city_code = EXCLUDED.city_code,
               base_version = EXCLUDED.base_version, payload = EXCLUDED.payload,
               saved_at = now()
        """,
        form, subject, org_code, base_version, sealed,
    )  # fmt: skip


async def find_draft(
    conn: Connection, keys: Keyring, form: FormName, subject: UUID
) -> Draft | None:
    """The user's draft of `form` for `subject`, if any."""
    row = await conn.fetchrow(
        "SELECT form, subject, org_code, base_version, payload, saved_at FROM form_draft "
        "WHERE owner = current_user AND form = $1 AND subject = $2",
        form, subject,
    )  # fmt: skip
    return None if row is None else _draft(row, keys)


async def drafts_of(conn: Connection, keys: Keyring, form: FormName) -> list[Draft]:
    """The user's drafts of one form, newest first (new records have no other key)."""
    rows = await conn.fetch(
        "SELECT form, subject, org_code, base_version, payload, saved_at FROM form_draft "
        "WHERE owner = current_user AND form = $1 ORDER BY saved_at DESC",
        form,
    )
    return [_draft(r, keys) for r in rows]


async def discard_draft(conn: Connection, form: FormName, subject: UUID) -> None:
    # No app role may DELETE (it would let them lock the table); see sql/V010.
    await conn.execute("SELECT tx_discard_draft($1, $2)", form, subject)


def _draft(row: Any, keys: Keyring) -> Draft:
    values = json.loads(keys.decrypt("draft", row["payload"]))
    return Draft(
        form=row["form"], subject=row["subject"], org_code=row["org_code"],
        base_version=row["base_version"], values=values, saved_at=row["saved_at"],
    )  # fmt: skip
