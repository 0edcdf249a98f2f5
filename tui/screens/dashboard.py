"""The supervisor's dashboard, their first screen after login: for their scope and this
month, the register and its movement, the sweeps not filed, the referrals open and
overdue per department, the open cases by age, the action items and meetings overdue,
the representatives overdue for a talk, what waits for their review and the records
missing a 三必清 field, the months to sign off. Enter on a line opens the list behind
it. Counts of work only: nobody is scored, ranked or flagged."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import work
from textual.screen import Screen

from db.core.clock import today
from db.disputes.months import MonthStatus
from db.home.dashboard import Dashboard, dashboard
from tui.dialogs.filters import ListFilters
from tui.i18n import N_, _
from tui.labels import MEETING_KINDS, label
from tui.messages import DashboardLoaded
from tui.screens.failures import Failure
from tui.screens.first_lines import DUE_SOON, OVERDUE, FirstScreen, Line, heading, item

LOAD_GROUP = "dashboard-load"
NAMED_UNITS = 12  # a city's hundreds of communities would fill the screen


class DashboardScreen(FirstScreen):
    """The supervisor's first screen."""

    TITLE_MSGID = N_("Dashboard of my area")
    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Cannot load the list"))}
    figures: Dashboard | None = None

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def _fetch(self) -> None:
        async with self.session.transaction() as conn:
            figures = await dashboard(conn, today())
        self.post_message(DashboardLoaded(figures))

    def on_dashboard_loaded(self, message: DashboardLoaded) -> None:
        self.figures = message.dashboard
        self.loaded_now()

    def title_text(self) -> str:
        if self.figures is None:
            return _(self.TITLE_MSGID)
        return _("Dashboard of my area, {month}").format(month=self.figures.day.strftime("%Y-%m"))

    def lines(self) -> list[Line]:
        d = self.figures
        if d is None:
            return []
        p, cases = d.persons, d.cases
        referred = sum(r.open for r in d.referrals)
        overdue = sum(r.overdue for r in d.referrals)
        return [
            heading(_("People in my area")),
            item(_("Registered {registered} · arrived this month {arrived} · left the city "
                   "this month {left}").format(registered=p.registered, arrived=p.arrived,
                                               left=p.left), self._persons()),
            item(_("Records missing a 三必清 field: {count}").format(count=p.missing_fields),
                 self._persons(ListFilters(missing_only=True)),
                 style=DUE_SOON if p.missing_fields else ""),
            item(_("Waiting for my review: {count}").format(count=d.waiting_review),
                 self._opener("review")),
            item(_("Communities whose last month is not signed off: {count}").format(
                count=d.to_sign_off), self._opener("sign_off"),
                style=DUE_SOON if d.to_sign_off else ""),
            heading(_("Referrals: {open} open, {overdue} overdue").format(
                open=referred, overdue=overdue)),
            *(item(_("{department}: {open} open, {overdue} overdue").format(
                department=r.department_name or _("not referred yet"), open=r.open,
                overdue=r.overdue), self._opener("referrals"),
                style=OVERDUE if r.overdue else "") for r in d.referrals),
            heading(_("Open dispute cases"), cases.under_30 + cases.to_90 + cases.over_90),
            item(_("under 30 days {a} · 30–90 days {b} · over 90 days {c}").format(
                a=cases.under_30, b=cases.to_90, c=cases.over_90), self._opener("disputes")),
            heading(_("Meetings")),
            item(_("Open action items: {open}, overdue {overdue}").format(
                open=d.open_items, overdue=d.overdue_items), self._opener("meetings"),
                style=OVERDUE if d.overdue_items else ""),
            *(item(_("{unit}: {kind} overdue ({last})").format(
                unit=m.unit_name, kind=label(MEETING_KINDS, m.kind),
                last=_("last held {day}").format(day=m.last_held.isoformat())
                if m.last_held else _("never held")), self._opener("meetings"), style=OVERDUE)
              for m in d.overdue_meetings),
            heading(_("Representatives")),
            item(_("Overdue for a talk: {count}").format(count=d.representatives_overdue),
                 self._opener("representatives"),
                 style=OVERDUE if d.representatives_overdue else ""),
            heading(_("Sweeps not filed"), len(d.unfiled)),
            *(self._unfiled(month) for month in _by_month(d.unfiled)),
        ]  # fmt: skip

    def _unfiled(self, units: list[MonthStatus]) -> Line:
        """One month's units not filed: how many, by when, and which."""
        first = units[0]
        overdue = first.state == "missing"  # one due day for the month: all or none past it
        text = (_("{month}: {count} overdue, due {due}: {units}") if overdue
                else _("{month}: {count} not filed yet, due {due}: {units}")).format(
            month=first.month.strftime("%Y-%m"), count=len(units), due=first.due_on.isoformat(),
            units=_named(units))  # fmt: skip
        return item(text, self._opener("disputes"), style=OVERDUE if overdue else "")

    def _persons(self, filters: ListFilters | None = None) -> Any:
        def opens() -> Screen[Any]:
            return self.person_list(filters)

        return opens

    def _opener(self, which: str) -> Any:
        def opens() -> Screen[Any]:
            session = self.session
            if which == "review":
                from tui.screens.review_queue import ReviewQueueScreen

                return ReviewQueueScreen(session)
            if which == "referrals":
                from tui.screens.referral_list import ReferralListScreen

                return ReferralListScreen(session)
            if which == "disputes":
                from tui.screens.sweep_list import SweepListScreen

                return SweepListScreen(session)
            if which == "sign_off":
                from tui.screens.month_sign_off import MonthSignOffScreen

                return MonthSignOffScreen(session)
            if which == "meetings":
                from tui.screens.meeting_list import MeetingListScreen

                return MeetingListScreen(session)
            from tui.screens.representative_list import RepresentativeListScreen

            return RepresentativeListScreen(session)

        return opens


def _by_month(unfiled: list[MonthStatus]) -> list[list[MonthStatus]]:
    months: dict[date, list[MonthStatus]] = {}
    for status in unfiled:
        months.setdefault(status.month, []).append(status)
    return [months[month] for month in sorted(months)]


def _named(units: list[MonthStatus]) -> str:
    names = "、".join(u.unit_name for u in units[:NAMED_UNITS])
    if len(units) <= NAMED_UNITS:
        return names
    return _("{names} and {more} more").format(names=names, more=len(units) - NAMED_UNITS)
