"""`vanthu bench load` end to end, tiny: gunicorn, a few simulated people, the JSON last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_load_benchmark_runs_and_reports_no_server_errors(tmp_path):
    env = dict(os.environ)
    env.update({"VANTHU_LOAD_SECONDS": "8", "VANTHU_LOAD_THINK_SECONDS": "1", "VANTHU_LOAD_WORKERS": "1",
                "VANTHU_LOAD_THREADS": "4"})
    target = []
    if not os.environ.get("VANTHU_DATABASE_URL"):
        target = ["--target", str(tmp_path / "load.sqlite3")]
    out = subprocess.run([sys.executable, "-m", "vanthu.bench.runner", "load", "--scale", "10", "--json", *target],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    d = result["details"]
    assert result["scenario"] == "load" and result["unit"] == "ms" and result["value"] > 0
    assert {"users", "seconds", "requests", "rps", "errors_5xx", "no_server_errors"} <= set(d)
    assert d["users"] == 10 and d["requests"] > 10
    assert d["errors_5xx"] == 0 and d["no_server_errors"] is True
    assert result["ratio"] > 0  # a cost, not a limit: figures are the benchmarks', never a test's
    assert d["by_kind"].get("inbox", 0) > 0
    assert set(d["p95_ms_by_kind"]) == set(d["by_kind"])
    if Path("/proc/self/stat").exists():  # the server's own CPU per request, whatever the machine's load
        assert d["server_cpu_ms_per_request"] > 0
        assert 0 < d["bare_server_cpu_ms"] and 0 < d["inbox_server_cpu_ms"]
