"""How a person's details and household read on their record."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from db.persons.consent import ConsentRecord, current_basis
from db.persons.models import HouseholdRow, PersonDetail
from tui.i18n import N_, _
from tui.labels import LEGAL_BASES, PERMITS, RELATIONS, SCHOOLING, SEXES, STATUSES


def languages(detail: PersonDetail) -> str:
    spoken = " ".join(detail.languages)
    return f"{spoken} · {_('interpreter needed')}" if detail.interpreter_needed else spoken


def details_table(
    detail: PersonDetail,
    revealed: dict[str, str | None],
    consents: Sequence[ConsentRecord] = (),
) -> Table:
    """Label and value pairs; identifiers masked unless revealed on this screen."""
    id_number = revealed.get("id_number") or detail.id_number_masked or ""
    phone = revealed.get("phone") or detail.phone_masked or ""
    missing = Text(_("(missing)"), style="bold red")
    rows: list[tuple[str, str | Text]] = [
        (N_("Name"), detail.name),
        (N_("Sex"), _(SEXES.get(detail.sex, ""))),
        (N_("Ethnicity"), detail.ethnic_name),
        (N_("Born"), detail.birth_date.isoformat()),
        (N_("ID number"), id_number),
        (N_("Phone"), phone),
        (N_("From"), f"{detail.origin_name or ''} {detail.origin_address}".strip() or missing),
        (N_("Address here"), detail.current_address or missing),
        (N_("Occupation"), detail.occupation or missing),
        (N_("Employer"), detail.employer),
        (N_("Arrived"), detail.arrival_date.isoformat() if detail.arrival_date else ""),
        (N_("Residence permit"), _(PERMITS[detail.residence_permit])),
        (N_("Languages"), languages(detail)),
        (N_("Grid"), f"{detail.community_name} {detail.grid_name}"),
        (N_("Status"), _(STATUSES[detail.status])),
        (N_("Legal basis"), legal_basis(consents)),
        (N_("Notes"), detail.notes),
    ]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, value in rows:
        table.add_row(_(label), value if isinstance(value, Text) else Text(value))
    return table


def household_cells(member: HouseholdRow) -> list[Text | str]:
    schooling = SCHOOLING[member.school_status]
    return [
        Text(member.name),
        _(RELATIONS.get(member.relation, member.relation)),
        _(SEXES.get(member.sex, "")),
        member.birth_date.isoformat(),
        _(schooling) if schooling else "",
    ]


def legal_basis(consents: Sequence[ConsentRecord]) -> Text:
    """The basis that holds now and since when; in red when there is none."""
    current = current_basis(list(consents))
    if current is not None:
        since = _("since {date}").format(date=current.given_on.isoformat())
        return Text(f"{_(LEGAL_BASES[current.basis])} · {since}")
    withdrawn = [c.withdrawn_on for c in consents if c.withdrawn_on is not None]
    if withdrawn:
        text = _("consent withdrawn on {date}").format(date=max(withdrawn).isoformat())
        return Text(text, style="bold red")
    return Text(_("(not recorded)"), style="bold red")


def consent_cells(consent: ConsentRecord) -> list[Text | str]:
    notes = " · ".join(note for note in (consent.note, consent.withdrawal_note) if note)
    withdrawn = consent.withdrawn_on.isoformat() if consent.withdrawn_on else ""
    return [
        _(LEGAL_BASES[consent.basis]),
        consent.given_on.isoformat(),
        withdrawn,
        Text(consent.recorded_by),
        Text(notes),
    ]
