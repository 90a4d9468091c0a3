"""`vanthu bench` end to end at tiny scale: each scenario runs, checks its own work, and ends with
the one JSON line the architecture promises.

The runs are subprocesses pointed at a database of their own (a temporary SQLite file, or a
PostgreSQL database derived from the configured one, dropped afterwards): benchmarks spawn
processes and recreate their database, which the pytest-django test database must not see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from vanthu.bench import database

FIELDS = {"scenario", "metric", "unit", "value", "baseline", "ratio", "details"}


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> str:
    if settings.DATABASES["default"]["ENGINE"] == database.SQLITE:
        yield str(tmp_path_factory.mktemp("bench") / "bench.sqlite3")
        return
    name = f"{settings.DATABASES['default']['NAME']}_benchtest"
    yield name
    database.drop(database.derive(name))


def bench(target: str, *args: str) -> tuple[dict, list[str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "vanthu.bench.runner", *args, "--json", "--target", target],
        capture_output=True, text=True, timeout=300, env=dict(os.environ),
        cwd=Path(__file__).resolve().parents[3],
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert FIELDS <= set(result), result
    assert result["value"] > 0 and result["baseline"] > 0 and result["ratio"] > 0, result
    return result, lines


def test_inbox_pages_match_the_bare_query_and_the_dataset_is_reused(target):
    result, lines = bench(target, "inbox", "--scale", "2000", "--repeat", "30")
    assert lines == [lines[-1]], "--json prints nothing but the JSON line"
    assert result["scenario"] == "inbox" and result["unit"] == "ms"
    d = result["details"]
    assert d["deliveries"] == 2000 and d["same_results"] is True and d["build_s"] is not None
    again, _ = bench(target, "inbox", "--scale", "2000", "--repeat", "5")
    assert again["details"]["build_s"] is None, "the cached dataset is reused"


def test_issue_writes_every_row_both_ways(target):
    result, _ = bench(target, "issue", "--scale", "5", "--repeat", "3")
    d = result["details"]
    assert result["scenario"] == "issue" and d["recipients"] == 5 and d["repetitions"] == 3
    assert d["all_issued"] and d["deliveries_complete"] and d["events_complete"] and d["gapless"]


def test_concurrent_numbering_is_gapless_and_unique(target):
    result, _ = bench(target, "numbering", "--scale", "40", "--processes", "2")
    d = result["details"]
    assert result["unit"] == "issuances/s" and d["processes"] == 2 and d["issuances"] == 40
    assert d["gapless"] is True and d["unique"] is True and d["errors"] == 0
    assert d["baseline_gapless"] is True and d["baseline_errors"] == 0


def test_search_finds_only_what_the_person_may_see(target, tmp_path):
    os.environ["VANTHU_BENCH_SEARCH_CACHE"] = str(tmp_path / "search-cache")
    try:
        result, _ = bench(target, "search", "--scale", "400", "--repeat", "10")
    finally:
        del os.environ["VANTHU_BENCH_SEARCH_CACHE"]
    d = result["details"]
    assert result["scenario"] == "search" and result["unit"] == "ms" and d["ok"] is True
    assert d["indexing"]["scale"] == 400 and d["indexing"]["index_docs_per_s"] > 0
    for kind in ("one", "two", "phrase"):
        assert d["per_kind"][kind]["hits_not_visible"] == 0 and d["per_kind"][kind]["distinct_hits"] > 0
