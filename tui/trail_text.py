"""How a row of the audit trail reads on screen: when (office time, with its zone), who
(name and role), what was done (which columns, never their values) and why."""

from __future__ import annotations

from db.audit.city_chain import CityChainReport
from db.audit.entries import TrailEntry
from db.audit.person_trail import TRAIL_PURPOSE
from db.core.clock import OFFICE_TZ
from db.persons.records import OPEN_PURPOSE
from tui.i18n import N_, _
from tui.labels import ROLES, TRAIL_ACTIONS, TRAIL_COLUMNS, TRAIL_TABLES, label

ROUTINE = frozenset({OPEN_PURPOSE, TRAIL_PURPOSE})
# What was looked at or shown, by the table name the row names.
SEEN = {
    ("open", "person"): N_("Opened the record"),
    ("open", "audit_log"): N_("Viewed this trail"),
    ("reveal", "person.id_number"): N_("Showed the full ID number"),
    ("reveal", "person.phone"): N_("Showed the full phone number"),
    ("reveal", "person.registered_where"): N_("Looked up the ID number (duplicate check)"),
    ("export", "person"): N_("Exported the record"),
    ("insert", "person"): N_("Registered the person"),
    ("anonymise", "person"): N_("Anonymised"),
}


def when(entry: TrailEntry) -> str:
    """Two lines: the office's date, then the time with the zone (15:40:02 +08:00)."""
    local = entry.at.astimezone(OFFICE_TZ)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d}\n{local:%H:%M:%S} {offset[:3]}:{offset[3:]}"


def who(entry: TrailEntry) -> str:
    """Two lines: the name, then the role (an operator is no app user)."""
    role = label(ROLES, entry.actor_kind) if entry.actor_kind else _("Operator")
    return f"{entry.actor_name}\n{role}"


def columns(names: list[str]) -> str:
    """The changed columns under their boxes' names, each once, in the order given."""
    shown = dict.fromkeys(label(TRAIL_COLUMNS, name) for name in names)
    return _("、").join(shown)


def what(entry: TrailEntry) -> str:
    """What was done, and on a line of its own the purpose stated (but for the routine
    ones the database gives opening a record and reading its trail)."""
    done = _what_done(entry)
    if entry.purpose and entry.purpose not in ROUTINE:
        done += "\n" + _("Purpose: {purpose}").format(purpose=entry.purpose)
    return done


def _what_done(entry: TrailEntry) -> str:
    table = entry.table_name or ""
    if (entry.action, table) in SEEN:
        return _(SEEN[entry.action, table])
    subject = label(TRAIL_TABLES, table)
    if entry.action == "update":
        changed = columns(entry.changes or [])
        return _("Changed {what}: {columns}").format(what=subject, columns=changed)
    if entry.action == "bulk_insert":
        return _("Loaded in bulk: {count} rows of {what}").format(
            count=entry.row_count, what=subject
        )
    action = label(TRAIL_ACTIONS, entry.action)
    return _("{action}: {what}").format(action=action, what=subject) if table else action


def chain_line(report: CityChainReport) -> str:
    """What the verification of the city's chain found, in one line."""
    chain = report.chain
    problem = report.problem
    if problem is None:
        if report.links == 0:
            return _("Audit chain {chain}: no audit rows yet.").format(chain=chain)
        line = _("Audit chain {chain}: all {links} links verified; head {anchor}").format(
            chain=chain, links=report.checked, anchor=report.anchor
        )
        if report.waiting:
            line += _("; {rows} rows wait to be sealed").format(rows=report.waiting)
        return line
    how = {
        "missing_link": N_("Audit chain {chain} is broken: link {link} is missing"),
        "row_deleted": N_(
            "Audit chain {chain} is broken at link {link}: audit row {row} is missing (deleted)"
        ),
        "row_changed": N_(
            "Audit chain {chain} is broken at link {link}: audit row {row} does not match its "
            "hash (changed after it was sealed)"
        ),
        "deleted_before_sealed": N_(
            "Audit chain {chain} is broken: audit row {row} is missing (deleted before it was "
            "sealed)"
        ),
        "unchained": N_(
            "Audit chain {chain} is broken: audit row {row} is in no chain (written with the "
            "chain's triggers off)"
        ),
    }[problem.kind]
    return _(how).format(chain=chain, link=problem.link, row=problem.audit_id)
