"""Retention: anonymise people who left the city long ago (PIPL Art. 47).

What identifies a person goes (name, ID and phone, addresses, employer, notes,
household); what the statistics count stays (sex, ethnicity, birth year, place
of origin, occupation, arrival and departure dates), so the monthly and
ethnicity statistics of past years do not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.core.connect import Connection

DEFAULT_MONTHS = 24
ANONYMOUS_NAME = "(已匿名)"

_DUE = """
SELECT city_code, id
  FROM person
 WHERE status = 'left_city'
   AND anonymised_at IS NULL
   AND coalesce(status_changed_on, updated_at::date) < $1
 ORDER BY city_code, id
"""

_ANONYMISE = """
UPDATE person
   SET name = $3, name_pinyin = '', name_initials = '',
       birth_date = make_date(extract(year FROM birth_date)::int, 1, 1),
       id_number_enc = NULL, id_number_hmac = NULL, id_number_masked = NULL,
       phone_enc = NULL, phone_hmac = NULL, phone_masked = NULL,
       origin_address = '', current_address = '', employer = '', notes = '',
       anonymised_at = now(), version = version + 1
 WHERE (city_code, id) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
"""

_DROP_HOUSEHOLD = """
DELETE FROM household_member
 WHERE (city_code, person_id) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
"""

# What else names or describes them: the text of their needs, with their progress notes
# and the outcome of their close, of visits that were with them alone, their name as a
# party to disputes, their posts as a representative (who is retired, having left), notes
# on hand-overs, and any draft of their record. Categories, departments, kinds and dates
# stay for statistics.
# $3, where a statement has it, is the name that replaces theirs.
_SCRUB = [
    """
    UPDATE assistance_request SET description = $3, outcome = ''
     WHERE (city_code, person_id) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
    """
    UPDATE visit v SET notes = '', place = ''
     WHERE EXISTS (SELECT 1 FROM visit_person w
                    WHERE w.city_code = v.city_code AND w.visit_id = v.id
                      AND (w.city_code, w.person_id) IN
                          (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i)))
       AND NOT EXISTS (SELECT 1 FROM visit_person w JOIN person p
                          ON p.city_code = w.city_code AND p.id = w.person_id
                       WHERE w.city_code = v.city_code AND w.visit_id = v.id
                         AND p.anonymised_at IS NULL
                         AND (w.city_code, w.person_id) NOT IN
                             (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i)))
    """,
    """
    UPDATE referral_note n SET note = $3
      FROM assistance_request a
     WHERE a.city_code = n.city_code AND a.id = n.need_id
       AND (a.city_code, a.person_id) IN
           (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
    """
    UPDATE referral_outcome o SET reason = $3
      FROM assistance_request a
     WHERE a.city_code = o.city_code AND a.id = o.id AND o.reason <> ''
       AND (a.city_code, a.person_id) IN
           (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
    """
    UPDATE dispute_party SET name = $3, detail = ''
     WHERE (city_code, person_id) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
    """
    UPDATE representative r
       SET employer = '', post = '', social_posts = '', retirement_note = '',
           retired_on = coalesce(r.retired_on, greatest(r.appointed_on, p.status_changed_on))
      FROM person p
     WHERE p.city_code = r.city_code AND p.id = r.person_id
       AND (r.city_code, r.person_id) IN
           (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
    """
    UPDATE person_move SET note = ''
     WHERE (city_code, person_id) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
    """
    DELETE FROM form_draft
     WHERE form = 'person'
       AND (city_code, subject) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
    """,
]

_LOG = """
INSERT INTO audit_log (action, table_name, city_code, person_id, org_code, purpose)
SELECT 'anonymise', 'person', p.city_code, p.id, p.org_code, $3
  FROM person p
 WHERE (p.city_code, p.id) IN (SELECT c, i FROM unnest($1::char(4)[], $2::uuid[]) AS t(c, i))
"""


@dataclass(frozen=True, slots=True)
class RetentionRun:
    """What a retention run found and did."""

    cutoff: date
    due: int
    anonymised: int


def cutoff_for(today: date, months: int) -> date:
    """The date `months` calendar months before `today` (clamped to the month's end)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


async def run_retention(
    conn: Connection, *, today: date, months: int = DEFAULT_MONTHS, dry_run: bool = False
) -> RetentionRun:
    """Anonymise everyone who left the city before the cutoff (or only count them)."""
    cutoff = cutoff_for(today, months)
    rows = await conn.fetch(_DUE, cutoff)
    if dry_run or not rows:
        return RetentionRun(cutoff, len(rows), 0)
    cities = [r["city_code"] for r in rows]
    ids = [r["id"] for r in rows]
    purpose = f"retention: left the city before {cutoff.isoformat()} ({months} months)"
    async with conn.transaction():
        await conn.execute(_DROP_HOUSEHOLD, cities, ids)
        for statement in _SCRUB:
            named = (ANONYMOUS_NAME,) if "$3" in statement else ()
            await conn.execute(statement, cities, ids, *named)
        await conn.execute(_ANONYMISE, cities, ids, ANONYMOUS_NAME)
        await conn.execute(_LOG, cities, ids, purpose)
    return RetentionRun(cutoff, len(rows), len(rows))
