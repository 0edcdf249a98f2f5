"""The audit trail's hash chains: seal what waits, then walk each chain and check every link.

The database links each audit row into its city's chain when the writer commits
(sql/V008__audit_chain.sql). Verifying recomputes every hash here, outside the
database, from the rows' column texts, so a function replaced in the database
cannot vouch for a rewritten row. The walk streams each chain through a cursor,
so a chain of millions of rows verifies in bounded memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from db.core.connect import Connection
from db.core.errors import UserError

NO_CITY = "-"
FIRST_PREVIOUS = bytes(32)
BATCH = 5000
_ANCHOR = re.compile(r"(\d{4}|-):([1-9]\d*):([0-9a-f]{64})")


class ChainBroken(UserError):
    """A link of an audit chain is broken or missing; the message names which and how."""


class NoSuchChain(UserError):
    """No audit row was ever written for the city asked about."""


class Anchor(BaseModel):
    """A chain's head as written down (`CHAIN:SEQ:HASH`): that link must still hash so."""

    model_config = ConfigDict(frozen=True)

    chain: str
    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """`4101:1234:<64 hex digits>` (`-:…` for the chain without a city)."""
        match = _ANCHOR.fullmatch(text.strip().lower())
        if match is None:
            raise ValueError(f"{text!r} is not CHAIN:SEQ:HASH as audit verify prints it")
        return cls(chain=match[1], seq=int(match[2]), hash=match[3])

    def __str__(self) -> str:
        return f"{self.chain}:{self.seq}:{self.hash}"


class ChainReport(BaseModel):
    """One chain that verified: how many links, and its head (the anchor kept on paper)."""

    model_config = ConfigDict(frozen=True)

    chain: str
    rows: int
    head_seq: int
    head_hash: str
    waiting: int

    @property
    def label(self) -> str:
        return chain_label(self.chain)

    @property
    def anchor(self) -> Anchor:
        return Anchor(chain=self.chain, seq=self.head_seq, hash=self.head_hash)


def chain_label(chain: str) -> str:
    return f"{chain} (no city)" if chain == NO_CITY else chain


def link_hash(previous: bytes, fields: Sequence[str | None]) -> bytes:
    """sha256(previous hash || canonical text): each field as `<bytes>:<text>`, NULL as `-`."""
    text = "".join("-" if f is None else f"{len(f.encode())}:{f}" for f in fields)
    return hashlib.sha256(previous + text.encode()).digest()


_WAITING_CHAINS = """
SELECT chain, count(*) AS rows FROM audit_pending
 WHERE $1::text IS NULL OR chain = $1
 GROUP BY chain ORDER BY chain
"""

_CHAINS = """
WITH RECURSIVE sealed(chain) AS (
    SELECT min(chain) FROM audit_seal
    UNION ALL
    SELECT (SELECT min(s.chain) FROM audit_seal s WHERE s.chain > sealed.chain)
      FROM sealed WHERE sealed.chain IS NOT NULL
)
SELECT chain FROM (
    SELECT chain FROM sealed WHERE chain IS NOT NULL
    UNION SELECT chain FROM audit_chain
    UNION SELECT chain FROM audit_pending
) AS every_chain
 WHERE $1::text IS NULL OR chain = $1
 ORDER BY chain
"""

# The same column texts, in the same order, as audit_link_text() in V008.
_LINKS = """
SELECT s.seq, s.audit_id, s.hash, a.id IS NOT NULL AS present,
       a.id::text, (extract(epoch FROM a.at) * 1000000)::bigint::text, a.actor, a.action,
       a.table_name, a.city_code::text, a.row_id::text, a.person_id::text, a.org_code,
       a.changes::text, a.purpose, a.row_count::text
  FROM audit_seal s LEFT JOIN audit_log a ON a.id = s.audit_id
 WHERE s.chain = $1
 ORDER BY s.seq
"""

_STILL_WAITING = """
SELECT count(*) FROM audit_pending p JOIN audit_log a ON a.id = p.audit_id WHERE p.chain = $1
"""

_LOST_BEFORE_SEALED = """
SELECT p.chain, p.audit_id FROM audit_pending p
 WHERE ($1::text IS NULL OR p.chain = $1)
   AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.id = p.audit_id)
 ORDER BY p.audit_id LIMIT 1
"""

