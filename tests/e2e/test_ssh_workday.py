"""A grid worker's day over SSH in an 80x24 terminal, keyboard only, and a dropped line.
The day starts on their home screen and goes on to the person list with `l`.

The app runs behind a real sshd (ForceCommand) as demo_grid; the test reads the
database the app writes to, as its owner, to check what was stored.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from db.core.connect import embedded_dsn
from db.keys.crypto import load_keyring
from tests.e2e.conftest import SshApp
from tests.e2e.test_ssh import _running, _until, to_person_list
from tests.e2e.tmux import Terminal


def _query(data_dir: Path, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(embedded_dsn(root=data_dir))
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def _draft_holds(data_dir: Path, text: str) -> bool:
    """Whether a stored draft holds `text` (drafts are sealed with the demo's key)."""
    keyring = load_keyring(data_dir / "tongxin.key", create=False)
    payloads = [r[0] for r in _query(data_dir, "SELECT payload FROM form_draft")]
    return any(text in keyring.decrypt("draft", p) for p in payloads)


@contextmanager
def _login(ssh_app: SshApp) -> Iterator[Terminal]:
    ssh_app.pid_file.unlink(missing_ok=True)
    term = Terminal(ssh_app.server.client_command())
    try:
        to_person_list(term)
        yield term
    finally:
        term.close()


def _app_process(ssh_app: SshApp) -> psutil.Process:
    _until(lambda: ssh_app.pid_file.stat().st_size > 0, 5, "the session wrote no PID")
    return psutil.Process(int(ssh_app.pid_file.read_text()))


def _type(term: Terminal, text: str) -> None:
    term.settle()
    term.keys("-l", text)
    term.settle()


def test_find_fix_address_visit_with_two_needs_submit(ssh_app: SshApp, demo_data_dir: Path) -> None:
    grid = _query(demo_data_dir, "SELECT org_code FROM app_user WHERE name = 'demo_grid'")[0][0]
    person = _query(
        demo_data_dir,
        "SELECT id, name, name_initials FROM person WHERE org_code = $1 AND status = 'registered' "
        "AND name NOT LIKE '%·%' ORDER BY name_pinyin DESC LIMIT 1",
        grid,
    )[0]
    # The demo's history may hold visits with them already; only the new one is checked.
    earlier = [r["visit_id"] for r in _query(
        demo_data_dir, "SELECT visit_id FROM visit_person WHERE person_id = $1", person["id"]
    )]  # fmt: skip
    with _login(ssh_app) as term:
        term.keys("/")
        _type(term, person["name_initials"])
        term.keys("Enter")
        term.wait_for(lambda s: person["name"] in s and "本页" in s)
        term.keys("o")
        term.wait_for(lambda s: "基本信息" in s and person["name"] in s)
        term.keys("e")
        term.wait_for(lambda s: "修改" in s and "暂住地址" in s)
        for _ in range(7):
            term.keys("Tab")
        term.settle()
        term.keys("C-e", "C-u")
        _type(term, "金水区花园路 9 号")
        term.keys("C-s")
        term.wait_for(lambda s: "基本信息" in s and "花园路 9 号" in s)

        term.keys("v")
        term.wait_for(lambda s: "情况记录" in s and "提交" in s)
        for _ in range(4):
            term.keys("Tab")
        _type(term, "上门了解情况：想找工作，孩子要入学。")
        for steps, what in ((1, "介绍餐饮工作"), (4, "孩子转入附近小学")):
            term.keys("C-n")
            term.wait_for(lambda s: "走访发现的诉求" in s)
            for key in ("Tab", "Enter", *(["Down"] * steps), "Enter", "Tab"):
                term.keys(key)
                term.settle()
            _type(term, what)
            term.keys("C-s")
            term.wait_for(lambda s, w=what: "走访发现的诉求" not in s and w in s)
        term.keys("C-t")
        term.wait_for(lambda s: "基本信息" in s and "走访记录" in s)
        term.keys("3")
        term.wait_for(lambda s: "已提交" in s)
        screen = term.screen()
        assert not re.search(r"(?<!\d)\d{17}[\dX](?![\dX])", screen)

    stored = _query(
        demo_data_dir,
        "SELECT v.status, v.notes, count(a.*) AS needs, bool_and(a.status = 'open') AS open "
        "FROM visit v JOIN visit_person w ON w.visit_id = v.id "
        "LEFT JOIN assistance_request a ON a.visit_id = v.id "
        "WHERE w.person_id = $1 AND v.id <> ALL($2::uuid[]) GROUP BY v.city_code, v.id",
        person["id"], earlier,
    )  # fmt: skip
    assert [tuple(r) for r in stored] == [
        ("submitted", "上门了解情况：想找工作，孩子要入学。", 2, True)
    ]
    address = _query(
        demo_data_dir, "SELECT current_address FROM person WHERE id = $1", person["id"]
    )
    assert address[0][0] == "金水区花园路 9 号"


def test_a_dropped_line_keeps_what_was_typed(ssh_app: SshApp, demo_data_dir: Path) -> None:
    with _login(ssh_app) as term:
        app = _app_process(ssh_app)
        term.keys("a")
        term.wait_for(lambda s: "新登记" in s)
        _type(term, "热依拉·买买提")
        term.wait_for(lambda s: "热依拉·买买提" in s)
        term.close()  # the thin client's window closes: sshd hangs the app up
        _until(lambda: not _running(app), 15, "the app outlived its dropped line")
    drafts = _query(demo_data_dir, "SELECT form, base_version FROM form_draft")
    assert [tuple(d) for d in drafts] == [("person", None)]

    with _login(ssh_app) as term:
        term.keys("a")
        term.wait_for(lambda s: "未保存的草稿" in s)
        term.keys("Enter")
        screen = term.wait_for(lambda s: "草稿已恢复" in s)
        assert "热依拉·买买提" in screen
        term.keys("C-q")
        term.wait_for(lambda s: not term.alive(), timeout=20)
    drafts = _query(demo_data_dir, "SELECT form FROM form_draft")
    assert [d[0] for d in drafts] == ["person"]  # quitting kept it again, unchanged


def test_a_killed_app_loses_nothing_autosaved(ssh_app: SshApp, demo_data_dir: Path) -> None:
    _query(demo_data_dir, "DELETE FROM form_draft")
    with _login(ssh_app) as term:
        app = _app_process(ssh_app)
        term.keys("a")
        term.wait_for(lambda s: "新登记" in s)
        _type(term, "米热古丽")
        # A tick may store the form while the name is still arriving; the next one, a
        # few seconds on, stores it whole. Kill only once the whole name is stored.
        _until(
            lambda: _draft_holds(demo_data_dir, "米热古丽"),
            15,
            "the form was not autosaved",
        )
        app.kill()  # no chance to save anything now
        _until(lambda: not _running(app), 10, "the app was not killed")
    with _login(ssh_app) as term:
        term.keys("a")
        term.wait_for(lambda s: "未保存的草稿" in s)
        term.keys("Enter")
        assert "米热古丽" in term.wait_for(lambda s: "草稿已恢复" in s)
