"""`vanthu bench migrate` at tiny scale, in a process of its own on a database of its own: it
imports every document, a second run creates nothing, memory stays under the limit, and its last
line is the one JSON object the architecture promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                    reason="the bench suite (vanthu/bench/tests) runs the scenarios on PostgreSQL")
def test_the_migrate_bench_imports_everything_against_a_bare_parse(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "vanthu.bench.runner", "migrate", "--scale", "tiny", "--json",
                           "--target", str(tmp_path / "migrate.sqlite3")], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result) == {"scenario", "metric", "unit", "value", "baseline", "ratio", "details"}
    d = result["details"]
    assert d["ok"] and d["documents"] == 200 and d["attachments"] == 80 and d["mapped"] == {"incoming": 40, "outgoing": 120}
    assert 0 < d["import_peak_anon_mb"] <= 300 and d["peak_rss_mb"] > 0 and result["ratio"] >= 1
