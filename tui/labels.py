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
CHANNELS = {
    "visit": N_("Found on a visit"),
    "walk_in": N_("Walk-in"),
    "hotline": N_("Hotline"),
    "online": N_("Online"),
}
OUTCOME_RESULTS = {
    "resolved": N_("Resolved"),
    "unable": N_("Unable to help"),
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

STANDINGS = {
    "ethnic": N_("Ethnic minority representative"),
    "religious": N_("Religious representative"),
    "clergy": N_("Clergy"),
    "informant": N_("Ethnic and religious informant"),
    "other": N_("Other"),
}
# The 三必谈 rhythm: each talk's state, said in a word (the colour only repeats it).
RHYTHM_STATES = {
    "done": N_("Talked"),
    "due": N_("Due now"),
    "overdue": N_("Overdue"),
    "upcoming": N_("Not yet"),
}
ROLES = {
    "grid_worker": N_("Grid worker"),
    "supervisor": N_("Supervisor"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
}
# The audit trail: its actions, the tables its rows are about, the columns they name.
TRAIL_ACTIONS = {
    "open": N_("Viewed"),
    "reveal": N_("Full number shown"),
    "export": N_("Exported"),
    "anonymise": N_("Anonymised"),
    "insert": N_("Added"),
    "update": N_("Changed"),
    "delete": N_("Removed"),
    "bulk_insert": N_("Loaded in bulk"),
}
TRAIL_TABLES = {
    "person": N_("record"),
    "household_member": N_("household member"),
    "consent_record": N_("legal basis"),
    "visit_person": N_("visit"),
    "assistance_request": N_("need"),
    "person_move": N_("hand-over"),
    "dispute_party": N_("dispute party"),
    "app_user": N_("user"),
    "org_unit": N_("org unit"),
}
# Columns under the name of the box that writes them; encrypted, indexed and masked
# copies of one number are one box.
TRAIL_COLUMNS = {
    "name": N_("Name"),
    "name_pinyin": N_("Name"),
    "name_initials": N_("Name"),
    "sex": N_("Sex"),
    "ethnic_code": N_("Ethnicity"),
    "birth_date": N_("Born"),
    "id_number_enc": N_("ID number"),
    "id_number_hmac": N_("ID number"),
    "id_number_masked": N_("ID number"),
    "origin_division_code": N_("Place of origin"),
    "origin_address": N_("Address there"),
    "current_address": N_("Address here"),
    "occupation": N_("Occupation"),
    "employer": N_("Employer"),
    "phone_enc": N_("Phone"),
    "phone_hmac": N_("Phone"),
    "phone_masked": N_("Phone"),
    "arrival_date": N_("Arrived"),
    "residence_permit": N_("Residence permit"),
    "languages": N_("Languages"),
    "interpreter_needed": N_("Interpreter needed"),
    "status": N_("Status"),
    "status_changed_on": N_("Status"),
    "notes": N_("Notes"),
    "org_code": N_("Grid"),
    "relation": N_("Relation"),
    "school_status": N_("School"),
    "withdrawn_on": N_("Withdrawn"),
    "withdrawal_note": N_("Note"),
    "category": N_("Category"),
    "description": N_("What is needed"),
    "department_code": N_("Department"),
    "due_on": N_("Due"),
    "outcome": N_("Outcome"),
    "resolved_on": N_("Date resolved"),
    "display_name": N_("Name"),
    "disabled_at": N_("Disabled"),
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
