"""The grid worker's home screen, their first after login: this month's sweeps, the
referrals overdue or due within a week, the representatives due or overdue for a talk,
the action items due and the units overdue for a meeting, their visit drafts and what
reviewers returned. Enter opens a line's record or form; overdue is said in a word
(and red repeats it). Due work only: nobody is scored, ranked or flagged."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.screen import Screen

from db.core.clock import OFFICE_TZ, today
from db.disputes.months import SweepDue
from db.drafts import Draft
from db.home.grid_home import GridHome, grid_home
from db.home.returned import Returned
from db.ledgers.home import RecordToComplete
from db.meetings.rhythm import DueItem, OverdueMeeting
from db.referrals.lists import ReferralLine
from db.representatives.store import RepresentativeRhythm
from db.visits.form import VisitForm
from db.visits.store import VisitSummary
from tui.i18n import N_, _
from tui.labels import MEETING_KINDS, NEED_CATEGORIES, label
from tui.messages import HomeLoaded
from tui.screens.failures import Failure
from tui.screens.first_lines import DUE_SOON, OVERDUE, FirstScreen, Line, heading, item
from tui.screens.submission_kinds import KINDS
from tui.widgets.rhythm_cells import talk_cell

LOAD_GROUP = "home-load"
TALKS = (N_("weekly phone talk"), N_("monthly face-to-face talk"), N_("Eid symposium"))


class HomeScreen(FirstScreen):
    """The grid worker's first screen."""

    TITLE_MSGID = N_("Home: my due work")
    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Cannot load the list"))}
    home: GridHome | None = None

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            home = await grid_home(conn, self.session.keyring, today())
        self.post_message(HomeLoaded(home))

    def on_home_loaded(self, message: HomeLoaded) -> None:
        self.home = message.home
        self.loaded_now()

    def title_text(self) -> str:
        if self.home is None:
            return _(self.TITLE_MSGID)
        return _("Home: my due work, {day}").format(day=self.home.day.isoformat())

    def lines(self) -> list[Line]:
        home = self.home
        if home is None:
            return []
        items = home.meetings.items
        drafts = len(home.draft_visits) + len(home.typed_visits)
        return [
            heading(_("Sweeps of disputes"), len(home.sweeps)),
            *(self._sweep(s) for s in home.sweeps),
            heading(_("Referrals overdue or due within a week"), len(home.referrals)),
            *(self._referral(r) for r in home.referrals),
            heading(_("Representatives to talk with"), len(home.representatives)),
            *(self._representative(r) for r in home.representatives),
            heading(_("Action items due"), len(items)),
            *(self._action_item(i) for i in items),
            heading(_("Units overdue for a meeting"), len(home.meetings.overdue)),
            *(self._meeting(m) for m in home.meetings.overdue),
            heading(_("My visit drafts"), drafts),
            *(self._draft(v) for v in home.draft_visits),
            *(self._typed(d) for d in home.typed_visits),
            heading(_("Returned to me"), len(home.returned)),
            *(self._returned(r) for r in home.returned),
            heading(_("Records missing a 三必清 field"), home.to_complete.count),
            *(self._to_complete(r) for r in home.to_complete.first),
        ]

    def _sweep(self, due: SweepDue) -> Line:
        s = due.status
        month = s.month.strftime("%Y-%m")
        if s.status == "returned":
            state, style = _("returned: fix and file again"), DUE_SOON
        elif s.state == "filed":
            state, style = _("filed"), ""
        elif s.state == "late":
            state, style = _("filed late"), ""
        elif s.state == "missing":
            state = _("overdue: due {due}, {days} days late").format(
                due=s.due_on.isoformat(), days=-due.days_left
            )
            style = OVERDUE
        else:
            state = _("due in {days} days ({due})").format(
                days=due.days_left, due=s.due_on.isoformat()
            )
            style = DUE_SOON if due.days_left <= 7 else ""
        text = _("{unit} {month}: {state}").format(unit=s.unit_name, month=month, state=state)

        def opens() -> Screen[Any]:
            from tui.screens.sweep_form import open_sweep_screen

            return open_sweep_screen(self.session, s.org_code, s.month)

        return item(text, opens, style=style)

    def _referral(self, line: ReferralLine) -> Line:
        due = line.due_on.isoformat() if line.due_on else "—"
        if line.overdue:
            when, style = (
                _("overdue {days} days (due {due})").format(days=line.days_overdue, due=due),
                OVERDUE,
            )
        else:
            when, style = _("due {due}").format(due=due), DUE_SOON
        text = " · ".join(
            part
            for part in (
                line.person_name or "—",
                label(NEED_CATEGORIES, line.category),
                line.department_name or _("not referred yet"),
                when,
            )
            if part
        )

        def opens() -> Screen[Any]:
            from tui.screens.referral_form import ReferralFormScreen

            return ReferralFormScreen(self.session, line.city_code, line.id)

        return item(text, opens, style=style)  # fmt: skip

    def _representative(self, rep: RepresentativeRhythm) -> Line:
        talks = zip(TALKS, (
            (rep.phone_state, rep.last_phone, rep.phone_due, None),
            (rep.face_state, rep.last_face, rep.face_due, None),
            (rep.eid_state, rep.last_eid, rep.eid_due, rep.eid_day)), strict=True)  # fmt: skip
        text = Text(rep.name or "—")
        for name, (state, last, due, eid) in talks:
            if state in ("due", "overdue"):
                text.append(" · " + _(name) + " ")
                text.append_text(talk_cell(state, last, due, eid))

        def opens() -> Screen[Any]:
            from tui.screens.representative_record import RepresentativeScreen

            return RepresentativeScreen(self.session, rep.city_code, rep.id)

        return item(text, opens)

    def _action_item(self, due: DueItem) -> Line:
        when = (_("overdue (due {due})") if due.overdue else _("due {due}")).format(
            due=due.due_on.isoformat()
        )
        text = " · ".join((due.text, due.unit_name, when))
        return item(text, self._meeting_opener(due), style=OVERDUE if due.overdue else DUE_SOON)

    def _meeting(self, unit: OverdueMeeting) -> Line:
        last = (_("last held {day}").format(day=unit.last_held.isoformat())
                if unit.last_held else _("never held"))  # fmt: skip
        text = _("{unit}: {kind} overdue ({last})").format(
            unit=unit.unit_name, kind=label(MEETING_KINDS, unit.kind), last=last
        )
        return item(text, self._meeting_opener(unit), style=OVERDUE)

    def _meeting_opener(self, line: DueItem | OverdueMeeting) -> Any:
        def opens() -> Screen[Any]:
            from tui.screens.action_item_view import open_home_line

            return open_home_line(self.session, line)

        return opens

    def _draft(self, visit: VisitSummary) -> Line:
        text = _("Visit of {day}: {persons}").format(day=visit.visited_on.isoformat(),
                                                     persons=visit.persons or "—")  # fmt: skip
        return item(text, self._visit_opener(visit.city_code, visit))

    def _typed(self, draft: Draft) -> Line:
        names = "、".join(str(p.get("name", "")) for p in draft.values.get("persons", []))
        text = _("Visit being typed, kept {at}: {persons}").format(
            at=draft.saved_at.astimezone(OFFICE_TZ).strftime("%Y-%m-%d %H:%M"), persons=names or "—"
        )
        return item(text, self._visit_opener(draft.org_code[:4], draft))

    def _visit_opener(self, city_code: str, visit: VisitSummary | Draft) -> Any:
        def opens() -> Screen[Any]:
            from tui.screens.visit_form import VisitFormScreen

            if isinstance(visit, VisitSummary):
                return VisitFormScreen(self.session, city_code, visit.id)
            if visit.base_version is not None:  # typed over a stored visit: it offers it
                return VisitFormScreen(self.session, city_code, visit.subject)
            seed = VisitForm.model_validate(visit.values)
            return VisitFormScreen(self.session, city_code, visit.subject, seed=seed)

        return opens

    def _returned(self, back: Returned) -> Line:
        kind = _(KINDS[back.kind].name) if back.kind in KINDS else back.kind
        text = _("{kind} {day} {title}: {comment}").format(
            kind=kind, day=back.day.isoformat() if back.day else "", title=back.title or "",
            comment=back.review_comment)  # fmt: skip
        opener = RETURNED_FORMS.get(back.kind)
        if opener is None:  # a kind declared since: the review screen's name, no form here
            return item(text, style=DUE_SOON)

        def opens() -> Screen[Any]:
            return opener(self, back)

        return item(text, opens, style=DUE_SOON)

    def _to_complete(self, person: RecordToComplete) -> Line:
        missing = [name for name, gap in (
            (_("address of origin"), person.missing_origin),
            (_("address here"), person.missing_current_address),
            (_("occupation"), person.missing_occupation)) if gap]  # fmt: skip
        text = _("{name} · {grid}: missing {fields}").format(
            name=person.name, grid=person.grid, fields="、".join(missing)
        )

        def opens() -> Screen[Any]:
            from tui.screens.person_record import PersonRecordScreen

            return PersonRecordScreen(self.session, person.city_code, person.person_id)

        return item(text, opens)


