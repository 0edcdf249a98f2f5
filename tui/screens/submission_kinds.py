"""What the screens know of each kind of submission: its name, how a queue line and a
dialog name one record of it, and which form opens it. Adding a kind is a declaration
in SQL (`tx_submission`), a small db/ module, a form on SubmissionFormScreen, and an
entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from db.workflow import Waiting
from tui.i18n import N_, _
from tui.labels import DISPUTE_KINDS, MEETING_KINDS, SWEEP_DETAILS, VISIT_KINDS, label
from tui.session import Session

Opener = Callable[[Session, Waiting], Screen[Any]]


@dataclass(frozen=True, slots=True)
class KindView:
    """One kind of submission as the screens show it."""

    name: str  # msgid
    title_line: str  # msgid with {title}: whom or what the record is about
    details: dict[str, str]  # the kind's sorts (Waiting.detail) and their msgids
    open: Opener


def _open_visit(session: Session, item: Waiting) -> Screen[Any]:
    from tui.screens.visit_form import VisitFormScreen

    return VisitFormScreen(session, item.city_code, item.id, review=item)


def _open_sweep(session: Session, item: Waiting) -> Screen[Any]:
    from tui.screens.sweep_form import SweepFormScreen

    return SweepFormScreen(session, item.city_code, item.id, review=item)


def _open_case(session: Session, item: Waiting) -> Screen[Any]:
    from tui.screens.case_form import CaseFormScreen

    return CaseFormScreen(session, item.city_code, item.id, review=item)


def _open_referral(session: Session, item: Waiting) -> Screen[Any]:
    from tui.screens.referral_form import ReferralFormScreen

    return ReferralFormScreen(session, item.city_code, item.id, review=item)


# What a close came to, as the queue names it.
CLOSES = {"resolved": N_("Close: resolved"), "unable": N_("Close: unable to help")}


def _open_minutes(session: Session, item: Waiting) -> Screen[Any]:
    from tui.screens.meeting_form import MeetingFormScreen

    return MeetingFormScreen(session, item.city_code, item.id, review=item)


KINDS: dict[str, KindView] = {
    "visit": KindView(N_("Visit"), N_("Persons: {title}"), VISIT_KINDS, _open_visit),
    "referral_outcome": KindView(
        N_("Close of a need"), N_("Whose need: {title}"), CLOSES, _open_referral
    ),
    "minutes": KindView(N_("Minutes"), N_("Agenda: {title}"), MEETING_KINDS, _open_minutes),
    "sweep": KindView(N_("Dispute sweep"), N_("Community: {title}"), SWEEP_DETAILS, _open_sweep),
    "dispute_case": KindView(
        N_("Dispute case"), N_("Parties: {title}"), DISPUTE_KINDS, _open_case
    ),  # fmt: skip
}


def kind_view(kind: str) -> KindView:
    return KINDS[kind]


def what_it_is(item: Waiting) -> str:
    """The sort of record, in words: a home visit, a phone call …"""
    view = kind_view(item.kind)
    return label(view.details, item.detail) if item.detail in view.details else _(view.name)
