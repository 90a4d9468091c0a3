"""`vanthu bench directives` at tiny scale: it runs on the suite's engine, checks its own work (the
same first page of directives on both sides, the same figures by organisation) and ends with the
one JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from vanthu.bench import database
from vanthu.testing.env import production_policy

ROOT = Path(__file__).resolve().parents[3]
SQLITE = settings.DATABASES["default"]["ENGINE"] == database.SQLITE


@pytest.fixture
def target(tmp_path):
    if SQLITE:
        yield str(tmp_path / "directives.sqlite3")
        return
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_bt_directives"
    yield name
    with psycopg.connect(dbname="postgres", host=db.get("HOST") or None, port=db.get("PORT") or None,
                         user=db.get("USER") or None, password=db.get("PASSWORD") or None, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_follow_up_bench_times_the_page_against_the_bare_aggregate(target):
    proc = subprocess.run([sys.executable, "-m", "vanthu.bench.runner", "directives", "--scale", "tiny", "--json",
                           "--target", target], capture_output=True, text=True, timeout=600, env=production_policy(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["scenario"] == "directives" and result["unit"] == "ms" and result["value"] > 0 and result["baseline"] > 0
    d = result["details"]
    assert d["samples"] == d["baseline_samples"] == d["data_only_samples"] == 3
    assert d["tasks"] == 20 * 120 and d["same_first_page"] and d["ok"]
    # The page by organisation, timed in the same rotation, shows the bare GROUP BY's figures.
    assert d["organizations_samples"] == d["organizations_baseline_samples"] == 3
    assert d["organizations_view_p95_ms"] > 0 and d["organizations_baseline_p95_ms"] > 0 and d["organizations_same_figures"]
    assert d["database"] == ("sqlite" if SQLITE else "postgresql")
