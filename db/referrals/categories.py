"""Each category's default department and days to the due date, as reference data holds
them (sql/V013 `need_category`, loaded from seeds/need_categories.py): the forms offer
them, and the database applies them to a need saved without its own."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection, record


class NeedDefault(BaseModel):
    """What a need of one category gets unless the form says otherwise."""

    model_config = ConfigDict(frozen=True)

    code: str
    department_code: str
    due_days: int


async def need_defaults(conn: Connection) -> dict[str, NeedDefault]:
    """The defaults of every category, by its code."""
    rows = await conn.fetch(
        "SELECT code, department_code, due_days FROM need_category ORDER BY sort, code"
    )
    return {r["code"]: NeedDefault.model_validate(record(r)) for r in rows}
