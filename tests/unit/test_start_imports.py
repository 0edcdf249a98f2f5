"""What the app imports before its first screen: what the list does not need waits.

bench/start.py measures the start; this keeps its gains from slipping back by an
innocent top-level import.
"""

from __future__ import annotations

import json
import subprocess
import sys

# Loaded on first use: the cipher library (first seal or unseal), the phrase-free
# pinyin tables (first name saved), and the screens opened from the list.
LATER = (
    "cryptography",
    "pypinyin",
    "tui.screens.person_record",
    "tui.screens.person_form",
    "tui.screens.visit_form",
    "tui.screens.work_list",
    "db.visits.form",
    "db.persons.save",
)


def test_start_leaves_what_the_list_does_not_need() -> None:
    probe = "import json, sys, tui.cli, tui.app; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
    )
    assert "tui.screens.person_list" in loaded  # the probe did import the app
    early = [m for m in loaded if m.split(".")[0] in LATER or m in LATER]
    assert early == []