_UNCHAINED = """
SELECT a.id, coalesce(a.city_code::text, '-') AS chain FROM audit_log a
 WHERE ($1::text IS NULL OR coalesce(a.city_code::text, '-') = $1)
   AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.audit_id = a.id)
   AND NOT EXISTS (SELECT 1 FROM audit_pending p
                    WHERE p.chain = coalesce(a.city_code::text, '-') AND p.audit_id = a.id)
 ORDER BY a.id LIMIT 1
"""


async def seal_waiting(conn: Connection, chain: str | None = None) -> None:
    """Seal the rows that wait (their writer found the chain busy); skip a busy chain."""
    for row in await conn.fetch(_WAITING_CHAINS, chain):
        left = row["rows"]
        while left > 0:
            sealed = await conn.fetchval("SELECT audit_chain_seal($1, $2)", row["chain"], BATCH)
            if not sealed:
                break
            left -= sealed


async def verify_chains(
    conn: Connection,
    city: str | None = None,
    anchors: Iterable[Anchor] = (),
    *,
    batch: int = BATCH,
) -> list[ChainReport]:
    """Seal what waits, then check every chain (or the city's), and each link written down
    in `anchors`; raise ChainBroken at the first broken or missing link."""
    written: dict[str, dict[int, str]] = {}
    for anchor in anchors:
        written.setdefault(anchor.chain, {})[anchor.seq] = anchor.hash
    await seal_waiting(conn, city)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        chains = [r["chain"] for r in await conn.fetch(_CHAINS, city)]
        if city is not None and not chains:
            raise NoSuchChain(f"--city {city}: no audit rows for this city")
        if missing := sorted(written.keys() - set(chains)):
            raise ChainBroken(f"audit chain {chain_label(missing[0])}: written down, but missing")
        reports = [
            await _verify_chain(conn, chain, written.get(chain, {}), batch) for chain in chains
        ]
        await _check_every_row_is_chained(conn, city)
    return reports


async def _verify_chain(
    conn: Connection, chain: str, written: dict[int, str], batch: int
) -> ChainReport:
    rows, last = await _walk(conn, chain, written, batch)
    if beyond := [seq for seq in written if seq > rows]:
        raise ChainBroken(
            f"audit chain {chain_label(chain)}: link {min(beyond)} was written down, "
            f"but the chain ends at link {rows} (its end was cut off)"
        )
    waiting = await conn.fetchval(_STILL_WAITING, chain)
    return ChainReport(chain=chain, rows=rows, head_seq=rows, head_hash=last.hex(), waiting=waiting)


async def _walk(
    conn: Connection, chain: str, written: dict[int, str], batch: int
) -> tuple[int, bytes]:
    """Recompute the chain link by link; the number of links and the last hash."""
    where = f"audit chain {chain_label(chain)}"
    expected, link = 1, FIRST_PREVIOUS
    async for row in conn.cursor(_LINKS, chain, prefetch=batch):
        seq = row["seq"]
        if seq != expected:
            after = f"link {expected - 1} is followed by" if expected > 1 else "the chain starts at"
            raise ChainBroken(f"{where}: link {expected} is missing ({after} link {seq})")
        if not row["present"]:
            raise ChainBroken(
                f"{where}, link {seq}: audit row {row['audit_id']} is missing (deleted)"
            )
        link = link_hash(link, [chain, str(seq), *list(row.values())[4:]])
        if link != bytes(row["hash"]):
            raise ChainBroken(
                f"{where}, link {seq}: audit row {row['audit_id']} does not match its hash "
                "(changed after it was sealed)"
            )
        if seq in written and written[seq] != link.hex():
            raise ChainBroken(
                f"{where}, link {seq}: not the hash written down ({written[seq][:12]}…): "
                "the chain was rewritten since"
            )
        expected += 1
    return expected - 1, link


async def _check_every_row_is_chained(conn: Connection, chain: str | None) -> None:
    lost = await conn.fetchrow(_LOST_BEFORE_SEALED, chain)
    if lost is not None:
        raise ChainBroken(
            f"audit chain {chain_label(lost['chain'])}: audit row {lost['audit_id']} "
            "is missing (deleted before it was sealed)"
        )
    loose = await conn.fetchrow(_UNCHAINED, chain)
    if loose is not None:
        raise ChainBroken(
            f"audit chain {chain_label(loose['chain'])}: audit row {loose['id']} "
            "is in no chain (written with the chain's triggers off)"
        )
