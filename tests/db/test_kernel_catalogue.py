"""The protection kernel as the catalogue shows it (sql/V010), read from pg_catalog
rather than from a list: every table that holds an org code is declared, forced and
audited, stamped and guarded as its declaration says; no app role holds a table-wide
write grant; every view runs as its reader.

Each check returns its problems, one line naming the table (or view, or function), so
a failure says what to fix; the last test shows each check naming what breaks it.
"""

from __future__ import annotations

import re

import asyncpg
import pytest

GROUP_ROLES = ("tongxin_app", "tongxin_grid_worker", "tongxin_supervisor", "tongxin_admin",
               "tongxin_auditor", "tongxin_gateway")  # fmt: skip
STAMPS = ("created_by", "created_at", "updated_by", "updated_at")

# pg_trigger.tgtype bits
ROW, BEFORE, INSERT, DELETE, UPDATE, TRUNCATE = 1, 2, 4, 8, 16, 32


async def _tables(conn: asyncpg.Connection) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "       array_agg(a.attname::text ORDER BY a.attnum) AS columns "
        "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') GROUP BY c.oid"
    )
    return {r["relname"]: r for r in rows}


async def _declared(conn: asyncpg.Connection) -> dict[str, asyncpg.Record]:
    return {r["table_name"]: r for r in await conn.fetch("SELECT * FROM kernel_table")}


async def _references(conn: asyncpg.Connection) -> dict[tuple[str, str], str]:
    """(table, column) → the table it points at, as tx_reference declared it."""
    rows = await conn.fetch("SELECT table_name, column_name, target_table FROM kernel_reference")
    return {(r["table_name"], r["column_name"]): r["target_table"] for r in rows}


async def _triggers(conn: asyncpg.Connection) -> list[tuple[str, str, int, str]]:
    """(table, function, tgtype, tgenabled) of every trigger on a table of public."""
    rows = await conn.fetch(
        "SELECT c.relname, p.proname, t.tgtype, t.tgenabled::text FROM pg_trigger t "
        "  JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "  JOIN pg_proc p ON p.oid = t.tgfoid "
        " WHERE n.nspname = 'public' AND NOT t.tgisinternal"
    )
    return [(r["relname"], r["proname"], r["tgtype"], r["tgenabled"]) for r in rows]


def _fires(
    triggers: list[tuple[str, str, int, str]], table: str, function: str, kind: int, event: int
) -> bool:
    """Whether `function` fires ALWAYS on `table` for `event`, as a trigger of `kind`
    (ROW and BEFORE bits; 0 for AFTER STATEMENT)."""
    return any(
        t == table and f == function and tgtype & (ROW | BEFORE) == kind and tgtype & event
        and enabled == "A"
        for t, f, tgtype, enabled in triggers
    )  # fmt: skip


async def declaration_problems(conn: asyncpg.Connection) -> list[str]:
    tables, declared = await _tables(conn), await _declared(conn)
    holding = {t for t, r in tables.items() if "org_code" in r["columns"]} | set(declared)
    problems = []
    for table in sorted(holding):
        if table not in tables:
            problems.append(f"{table}: declared in kernel_table but no such table")
            continue
        if table not in declared:
            problems.append(f"{table}: holds an org code but has no kernel_table row")
        elif declared[table]["scope_column"] not in tables[table]["columns"]:
            problems.append(f"{table}: no scope column {declared[table]['scope_column']}")
        if not (tables[table]["relrowsecurity"] and tables[table]["relforcerowsecurity"]):
            problems.append(f"{table}: row-level security not enabled and forced")
    return problems


