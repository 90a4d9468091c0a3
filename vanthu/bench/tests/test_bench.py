"""`vanthu bench` end to end at tiny scale: every scenario runs on the engine the suite runs on,
checks its own work, and ends with the one JSON line the architecture promises.

The runs are subprocesses, each pointed at a database of its own (a temporary SQLite file, or a
PostgreSQL database named after the suite's, dropped afterwards): benchmarks spawn processes
and recreate their database, which the pytest-django test database must not see.
"""

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
from vanthu.bench.runner import discover
from vanthu.testing.env import production_policy

ROOT = Path(__file__).resolve().parents[3]
FIELDS = {"scenario", "metric", "unit", "value", "baseline", "ratio", "details"}
ENGINE = "sqlite" if settings.DATABASES["default"]["ENGINE"] == database.SQLITE else "postgresql"
SCENARIOS = {"issue", "numbering", "inbox", "search", "sign", "verify", "dashboard", "exchange", "load", "members",
             "programme", "cluster", "migrate-locks"}


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    """The prefix of the databases the runs use: SQLite files in a temporary directory, or
    PostgreSQL databases `<suite's name>_bt_<scenario>…`, all dropped at the end."""
    if ENGINE == "sqlite":
        yield str(tmp_path_factory.mktemp("bench"))
        return
    prefix = f"{settings.DATABASES['default']['NAME']}_bt"
    yield prefix
    db = settings.DATABASES["default"]
    with psycopg.connect(dbname="postgres", host=db.get("HOST") or None, port=db.get("PORT") or None,
                         user=db.get("USER") or None, password=db.get("PASSWORD") or None, autocommit=True) as admin:
        names = [r[0] for r in admin.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix])]
        for name in names:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def bench(target: str, scenario: str, *args: str, env: dict | None = None) -> tuple[dict, list[str]]:
    """Run one scenario at tiny scale (unless told otherwise) on its own database; its JSON."""
    own = str(Path(target) / f"{scenario}.sqlite3") if ENGINE == "sqlite" else f"{target}_{scenario}"
    if "--scale" not in args:
        args = ("--scale", "tiny", *args)
    proc = subprocess.run(
        [sys.executable, "-m", "vanthu.bench.runner", scenario, *args, "--json", "--target", own],
        capture_output=True, text=True, timeout=1200, env=dict(production_policy(), **(env or {})), cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines == [lines[-1]], "--json prints nothing but the JSON line"
    result = json.loads(lines[-1])
    assert set(result) == FIELDS, result
    assert result["scenario"] == scenario
    assert result["value"] > 0 and result["baseline"] > 0 and result["ratio"] > 0, result
    d = result["details"]
    assert d["database"] == ENGINE, "the work ran on the engine the installation is configured with"
    assert d["samples"] > 0 and d["baseline_samples"] > 0, d
    assert d.get("ok", True) is True, d
    return result, lines


def test_every_scenario_registers_itself():
    assert SCENARIOS <= set(discover())


@pytest.mark.skipif(ENGINE != "postgresql", reason="table locks of migrations are PostgreSQL's question")
def test_migrate_locks_applies_the_latest_documents_migration_under_a_writer(target):
    result, _ = bench(target, "migrate-locks")
    d = result["details"]
    assert d["documents"] >= 2000 and d["migration"].startswith("0")
    assert set(d["phases"]) == {"latest documents migration", "plain index", "plain index drop", "concurrent index",
                                "concurrent index drop"}
    assert all(p["writer_inserts"] >= 0 and p["seconds"] > 0 for p in d["phases"].values())


def test_inbox_times_the_api_and_matches_the_bare_page_and_reuses_the_dataset(target):
    result, _ = bench(target, "inbox")
    assert result["unit"] == "ms" and "/api/v1/inbox" in result["metric"]
    d = result["details"]
    assert d["deliveries"] == 2000 and d["same_results"] is True and d["failed_requests"] == 0 and d["build_s"] is not None
    assert d["samples"] == d["baseline_samples"] == d["loads"]
    again, _ = bench(target, "inbox", "--repeat", "5")
    assert again["details"]["build_s"] is None, "the cached dataset is reused"


def test_issue_writes_every_row_both_ways(target):
    result, _ = bench(target, "issue", "--scale", "5", "--repeat", "3")
    d = result["details"]
    assert d["recipients"] == 5 and d["repetitions"] == 3
    assert d["all_issued"] and d["deliveries_complete"] and d["events_complete"] and d["gapless"]
    assert d["clerks_told"], "both sides tell every recipient's clerk"


def test_members_imports_the_file_and_counts_the_bloc_as_bare_sql_does(target):
    result, _ = bench(target, "members")
    d = result["details"]
    assert result["unit"] == "rows/s" and d["members"] == 500 and d["all_imported"] is True
    assert d["statistics_match_bare_sql"] is True and d["versions_added"] == 100 and d["statistics_p95_ms"] > 0


def test_concurrent_numbering_is_gapless_and_unique(target):
    result, _ = bench(target, "numbering", "--scale", "40", "--processes", "2")
    d = result["details"]
    assert result["unit"] == "issuances/s" and d["processes"] == 2 and d["issuances"] == 40
    assert d["gapless"] is True and d["unique"] is True and d["errors"] == 0
    assert d["baseline_gapless"] is True and d["baseline_errors"] == 0


def test_search_goes_through_the_api_and_finds_only_what_the_person_may_see(target):
    result, _ = bench(target, "search")
    d = result["details"]
    assert result["unit"] == "ms" and d["failed_requests"] == 0
    assert d["indexing"]["scale"] == 400 and d["indexing"]["index_docs_per_s"] > 0
    for kind in ("one", "two", "phrase"):
        k = d["per_kind"][kind]
        assert k["hits_not_visible"] == 0 and k["distinct_hits"] > 0 and k["samples"] == k["baseline_samples"] == 10
    if ENGINE == "sqlite":  # the same FTS5 matching both ways (PostgreSQL: see the scenario's docstring)
        assert all(d["per_kind"][k]["count_mismatches"] == 0 for k in ("one", "two", "phrase"))


def test_sign_and_verify_against_bare_pyhanko(target):
    result, _ = bench(target, "sign")
    d = result["details"]
    assert d["pages"]["1_page"]["ok"] and d["pages"]["20_page"]["ok"]
    assert d["samples"] == d["baseline_samples"] == 3
    result, _ = bench(target, "verify")
    assert result["details"]["samples"] == result["details"]["baseline_samples"] == 3


def test_dashboard_reads_as_often_as_its_baseline_and_reports_the_write_side(target):
    result, _ = bench(target, "dashboard")
    d = result["details"]
    assert d["samples"] == d["baseline_samples"] == d["data_only_samples"] == 3
    w = d["write_side"]
    assert w["issues"] == 3 and w["issue_median_ms"] > 0 and w["rebuild_s"] > 0 and w["rebuild_rows"]["facts"] > 0
    # Each issuance journaled its statistics, and the worker's fold of them was timed.
    assert w["journal_rows_folded"] == 4 and w["fold_ms_per_issue"] > 0
    assert "goal_met" in d


def test_programme_evaluates_every_organisation_with_every_criterion_measured(target):
    result, _ = bench(target, "programme")
    d = result["details"]
    assert d["organizations"] == 120 and d["acknowledgements"] == 2000 and d["inspections"] == 10
    assert d["every_criterion_measured"] and d["evidence_links_on_page"] and d["page_samples"] == 6
    assert "goal_met" in d and d["page_p95_ms"] > 0


@pytest.mark.slow
def test_load_runs_with_the_worker_and_reports_no_server_errors(target):
    result, _ = bench(target, "load", env={"VANTHU_LOAD_SECONDS": "8", "VANTHU_LOAD_THINK_SECONDS": "1",
                                           "VANTHU_LOAD_WORKERS": "1", "VANTHU_LOAD_THREADS": "4"})
    d = result["details"]
    assert result["unit"] == "req/s"
    assert d["users"] >= 10 and d["requests"] > 10 and d["documents_in_world"] == 2000
    assert d["errors_5xx"] == 0 and d["no_server_errors"] is True and d["same_results"] is True
    assert d["background_worker"] is True
    assert d["by_kind"].get("inbox", 0) > 0
    assert set(d["p95_ms_by_kind"]) == set(d["by_kind"])
    # The ratio in the runner's convention: the bare endpoint's rate over VanThu's.
    assert result["ratio"] == pytest.approx(result["baseline"] / result["value"], rel=0.01)
    if Path("/proc/self/stat").exists():  # the server's own CPU per request, whatever the machine's load
        assert d["server_cpu_ms_per_request"] > 0 and d["bare_server_cpu_ms"] > 0 and d["inbox_server_cpu_ms"] > 0


@pytest.mark.slow
def test_cluster_serves_the_office_from_one_and_three_processes_and_times_s3_against_boto3(target):
    result, _ = bench(target, "cluster", env={
        "VANTHU_LOAD_SECONDS": "8", "VANTHU_LOAD_THINK_SECONDS": "1", "VANTHU_LOAD_THREADS": "2",
        "VANTHU_LOAD_DOCUMENTS": "200", "VANTHU_CLUSTER_FILES": "2", "VANTHU_CLUSTER_FILE_MB": "1"})
    d = result["details"]
    assert result["unit"] == "req/s" and d["errors"] == 0
    for side in (d["one_process"], d["three_processes"]):
        assert side["office_requests"] > 0 and side["inbox_requests_flat_out"] > 0 and side["office_p95_ms"] > 0
    assert d["scaling_factor"] == pytest.approx(result["value"] / result["baseline"], rel=0.02)
    f = d["files"]
    assert f["backend"].startswith("moto") and f["files_per_side"] == 2
    assert min(f["upload_mb_s"], f["bare_upload_mb_s"], f["download_mb_s"], f["bare_download_mb_s"]) > 0


@pytest.mark.slow
def test_exchange_runs_two_installations_on_the_configured_engine_and_cleans_up(target, tmp_path):
    before = set(Path(tmp_path.parent).glob("vanthu-bench-exchange-*"))
    result, _ = bench(target, "exchange", env={"TMPDIR": str(tmp_path.parent)})
    d = result["details"]
    assert result["unit"] == "doc/s" and d["documents"] == 2 and d["all_arrived_once"] is True
    assert d["installations"] == {"a": ENGINE, "b": ENGINE}, "both servers answer /healthz with the suite's engine"
    assert len(d["ours_ms_all"]) == len(d["bare_ms_all"]) == 2
    assert set(Path(tmp_path.parent).glob("vanthu-bench-exchange-*")) == before, "temporary data dirs removed"
    if ENGINE == "postgresql":
        db = settings.DATABASES["default"]
        with psycopg.connect(dbname="postgres", host=db.get("HOST") or None, port=db.get("PORT") or None,
                             user=db.get("USER") or None, autocommit=True) as admin:
            left = admin.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [f"{target}_exchange_"]).fetchall()
        assert left == [], "the installations' databases are dropped"
