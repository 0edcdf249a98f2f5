"""The demo's casework history: 36 months of disputes and sweeps, needs and their
referrals, meetings, representatives and their talks, and who looked at whom, over the
demo persons already loaded, and the months supervisors signed off. Each part writes as
the operator in its own transaction; the same seed, day and persons give the same rows."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date

from db.core.connect import Connection
from seeds.demo_disputes import DisputesLoaded, seed_disputes
from seeds.demo_meetings import MeetingsSeeded, seed_meetings
from seeds.demo_referrals import ReferralsLoaded, seed_referrals
from seeds.demo_representatives import RepresentativesLoaded, seed_representatives
from seeds.demo_signoff import SignOffsLoaded, seed_sign_offs
from seeds.demo_trail import TrailSeeded, seed_trail


@dataclass(frozen=True)
class HistoryLoaded:
    disputes: DisputesLoaded
    referrals: ReferralsLoaded
    meetings: MeetingsSeeded
    representatives: RepresentativesLoaded
    trail: TrailSeeded
    sign_offs: SignOffsLoaded

    def summary(self) -> str:
        d, r, m, p = self.disputes, self.referrals, self.meetings, self.representatives
        return (
            f"{d.sweeps} sweeps, {d.cases} cases, {r.needs} needs, {m.meetings} meetings, "
            f"{m.action_items} action items, {p.representatives} representatives, "
            f"{self.trail.rows} trail rows, {self.sign_offs.signed_off} months signed off"
        )


async def has_history(conn: Connection) -> bool:
    """Whether casework is stored already (the history is loaded only once)."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM dispute_sweep) OR EXISTS (SELECT 1 FROM meeting) "
            "OR EXISTS (SELECT 1 FROM representative)"
        )
    )


async def seed_history(conn: Connection, *, seed: int, today: date) -> HistoryLoaded:
    """Write every part of the history; referrals before representatives, whose talks
    are visits too, so each part finds the persons as the generator left them."""
    disputes = await seed_disputes(conn, seed=_part(seed, "disputes"), today=today)
    referrals = await seed_referrals(conn, seed=_part(seed, "referrals"), today=today)
    meetings = await seed_meetings(conn, seed=_part(seed, "meetings"), today=today)
    representatives = await seed_representatives(
        conn, seed=_part(seed, "representatives"), today=today
    )
    trail = await seed_trail(conn, seed=_part(seed, "trail"), today=today)
    # Last: a month is signed off only once all of its records are reviewed.
    sign_offs = await seed_sign_offs(conn, seed=_part(seed, "sign_offs"), today=today)
    return HistoryLoaded(disputes, referrals, meetings, representatives, trail, sign_offs)


def _part(seed: int, part: str) -> int:
    """A seed of its own for each part: parts that draw ids from their seed (visits are
    made by two of them) must not draw the same ones."""
    return zlib.crc32(f"{seed}:{part}".encode())
