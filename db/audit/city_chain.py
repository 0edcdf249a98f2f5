"""The audit chain of the reader's city, verified by the database for an auditor (who
may not read every row it covers), in batches, each in a transaction of its own.

See sql/V016__person_trail.sql for what it tells and why; `tongxin audit verify`
(db/audit/chain.py) is the operator's check, recomputed outside the database.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from db.audit.chain import FIRST_PREVIOUS, chain_label
from db.core.connect import Connection, record

BATCH = 20000
ProblemKind = Literal[
    "missing_link", "row_deleted", "row_changed", "deleted_before_sealed", "unchained"
]
Transaction = Callable[[], AbstractAsyncContextManager[Connection]]
Progress = Callable[[int, int], None]


class ChainProblem(BaseModel):
    """The first broken link: which link (or audit row) and how."""

    model_config = ConfigDict(frozen=True)

    kind: ProblemKind
    link: int | None = None
    audit_id: int | None = None
    followed_by: int | None = None

    def english(self, chain: str) -> str:
        """As `tongxin audit verify` says it."""
        where = f"audit chain {chain_label(chain)}"
        if self.kind == "missing_link":
            link = self.link or 1
            if self.followed_by is None:
                return f"{where}: link {link} is missing (the chain ends at link {link - 1})"
            before = f"link {link - 1} is followed by" if link > 1 else "the chain starts at"
            return f"{where}: link {link} is missing ({before} link {self.followed_by})"
        if self.kind == "row_deleted":
            return f"{where}, link {self.link}: audit row {self.audit_id} is missing (deleted)"
        if self.kind == "row_changed":
            return (
                f"{where}, link {self.link}: audit row {self.audit_id} does not match its hash "
                "(changed after it was sealed)"
            )
        if self.kind == "deleted_before_sealed":
            return f"{where}: audit row {self.audit_id} is missing (deleted before it was sealed)"
        return (
            f"{where}: audit row {self.audit_id} is in no chain "
            "(written with the chain's triggers off)"
        )


class CityChainReport(BaseModel):
    """What the verification found: the links verified and the last one's hash (the
    head, when nothing is broken), the rows waiting to be sealed, or the first problem."""

    model_config = ConfigDict(frozen=True)

    chain: str
    links: int
    checked: int
    head_hash: str
    waiting: int
    problem: ChainProblem | None = None

    @property
    def anchor(self) -> str:
        """The head as `tongxin audit verify` prints it: CHAIN:SEQ:HASH."""
        return f"{self.chain}:{self.checked}:{self.head_hash}"


async def verify_city_chain(
    transaction: Transaction, *, progress: Progress | None = None, batch: int = BATCH
) -> CityChainReport:
    """Verify the reader's city chain link by link, `batch` links a transaction, telling
    `progress` (links verified, links in all) after each batch."""
    async with transaction() as conn:
        state = await conn.fetchrow("SELECT * FROM tx_audit_city_chain()")
    assert state is not None
    chain, links = state["chain"], state["links"]
    checked, head = 0, FIRST_PREVIOUS

    def report(problem: ChainProblem | None = None) -> CityChainReport:
        return CityChainReport(chain=chain, links=links, checked=checked, head_hash=head.hex(),
                               waiting=state["waiting"], problem=problem)  # fmt: skip

    while checked < links:
        async with transaction() as conn:
            found = await conn.fetchrow(
                "SELECT * FROM tx_audit_verify_links($1, $2)", checked, min(checked + batch, links)
            )
        assert found is not None
        if found["problem"] is not None:
            return report(_problem(found))
        if found["checked"] == checked:
            break  # the chain ends before its last link (cut off meanwhile)
        checked, head = found["checked"], bytes(found["head"])
        if progress is not None:
            progress(checked, links)
    async with transaction() as conn:
        loose = await conn.fetchrow("SELECT * FROM tx_audit_loose_rows()")
    assert loose is not None
    return report(_problem(loose) if loose["problem"] is not None else None)


def _problem(row: Any) -> ChainProblem:
    values = record(row)
    return ChainProblem(
        kind=values["problem"],
        link=values.get("link"),
        audit_id=values.get("audit_id"),
        followed_by=values.get("followed_by"),
    )
