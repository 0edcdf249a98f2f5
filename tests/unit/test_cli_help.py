"""Every command answers --help, and usage errors exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tui.cli import app

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(root, [])
    return paths


def test_the_contract_commands_exist() -> None:
    names = {" ".join(p) for p in _command_paths()}
    expected = {
        "tui", "demo", "db migrate", "db status", "seed reference", "seed demo",
        "user add", "user list", "user disable", "audit show", "audit verify", "keys rotate",
        "retention run", "person export", "ledger list", "ledger export",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "tongxin")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["seed", "demo"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2
    assert runner.invoke(app, ["seed", "demo", "--persons", "many"]).exit_code == 2


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["user", "add", "li_si", "--role", "boss", "--org", "4101"], "--role"),
        (["audit", "show", "--since", "yesterday"], "--since"),
        (["audit", "verify", "--city", "41"], "--city"),
        (["audit", "verify", "--anchor", "4101:1:abc"], "--anchor"),
        (["audit", "verify", "--city", "4101", "--anchor", f"4102:1:{'0' * 64}"], "--anchor"),
        (["--lang", "fr"], "--lang"),
        (["tui", "--lang", "fr"], "--lang"),
        (["person", "export", "x", "-o", "x.json", "--purpose", " "], "--purpose"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
@pytest.mark.usefixtures("nowhere")
def test_a_bad_option_value_is_a_usage_error(args: list[str], named: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No database within reach: a usage error must come before any connection."""
    monkeypatch.setenv("TONGXIN_DSN", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("TONGXIN_DATA_DIR", str(tmp_path))


@pytest.mark.usefixtures("nowhere")
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--as", "demo_grid", "tui", "--as", "demo_admin"], "--as"),
        (["--lang", "en", "tui", "--lang", "zh_CN"], "--lang"),
        (["--as", "demo_grid", "demo", "--as", "demo_admin"], "--as"),
        (["--as", "demo_grid", "db", "status"], "--as"),
        (["--lang", "en", "user", "list"], "--lang"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_app_options_that_disagree_or_do_not_apply_are_one_line(
    args: list[str], named: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert named in lines[0]
