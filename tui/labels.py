"""How stored codes read on screen (msgids, translated where shown)."""

from __future__ import annotations

from tui.i18n import N_, _

SEXES = {1: N_("Male"), 2: N_("Female")}
STATUSES = {
    "registered": N_("Registered"),
    "moved_out": N_("Moved out"),
    "left_city": N_("Left the city"),
}
PERMITS = {
    "none": N_("None"),
    "applied": N_("Applied for"),
    "issued": N_("Issued"),
    "expired": N_("Expired"),
}
LEGAL_BASES = {
    "consent": N_("Separate consent"),
    "statutory_duty": N_("Statutory duty"),
}
RELATIONS = {
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "sibling": N_("Sibling"),
    "other": N_("Other"),
}
SCHOOLING = {
    "n/a": "",
    "preschool": N_("Pre-school"),
    "enrolled": N_("At school"),
    "not_enrolled": N_("Not at school"),
}
VISIT_KINDS = {
    "home_visit": N_("Home visit"),
    "phone_call": N_("Phone call"),
    "face_to_face": N_("Face-to-face talk"),
    "festival": N_("Festival gathering"),
}
VISIT_STATUSES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "returned": N_("Returned"),
    "approved": N_("Approved"),
}
NEED_CATEGORIES = {
    "employment": N_("Employment"),
    "paperwork": N_("Papers and licences"),
    "livelihood": N_("Hardship"),
    "schooling": N_("School enrolment"),
    "housing": N_("Housing"),
    "medical": N_("Medical care"),
    "legal_aid": N_("Legal aid"),
    "relief": N_("Emergency relief"),
    "halal_food": N_("Halal food"),
    "business_licence": N_("Business licence"),
    "other": N_("Other"),
}
NEED_STATUSES = {
    "pending": N_("Not yet submitted"),
    "open": N_("Awaiting help"),
    "referred": N_("Referred"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}
DISPUTE_KINDS = {
    "wage_arrears": N_("Wage arrears"),
    "trade": N_("Trade"),
    "tenancy": N_("Tenancy"),
    "neighbours": N_("Neighbours"),
    "family": N_("Family"),
    "other": N_("Other"),
}
DISPUTE_STATUSES = {
    "open": N_("Unresolved"),
    "mediating": N_("Mediating"),
    "resolved": N_("Resolved"),
    "referred": N_("Referred"),
}

MEETING_KINDS = {
    "member_joint": N_("Member departments' joint meeting"),
    "origin_destination": N_("Origin-destination joint meeting"),
    "representatives": N_("Representatives' symposium"),
    "eid_symposium": N_("Eid al-Adha symposium"),
    "working": N_("Working meeting"),
}
ATTENDANCES = {
    "present": N_("Present"),
    "apologies": N_("Apologies"),
    "observer": N_("Observer"),
}
ACTION_STATUSES = {
    "open": N_("Still open"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}
LINK_KINDS = {
    "person": N_("Person"),
    "need": N_("Need"),
    "case": N_("Dispute"),
}


def label(table: dict[str, str], code: str) -> str:
    """The translated label of `code`, or the code itself when the table lacks it."""
    return _(table[code]) if code in table else code
