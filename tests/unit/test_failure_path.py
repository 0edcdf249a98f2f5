"""Every screen reports its workers' failures one way (tui/screens/failures.py): each
worker group a screen starts is in its FAILURES, and no screen handles worker states
itself."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = sorted(
    [*(ROOT / "tui" / "screens").glob("*.py"), *(ROOT / "tui" / "dialogs").glob("*.py")]
)


def _groups_started(cls: ast.ClassDef) -> set[str]:
    """The names given as group= to the @work decorators of the class's methods."""
    groups = set()
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "work":
                for keyword in decorator.keywords:
                    if keyword.arg == "group":
                        groups.add(ast.unparse(keyword.value))
    return groups


def _module(path: Path) -> ModuleType:
    return importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


def _unreported(path: Path) -> list[str]:
    """The worker groups the classes of `path` start that their FAILURES (their own or
    inherited) do not list."""
    module = _module(path)
    found = []
    for cls in (n for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)):
        listed = set(getattr(getattr(module, cls.name), "FAILURES", {}))
        for group in _groups_started(cls):
            if eval(group, vars(module)) not in listed:  # a name or a literal of the module
                found.append(f"{path.name}: {cls.name} starts {group}, not in FAILURES")
    return found


def test_every_worker_group_of_a_screen_is_reported() -> None:
    assert [problem for path in SCREENS for problem in _unreported(path)] == []


def test_no_screen_handles_worker_states_itself() -> None:
    own = [
        path.name
        for path in SCREENS
        if path.name != "failures.py" and "def on_worker_state_changed" in path.read_text()
    ]
    assert own == []


def test_the_check_sees_a_group_left_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "left_out"
    package.mkdir()
    (package / "__init__.py").write_text("")
    screen = package / "screen.py"
    screen.write_text(
        "from textual import work\n"
        "A, B = 'a-group', 'b-group'\n"
        "class S:\n"
        "    FAILURES = {A: 'x'}\n"
        "    @work(group=A)\n    async def a(self): ...\n"
        "    @work(exclusive=True, group=B)\n    async def b(self): ...\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _unreported(screen) == ["screen.py: S starts B, not in FAILURES"]
