"""`vanthu bench archive` at tiny scale, on the engine the suite runs on (a database of its own)."""

from __future__ import annotations

from vanthu.bench.runner import discover
from vanthu.bench.tests.test_bench import bench, target  # noqa: F401 - the fixture, used by name


def test_the_archive_scenario_exports_a_year_and_renews_every_file(target):  # noqa: F811
    assert "archive" in discover()
    result, _lines = bench(target, "archive")
    d = result["details"]
    assert d["documents"] == 300 and d["package_mb"] >= d["document_mb"] > 0
    assert d["renew"]["renewed"] == d["renew"]["files"] > 0 and d["renew"]["failed"] == 0
    assert result["unit"] == "MB/s" and result["ratio"] > 0