async def trigger_problems(conn: asyncpg.Connection) -> list[str]:
    tables, declared, triggers = await _tables(conn), await _declared(conn), await _triggers(conn)
    problems = []
    for table, d in sorted(declared.items()):
        if table == "audit_log":
            continue  # the trail itself: its own guards (V003), never written through the kernel
        if not _fires(triggers, table, "tx_bulk_guard", BEFORE, INSERT | UPDATE | DELETE):
            problems.append(f"{table}: no bulk-load guard firing always")
        if d["audited"]:
            for event, name in ((INSERT, "insert"), (UPDATE, "update"), (DELETE, "delete")):
                if not _fires(triggers, table, "audit_row", ROW, event):
                    problems.append(f"{table}: no audit trigger firing always on {name}")
            if not _fires(triggers, table, "audit_bulk_insert", 0, INSERT):
                problems.append(f"{table}: no audit of bulk inserts firing always")
        if d["parent_table"] is not None or d["person_column"] is not None:
            for event, name in ((INSERT, "insert"), (UPDATE, "update"), (DELETE, "delete")):
                if not _fires(triggers, table, "tx_child_guard", ROW | BEFORE, event):
                    problems.append(f"{table}: child rows unchecked on {name}")
    for table, column in sorted(await _references(conn)):
        for event, name in ((INSERT, "insert"), (UPDATE, "update")):
            if not _fires(triggers, table, "tx_reference_guard", ROW | BEFORE, event):
                problems.append(f"{table}: {column} unchecked on {name}")
    for table in sorted(tables):
        if {"created_by", "updated_by"} & set(tables[table]["columns"]):
            for event, name in ((INSERT, "insert"), (UPDATE, "update")):
                if not _fires(triggers, table, "tx_stamp", ROW | BEFORE, event):
                    problems.append(f"{table}: no stamp trigger firing always on {name}")
    locked = await conn.fetch("SELECT DISTINCT table_name FROM kernel_period_lock ORDER BY 1")
    for (table,) in locked:
        for event, name in ((INSERT, "insert"), (UPDATE, "update"), (DELETE, "delete")):
            if not _fires(triggers, table, "tx_period_lock_guard", ROW | BEFORE, event):
                problems.append(f"{table}: signed-off months unlocked on {name}")
    for kind, table in await conn.fetch("SELECT kind, table_name FROM submission_kind"):
        if not _fires(triggers, table, "tx_workflow_guard", ROW | BEFORE, INSERT | UPDATE):
            problems.append(f"{table}: kind {kind} without its workflow guard firing always")
        if not _fires(triggers, table, "tx_workflow_history", ROW, INSERT | UPDATE):
            problems.append(f"{table}: kind {kind} without its status history firing always")
    return problems


async def _app_roles(conn: asyncpg.Connection) -> list[str]:
    users = [r[0] for r in await conn.fetch("SELECT pg_role FROM app_user ORDER BY 1")]
    return [*GROUP_ROLES, *users]


async def grant_problems(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT r.role, c.relname, p.privilege "
        "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
        "       unnest($1::text[]) AS r(role), "
        "       unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER']) AS p(privilege) "
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') "
        "   AND has_table_privilege(r.role, c.oid, p.privilege) "
        " ORDER BY 2, 1, 3",
        await _app_roles(conn),
    )
    return [f"{r['relname']}: {r['role']} holds table-wide {r['privilege']}" for r in rows]


async def view_problems(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        " WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') "
        "   AND NOT coalesce(c.reloptions && ARRAY['security_invoker=true', 'security_invoker=on', "
        "                    'security_invoker=1', 'security_invoker=yes'], false) "
        " ORDER BY 1"
    )
    return [f"{r['relname']}: a view that is not security_invoker" for r in rows]


async def stamp_problems(conn: asyncpg.Connection) -> list[str]:
    """Beyond created_by and updated_by: every stamp column of a table an app role
    writes comes from the database."""
    tables, triggers = await _tables(conn), await _triggers(conn)
    writable = {
        r[0]
        for r in await conn.fetch(
            "SELECT DISTINCT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace, unnest($1::text[]) AS r(role) "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "AND has_any_column_privilege(r.role, c.oid, 'INSERT, UPDATE')",
            await _app_roles(conn),
        )
    }
    problems = []
    for table in sorted(writable):
        stamps = [c for c in STAMPS if c in tables[table]["columns"]]
        if stamps and not _fires(triggers, table, "tx_stamp", ROW | BEFORE, INSERT):
            problems.append(f"{table}: {', '.join(stamps)} taken as the client sends them")
    return problems


