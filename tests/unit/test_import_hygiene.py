"""The data layer and the seeds load without Textual; importing the app touches no database."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_LAYER = [
    "db", "db.connect", "db.migrate", "db.persons", "db.models", "db.crypto",
    "seeds", "seeds.reference",
]  # fmt: skip


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
