"""The data layer and the seeds load without Textual; importing the app touches no database."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import db
import seeds

ROOT = Path(__file__).resolve().parents[2]
# Every module of the data layer and the seeds, found by walking the packages.
DATA_LAYER = sorted(
    ["db", "seeds"]
    + [
        m.name
        for pkg in (db, seeds)
        for m in pkgutil.walk_packages(pkg.__path__, f"{pkg.__name__}.")
    ]
)


def _loaded_after_importing(modules: list[str], prelude: str = "") -> set[str]:
    """The names in sys.modules of a fresh interpreter after `prelude` and the imports."""
    code = textwrap.dedent(prelude) + textwrap.dedent(
        f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        print("\\n".join(sorted(sys.modules)))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_db_and_seeds_do_not_import_textual() -> None:
    assert {"db.core.connect", "db.workflow", "db.persons.save", "seeds.demo"} <= set(DATA_LAYER)
    loaded = _loaded_after_importing(DATA_LAYER)
    assert set(DATA_LAYER) <= loaded  # the check itself worked
    assert "textual" not in loaded
    assert not {name for name in loaded if name == "tui" or name.startswith("tui.")}


def test_importing_the_app_makes_no_pool_or_connection() -> None:
    refuse_connections = """
        import asyncpg

        def refuse(*args, **kwargs):
            raise SystemExit("a database connection was made at import time")

        asyncpg.create_pool = refuse
        asyncpg.connect = refuse
    """
    loaded = _loaded_after_importing(["tui.app"], refuse_connections)
    assert "tui.screens.person_list" in loaded
