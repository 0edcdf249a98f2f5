"""The codes of dispute casework, as sql/V012 declares them: kinds, the case's own
status (its stage) and the steps it may take, parties' roles, outcomes.

The database holds every rule; these copies let a form offer only what it would accept.
"""

from __future__ import annotations

from typing import Literal

CaseKind = Literal[
    "marriage_family", "neighbours", "housing_land", "contract", "business", "damages",
    "labour", "consumer", "medical", "traffic", "property_management", "land_requisition",
    "ethnic_religious", "other",
]  # fmt: skip
# People's mediation's categories, in the order its statistics list them.
CASE_KINDS: tuple[CaseKind, ...] = (
    "marriage_family", "neighbours", "housing_land", "contract", "business", "damages",
    "labour", "consumer", "medical", "traffic", "property_management", "land_requisition",
    "ethnic_religious", "other",
)  # fmt: skip
Stage = Literal["open", "mediating", "resolved", "referred", "closed"]
STAGES: tuple[Stage, ...] = ("open", "mediating", "resolved", "referred", "closed")
OPEN_STAGES: tuple[Stage, ...] = ("open", "mediating")
CONCLUDED: tuple[Stage, ...] = ("resolved", "referred", "closed")
# sql/V012 tx_steps('dispute_case', 'stage', …): a concluded case is reopened to mediation
# while its conclusion is not approved.
STEPS: dict[str, tuple[Stage, ...]] = {
    "open": ("mediating", "resolved", "referred", "closed"),
    "mediating": ("resolved", "referred", "closed"),
    "resolved": ("mediating",),
    "referred": ("mediating",),
    "closed": ("mediating",),
}
Role = Literal["applicant", "respondent", "other"]
ROLES: tuple[Role, ...] = ("applicant", "respondent", "other")
Outcome = Literal["agreement", "no_agreement"]
OUTCOMES: tuple[Outcome, ...] = ("agreement", "no_agreement")


def next_stages(stage: str) -> tuple[Stage, ...]:
    """Where a case in `stage` may go by one step."""
    return STEPS.get(stage, ())


def reachable(start: str, path: list[str]) -> bool:
    """Whether the stages of `path` follow each other from `start` by allowed steps (a step
    that leaves the stage as it is, too)."""
    current = start
    for stage in path:
        if stage != current and stage not in next_stages(current):
            return False
        current = stage
    return True
