"""A sign-off refusal of the database (db/signoff.py `Refusal`) in the user's language:
a late edit of a signed-off month, a sign-off or a reopen refused."""

from __future__ import annotations

from typing import Any

from db.signoff import Refusal
from tui.i18n import N_, _
from tui.labels import VISIT_STATUSES, label

# How a community's sweep of the month stands when it is not approved (sweep_month_status).
SWEEP_STANDINGS = {**VISIT_STATUSES, "missing": N_("Not filed"), "due": N_("Not filed yet")}


def _sweeps(units: Any) -> str:
    return _("、").join(
        f"{u.get('unit', '')} {label(SWEEP_STANDINGS, str(u.get('state', '')))}"
        for u in units if isinstance(u, dict)
    )  # fmt: skip


def _kinds(kinds: Any) -> str:
    from tui.screens.submission_kinds import KINDS

    lines = []
    for k in kinds if isinstance(kinds, list) else []:
        kind = str(k.get("kind", ""))
        name = _(KINDS[kind].name) if kind in KINDS else kind
        lines.append(
            _("{kind}: {waiting} waiting, {returned} returned").format(
                kind=name, waiting=k.get("waiting", 0), returned=k.get("returned", 0)
            )
        )
    return _("、").join(lines)


def refusal_text(refusal: Refusal) -> str:
    """The refusal in one line, translated."""
    params: dict[str, Any] = {"month": "", "unit": "", "by": "", "on": "", **refusal.detail}
    if refusal.code == "sign_off_sweep":
        params["sweeps"] = _sweeps(refusal.detail.get("sweeps"))
    if refusal.code == "sign_off_pending":
        params["kinds"] = _kinds(refusal.detail.get("kinds"))
    try:
        return _(refusal.msgid).format(**params)
    except (KeyError, IndexError, ValueError):
        return refusal.msgid