async def child_problems(conn: asyncpg.Connection) -> list[str]:
    """Every reference from a table app roles write to another protected table (other
    than to the org unit it belongs to) is a declared parent, person or reference."""
    declared, references = await _declared(conn), await _references(conn)
    rows = await conn.fetch(
        "SELECT c.relname AS child, f.relname AS parent, "
        "       array_agg(a.attname::text ORDER BY a.attname) AS columns "
        "  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "  JOIN pg_class f ON f.oid = k.confrelid "
        "  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) "
        " WHERE k.contype = 'f' AND f.relname <> 'org_unit' "
        " GROUP BY k.oid, c.relname, f.relname ORDER BY 1, 2"
    )
    problems = []
    for child, parent, columns in rows:
        d = declared.get(child)
        if d is None or parent not in declared or not d["writers"]:
            continue
        linked = {d["parent_column"], d["person_column"]} & set(columns)
        linked |= {c for c in columns if references.get((child, c)) == parent}
        if not linked:
            cols = ", ".join(c for c in columns if c != "city_code")
            problems.append(f"{child}: {cols} points at {parent} unchecked (not a declared child)")
    return problems


async def search_path_problems(conn: asyncpg.Connection) -> list[str]:
    """The kernel's checks read the real tables: every trigger function of public that
    reads a table (itself or through the functions it calls) pins a search path with
    pg_temp last, as the definer functions do; or no app role may make a temporary
    table, which would come first on the caller's path, before pg_catalog too."""
    roles = await _app_roles(conn)
    temp = await conn.fetch(
        "SELECT r FROM unnest($1::text[]) r "
        "WHERE has_database_privilege(r, current_database(), 'TEMP')",
        roles,
    )
    if not temp:
        return []
    functions = {
        r["proname"]: r
        for r in await conn.fetch(
            "SELECT p.proname, p.prosrc, p.prosecdef, p.proconfig FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
        )
    }
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('public', 'pg_catalog') AND c.relkind IN ('r', 'v', 'p')"
    )
    relations = {r[0] for r in rows}

    def words(name: str) -> set[str]:
        code = re.sub(r"--[^\n]*|'(?:[^']|'')*'", " ", functions[name]["prosrc"].lower())
        return set(re.findall(r"[a-z_][a-z0-9_]*", code))

    def reads(name: str, seen: frozenset[str] = frozenset()) -> bool:
        mentioned = words(name)
        if mentioned & relations or "execute" in mentioned:
            return True
        called = (mentioned & set(functions)) - seen - {name}
        return any(reads(f, seen | {name}) for f in called if not _pinned(functions[f]))

    on: dict[str, set[str]] = {}
    for table, function, _, _ in await _triggers(conn):
        on.setdefault(function, set()).add(table)
    return [
        f"{function} (a trigger on {', '.join(sorted(on[function]))}): reads tables through "
        f"the caller's search path, where an app role ({temp[0][0]}) may put a temporary "
        "table of the same name first"
        for function in sorted(on)
        if function in functions and not _pinned(functions[function]) and reads(function)
    ]


def _pinned(function: asyncpg.Record) -> bool:
    """Whether the function runs with a search path of its own that ends in pg_temp."""
    settings = dict(s.split("=", 1) for s in function["proconfig"] or [])
    path = [p.strip().strip('"') for p in settings.get("search_path", "").split(",")]
    return bool(settings.get("search_path")) and path[-1] == "pg_temp"


CHECKS = {
    "declaration": declaration_problems,
    "triggers": trigger_problems,
    "grants": grant_problems,
    "views": view_problems,
}


@pytest.mark.parametrize("check", list(CHECKS))
async def test_the_catalogue_holds(conn: asyncpg.Connection, check: str) -> None:
    assert await CHECKS[check](conn) == []


