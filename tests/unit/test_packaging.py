"""The wheel carries the SQL, reference data, styles and catalogues the code reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_every_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tongxin-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    needed = [
        *ROOT.glob("sql/*.sql"),
        *ROOT.glob("seeds/data/*.csv"),
        *ROOT.glob("tui/*.tcss"),
        *ROOT.glob("tui/locale/*/LC_MESSAGES/*.po"),
    ]
    assert len(needed) >= 9
    missing = [str(p.relative_to(ROOT)) for p in needed if str(p.relative_to(ROOT)) not in shipped]
    assert missing == []
    assert any(name.endswith("entry_points.txt") for name in shipped)
    modules = [
        str(p.relative_to(ROOT))
        for top in ("db", "seeds", "sql", "tui")
        for p in (ROOT / top).rglob("*.py")
        if "__pycache__" not in p.parts
    ]
    assert [m for m in modules if m not in shipped] == []