def _open_visit(home: HomeScreen, back: Returned) -> Screen[Any]:
    from tui.screens.visit_form import VisitFormScreen

    return VisitFormScreen(home.session, back.city_code, back.id)


def _open_referral(home: HomeScreen, back: Returned) -> Screen[Any]:
    from tui.screens.referral_form import ReferralFormScreen

    return ReferralFormScreen(home.session, back.city_code, back.id)


def _open_minutes(home: HomeScreen, back: Returned) -> Screen[Any]:
    from tui.screens.meeting_form import MeetingFormScreen

    return MeetingFormScreen(home.session, back.city_code, back.id)


def _open_sweep(home: HomeScreen, back: Returned) -> Screen[Any]:
    from tui.screens.sweep_form import open_sweep_screen

    return open_sweep_screen(home.session, back.org_code, back.day or home_day(home))


def _open_case(home: HomeScreen, back: Returned) -> Screen[Any]:
    from tui.screens.case_form import open_case_screen

    return open_case_screen(home.session, back.city_code, back.id)


def home_day(home: HomeScreen) -> date:
    return home.home.day if home.home is not None else today()


RETURNED_FORMS = {"visit": _open_visit, "referral_outcome": _open_referral,
                  "minutes": _open_minutes, "sweep": _open_sweep,
                  "dispute_case": _open_case}  # fmt: skip
