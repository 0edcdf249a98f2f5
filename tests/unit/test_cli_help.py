"""Every command answers --help, and usage errors exit 2."""

from __future__ import annotations

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
        "user add", "user list", "user disable", "audit show", "keys rotate",
        "retention run", "person export",
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
