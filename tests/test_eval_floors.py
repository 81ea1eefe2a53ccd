"""The accuracy gate: the full `make eval` run (seeds + MUC-4/ECB+/GVDB dev, ~30 s) must reach
every floor in eval/floors.json. Floors only rise."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SHARED, needs_shared


@needs_shared
def test_eval_reaches_floors(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "eval" / "run.py"), "--shared", str(SHARED),
                        "--out", str(tmp_path), "--check-floors", "--no-report"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "FLOOR" not in r.stderr


def test_floors_cover_the_issue_bar():
    floors = json.loads((ROOT / "eval" / "floors.json").read_text())
    assert floors["seeds"]["incidents.r"] >= 0.80
    assert floors["seeds"]["linking.bcubed.p"] == 1.0