async def test_every_stamp_an_app_role_could_send_is_the_databases(
    conn: asyncpg.Connection,
) -> None:
    assert await stamp_problems(conn) == []


async def test_every_reference_to_another_protected_row_is_a_checked_child(
    conn: asyncpg.Connection,
) -> None:
    assert await child_problems(conn) == []


async def test_the_kernels_checks_cannot_be_pointed_at_a_temporary_table(
    conn: asyncpg.Connection,
) -> None:
    assert await search_path_problems(conn) == []


async def test_each_check_names_what_breaks_it(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "CREATE TABLE meeting_note (city_code char(4), id uuid PRIMARY KEY, "
        'org_code text COLLATE "C" REFERENCES org_unit (code), person_id uuid, '
        "created_by text, note text)"
    )
    await conn.execute("GRANT SELECT, UPDATE ON meeting_note TO tongxin_grid_worker")
    await conn.execute("CREATE VIEW meeting_ledger AS SELECT org_code, note FROM meeting_note")
    await conn.execute("ALTER TABLE visit ENABLE TRIGGER visit_audit_change")  # not ALWAYS
    await conn.execute("DROP TRIGGER dispute_party_child ON dispute_party")
    await conn.execute("DROP TRIGGER action_item_link_reference ON action_item_link")
    await conn.execute("DELETE FROM kernel_reference WHERE column_name = 'closed_in'")
    await conn.execute("DROP TRIGGER dispute_sweep_recheck_reference ON dispute_sweep_recheck")
    await conn.execute("ALTER TABLE meeting ENABLE TRIGGER meeting_period_lock")  # not ALWAYS
    await conn.execute(
        "ALTER TABLE visit ADD COLUMN follows uuid, "
        "ADD FOREIGN KEY (city_code, follows) REFERENCES visit (city_code, id)"
    )
    await conn.execute(
        "CREATE FUNCTION meeting_note_check() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM 1 FROM person WHERE id = NEW.person_id; RETURN NEW; END $$"
    )
    await conn.execute(
        "CREATE TRIGGER meeting_note_check BEFORE INSERT ON meeting_note "
        "FOR EACH ROW EXECUTE FUNCTION meeting_note_check()"
    )
    await conn.execute(
        "DO $$ BEGIN EXECUTE format('GRANT TEMP ON DATABASE %I TO tongxin_grid_worker', "
        "current_database()); END $$"
    )
    assert await declaration_problems(conn) == [
        "meeting_note: holds an org code but has no kernel_table row",
        "meeting_note: row-level security not enabled and forced",
    ]
    assert set(await trigger_problems(conn)) == {
        "visit: no audit trigger firing always on update",
        "visit: no audit trigger firing always on delete",
        "dispute_party: child rows unchecked on insert",
        "dispute_party: child rows unchecked on update",
        "dispute_party: child rows unchecked on delete",
        "action_item_link: case_id unchecked on insert",
        "action_item_link: case_id unchecked on update",
        "action_item_link: need_id unchecked on insert",
        "action_item_link: need_id unchecked on update",
        "dispute_sweep_recheck: case_id unchecked on insert",
        "dispute_sweep_recheck: case_id unchecked on update",
        "meeting: signed-off months unlocked on insert",
        "meeting: signed-off months unlocked on update",
        "meeting: signed-off months unlocked on delete",
        "meeting_note: no stamp trigger firing always on insert",
        "meeting_note: no stamp trigger firing always on update",
    }
    assert "meeting_note: tongxin_grid_worker holds table-wide UPDATE" in await grant_problems(conn)
    assert await view_problems(conn) == ["meeting_ledger: a view that is not security_invoker"]
    assert "meeting_note: created_by taken as the client sends them" in await stamp_problems(conn)
    assert set(await child_problems(conn)) == {
        "visit: follows points at visit unchecked (not a declared child)",
        "action_item: closed_in points at meeting unchecked (not a declared child)",
    }
    assert any(p.startswith("meeting_note_check (a trigger on meeting_note): reads tables")
               for p in await search_path_problems(conn))  # fmt: skip
