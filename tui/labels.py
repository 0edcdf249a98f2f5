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
# People's mediation's categories (sql/V012), in the order its statistics list them.
DISPUTE_KINDS = {
    "marriage_family": N_("Marriage and family"),
    "neighbours": N_("Neighbours"),
    "housing_land": N_("Housing and homestead"),
    "contract": N_("Contract"),
    "business": N_("Production and business"),
    "damages": N_("Damages"),
    "labour": N_("Labour (incl. wage arrears)"),
    "consumer": N_("Consumer"),
    "medical": N_("Medical"),
    "traffic": N_("Road traffic accident"),
    "property_management": N_("Property management"),
    "land_requisition": N_("Land requisition and demolition"),
    "ethnic_religious": N_("Ethnic and religious customs"),
    "other": N_("Other"),
}
# A case's own status (its stage); its review has VISIT_STATUSES' words.
DISPUTE_STAGES = {
    "open": N_("Awaiting mediation"),
    "mediating": N_("Mediating"),
    "resolved": N_("Resolved by agreement"),
    "referred": N_("Referred elsewhere"),
    "closed": N_("Ended"),
}
PARTY_ROLES = {
    "applicant": N_("Applicant"),
    "respondent": N_("Respondent"),
    "other": N_("Other party"),
}
OUTCOMES = {
    "agreement": N_("Agreement reached"),
    "no_agreement": N_("No agreement"),
}
SWEEP_DETAILS = {
    "nil_return": N_("Nil return"),
    "with_cases": N_("New cases found"),
}
SWEEP_STATES = {
    "filed": N_("Filed on time"),
    "late": N_("Filed late"),
    "missing": N_("Not filed, overdue"),
    "due": N_("Due"),
}

def label(table: dict[str, str], code: str) -> str:
    """The translated label of `code`, or the code itself when the table lacks it."""
    return _(table[code]) if code in table else code
