"""db/representatives: what the screens call, as the user's role: appoint (a retry
stores one), retire (once), contacts (a retry stores one), the rhythm, and the home
screen's list of representatives due or overdue; the form's checks name their field."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg
import pytest
from pydantic import ValidationError

from db.core.problems import problems_of
from db.core.session import acting_as
from db.persons.identifiers import NotVisible
from db.representatives.form import AppointForm, AppointInput, ContactInput, RetireInput
from db.representatives.store import (
    AlreadyRepresentative,
    appoint,
    contacts_of,
    due_for_home,
    log_contact,
    representative,
    retire,
    rhythm,
    units_in_scope,
)
from db.visits.form import VisitPerson
from db.workflow import Conflict
from tests.db.kernel_fixtures import Site, add_representative, add_visit, make_site

TODAY = date(2026, 11, 18)


@pytest.fixture
async def site(conn: asyncpg.Connection) -> Site:
    return await make_site(conn)


def _from_registry(site: Site, person: uuid.UUID, rep: uuid.UUID | None = None) -> AppointInput:
    form = AppointForm(id=rep or uuid.uuid4(), person=VisitPerson(city_code=site.city, id=person,
                       name="马小龙"), standing="ethnic", post="商会会长",
                       appointed_on="2026-03-02")  # fmt: skip
    return AppointInput.from_form(form, TODAY)


async def test_appointing_twice_with_one_id_stores_one_and_another_is_refused(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    first = _from_registry(site, site.person)
    async with acting_as(other, site.worker):
        await appoint(other, first)
        await appoint(other, first)  # the reply was lost: the retry stores nothing more
    with pytest.raises(AlreadyRepresentative):
        async with acting_as(other, site.worker):
            await appoint(other, _from_registry(site, site.person))
    with pytest.raises(NotVisible):
        async with acting_as(other, site.worker):
            await appoint(other, _from_registry(site, site.far_person))
    assert await conn.fetchval("SELECT count(*) FROM representative") == 1


async def test_retiring_is_once_and_against_the_version_read(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    rep = await add_representative(conn, site.grid)
    retirement = RetireInput.check("2026-10-31", "迁往外地", date(2025, 1, 6), TODAY)
    async with acting_as(other, site.worker):
        assert await retire(other, site.city, rep, 1, retirement) == 2
    with pytest.raises(Conflict):
        async with acting_as(other, site.worker):
            await retire(other, site.city, rep, 2, retirement)
    with pytest.raises(NotVisible):
        async with acting_as(other, site.neighbour_worker):
            await retire(other, site.city, rep, 2, retirement)


async def test_contacts_since_the_appointment_newest_first(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    named = await add_representative(conn, site.grid)
    contact = ContactInput.check(
        {"id": uuid.uuid4(), "kind": "festival", "contacted_on": "2026-05-26", "place": "寺里",
         "notes": "座谈"}, date(2025, 1, 6), TODAY,
    )  # fmt: skip
    async with acting_as(other, site.worker):
        await log_contact(other, site.city, named, contact)
        await log_contact(other, site.city, named, contact)  # a retry
        record = await representative(other, site.city, named)
        assert record is not None
        lines = await contacts_of(other, record)
    assert [(line.source, line.kind, line.day, line.counts) for line in lines] == [
        ("contact", "festival", date(2026, 5, 26), True)
    ]
    registered = await add_representative(conn, site.grid, site.person,
                                          appointed_on=date(2026, 11, 2))  # fmt: skip
    await add_visit(conn, site.grid, site.worker, [site.person], needs=0)  # draft, 2026-11-02
    async with acting_as(other, site.worker):
        record = await representative(other, site.city, registered)
        assert record is not None
        lines = await contacts_of(other, record)
    assert [(line.source, line.status, line.counts) for line in lines] == [
        ("visit", "draft", False)
    ]


async def test_the_home_screen_lists_those_due_or_overdue_in_scope_the_overdue_first(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    overdue = await add_representative(conn, site.grid, appointed_on=date(2025, 1, 6))
    due = await add_representative(conn, site.grid, appointed_on=date(2026, 11, 16))
    done = await add_representative(conn, site.grid, appointed_on=date(2026, 11, 16))
    await conn.execute(
        "INSERT INTO representative_contact (city_code, id, org_code, representative_id, kind, "
        "contacted_on, notes) SELECT $1, gen_random_uuid(), $2, $3, k, '2026-11-17', '谈话' "
        "FROM unnest(ARRAY['phone_call', 'face_to_face']) k",
        site.city, site.grid, done,
    )  # fmt: skip
    await add_representative(conn, site.neighbour)  # another grid's
    async with acting_as(other, site.worker):
        listed = await due_for_home(other, TODAY)
        every = await rhythm(other, TODAY)
    assert [(r.id, r.state) for r in listed] == [(overdue, "overdue"), (due, "due")]
    assert {r.id: r.state for r in every} == {overdue: "overdue", due: "due", done: "done"}
    assert {r.unit_name for r in every} == {"第一网格"}


async def test_units_offered_are_the_users_own_and_below(
    conn: asyncpg.Connection, other: asyncpg.Connection, site: Site
) -> None:
    async with acting_as(other, site.worker):
        assert [code for code, _name in await units_in_scope(other)] == [site.grid]
    async with acting_as(other, site.supervisor):
        codes = [code for code, _name in await units_in_scope(other)]
    assert codes[0] == site.grid[:9]
    assert site.neighbour in codes
    assert all(code.startswith(site.grid[:9]) for code in codes)


def _problems(form: AppointForm) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        AppointInput.from_form(form, TODAY)
    return [(p.field, p.msgid) for p in problems_of(caught.value)]


def test_an_appointment_by_name_names_each_missing_or_wrong_box() -> None:
    assert _problems(AppointForm(id=uuid.uuid4(), birth_date="2027-01-01",
                                 appointed_on="2026-11-19")) == [
        ("name", "required"),
        ("sex", "required"),
        ("ethnic_code", "required"),
        ("birth_date", "{value} is in the future"),
        ("org_code", "required"),
        ("standing", "required"),
        ("appointed_on", "{value} is in the future"),
    ]  # fmt: skip
    late = AppointForm(id=uuid.uuid4(), org_code="41010200100201", name="马", sex="1",
                       ethnic_code="03", birth_date="2026-05-01", standing="clergy",
                       appointed_on="2026-04-01")  # fmt: skip
    assert _problems(late) == [("appointed_on", "not after the date of birth ({day})")]
    odd = AppointForm(id=uuid.uuid4(), org_code="41010200100201", name="马", sex="1",
                      ethnic_code="03", birth_date="1960-05-01", standing="mayor",
                      appointed_on="2026-04-01")  # fmt: skip
    assert _problems(odd) == [("standing", "choose one of the listed standings")]


def test_a_retirement_or_contact_before_the_appointment_names_its_date() -> None:
    with pytest.raises(ValidationError) as caught:
        RetireInput.check("2024-12-31", "", date(2025, 1, 6), TODAY)
    assert [(p.field, p.msgid) for p in problems_of(caught.value)] == [
        ("retired_on", "before the appointment ({day})")
    ]
    with pytest.raises(ValidationError) as caught:
        ContactInput.check({"id": uuid.uuid4(), "kind": "phone_call", "contacted_on": "2026-11-19",
                            "place": "", "notes": ""}, date(2025, 1, 6), TODAY)  # fmt: skip
    assert [(p.field, p.msgid) for p in problems_of(caught.value)] == [
        ("contacted_on", "{value} is in the future"),
        ("notes", "say what was talked about"),
    ]
