"""The boxes of the person form, in the paper form's order, and what each is called."""

from __future__ import annotations

from collections.abc import Iterator

from textual.widget import Widget
from textual.widgets import Select

from tui.i18n import N_, _
from tui.labels import LEGAL_BASES, PERMITS, SEXES
from tui.problem_text import field_label
from tui.widgets.boxes import TextBox
from tui.widgets.form_row import FormRow
from tui.widgets.tick_box import TickBox

# The paper form's boxes in its order (the Tab order): name, label, placeholder.
TEXT_BOXES: tuple[tuple[str, str, str], ...] = (
    ("name", N_("Name"), ""),
    ("ethnic", N_("Ethnicity"), N_("name or code, e.g. 维吾尔 or 05")),
    ("birth_date", N_("Born"), "YYYY-MM-DD"),
    ("id_number", N_("ID number"), N_("18 characters")),
    ("origin", N_("Place of origin"), N_("county name or 6-digit code")),
    ("origin_address", N_("Address there"), ""),
    ("current_address", N_("Address here"), ""),
    ("occupation", N_("Occupation"), ""),
    ("employer", N_("Employer"), ""),
    ("phone", N_("Phone"), ""),
    ("arrival_date", N_("Arrived"), "YYYY-MM-DD"),
    ("languages", N_("Languages"), N_("codes or names, e.g. zh ug")),
    ("notes", N_("Notes"), ""),
)
# Boxes that are not single lines of text come in the paper form's order too.
AFTER = {"name": "sex", "languages": "interpreter_needed", "arrival_date": "residence_permit"}
# Problems name model fields; these two boxes carry other names.
BOX_OF_FIELD = {"ethnic_code": "ethnic", "origin_division_code": "origin"}
BOX_LABELS: dict[str, str] = {
    **{name: label for name, label, _hint in TEXT_BOXES},
    "sex": N_("Sex"), "residence_permit": N_("Residence permit"),
    "interpreter_needed": N_("Interpreter"),
}  # fmt: skip
# A registration ends with its legal basis; a correction leaves that to the record screen.
BASIS_LABELS = {"basis": N_("Legal basis"), "given_on": N_("Consent given")}


def _tab_order() -> tuple[str, ...]:
    boxes = ["grid"]
    for name, _label, _hint in TEXT_BOXES:
        boxes += [name, AFTER[name]] if name in AFTER else [name]
    return (*boxes, *BASIS_LABELS)


# Every box in the order Tab reaches them, for listing problems in the form's order.
BOX_ORDER = _tab_order()


def box_of(field: str) -> str:
    """The box a problem's field is typed into."""
    return BOX_OF_FIELD.get(field, field)


def place(box: str) -> int:
    """Where `box` comes in the Tab order (unknown ones last)."""
    return BOX_ORDER.index(box) if box in BOX_ORDER else len(BOX_ORDER)


def box_label(box: str) -> str:
    """The label `box` carries, translated."""
    label = BOX_LABELS.get(box) or BASIS_LABELS.get(box)
    return _(label) if label else field_label(box)


def person_rows() -> Iterator[FormRow]:
    """Every row of the form in the Tab order (the grid's and the basis' may be hidden)."""
    yield FormRow(N_("Grid"), Select([], prompt=_("Choose the grid"), compact=True,
                                     id="box-grid"), field="grid")  # fmt: skip
    for name, label, hint in TEXT_BOXES:
        yield FormRow(label, TextBox(placeholder=_(hint) if hint else "", compact=True,
                                   id=f"box-{name}"), field=name)  # fmt: skip
        if name in AFTER:
            yield _other_box(AFTER[name])
    bases = [(_(t), v) for v, t in LEGAL_BASES.items()]
    yield FormRow(BASIS_LABELS["basis"], Select(bases, prompt=_("Choose"), compact=True,
                                                id="box-basis"), field="basis")  # fmt: skip
    yield FormRow(BASIS_LABELS["given_on"], TextBox(
        placeholder=_("YYYY-MM-DD, for a separate consent"), compact=True, id="box-given_on"),
        field="given_on")  # fmt: skip


def _other_box(name: str) -> FormRow:
    if name == "sex":
        sexes = [(_(t), str(v)) for v, t in SEXES.items()]
        box: Widget = Select(sexes, prompt=_("Choose"), compact=True, id="box-sex")
        return FormRow(N_("Sex"), box, field="sex")
    if name == "residence_permit":
        box = Select([(_(t), v) for v, t in PERMITS.items()], value="none", allow_blank=False,
                     compact=True, id="box-residence_permit")  # fmt: skip
        return FormRow(N_("Residence permit"), box, field="residence_permit")
    box = TickBox(_("Interpreter needed"), compact=True, id="box-interpreter_needed")
    return FormRow(N_("Interpreter"), box, field="interpreter_needed")
