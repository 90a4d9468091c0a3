"""`vanthu bench SCENARIO`: a registry of benchmark scenarios and the one way to run them.

A scenario is a function registered with `@scenario(...)` in a module of this package (listed
in `MODULES`). It receives a `Context` (scale, repetitions, options, a `say` for progress) after
the runner has switched to the benchmark database (see `database.py`), does the work through
VanThu and through the bare engine in the same run, and returns a `Result`. The runner prints
the result as one JSON object on the last line:

    {"scenario", "metric", "unit", "value", "baseline", "ratio", "details"}

`ratio` is always "how many times the bare engine's cost VanThu pays": value / baseline for
times, baseline / value for rates; so lower is better and 1.0 is the floor.

Also runnable as `python -m vanthu.bench.runner SCENARIO [--target T] [--processes N] ...`,
which tests use to point a run at a temporary database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import database

# Modules that register scenarios: this package's own (relative names) and the apps' (dotted
# paths). A new scenario is a function decorated with `@scenario` in a module listed here.
MODULES = ("issue", "numbering", "inbox", "load", "notifications", "vanthu.reports.bench", "vanthu.search.bench", "vanthu.signatures.bench", "vanthu.exchange.bench")
LOAD_ERRORS: dict[str, str] = {}


@dataclass
class Result:
    scenario: str
    metric: str
    unit: str
    value: float
    baseline: float
    details: dict[str, Any] = field(default_factory=dict)
    higher_is_better: bool = False
    summary: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.value or not self.baseline:
            return None
        return self.baseline / self.value if self.higher_is_better else self.value / self.baseline

    def as_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "scenario": self.scenario, "metric": self.metric, "unit": self.unit,
            "value": round(self.value, 3), "baseline": round(self.baseline, 3),
            "ratio": None if ratio is None else round(ratio, 3), "details": self.details,
        }


@dataclass
class Context:
    scenario: str
    scale: int
    repeat: int | None
    db: dict[str, Any]
    options: dict[str, Any]
    quiet: bool = False
    started: float = field(default_factory=time.monotonic)

    def say(self, message: str) -> None:
        """Progress for a person watching; nothing when only the JSON line is wanted."""
        if not self.quiet:
            print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)

    def option(self, name: str, default: Any) -> Any:
        value = self.options.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class Scenario:
    name: str
    func: Callable[[Context], Result]
    default_scale: int
    help: str
    # Whether the scenario prepares the database itself (e.g. rebuilds a cached dataset).
    manages_database: bool = False


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, *, default_scale: int, help: str, manages_database: bool = False):
    """Register a scenario function under `name`."""
    def register(func: Callable[[Context], Result]) -> Callable[[Context], Result]:
        SCENARIOS[name] = Scenario(name, func, default_scale, help, manages_database)
        return func
    return register


def load_scenarios() -> dict[str, Scenario]:
    """Import every scenario module. One app's broken benchmark must not stop the others."""
    for module in MODULES:
        # A dotted name is a scenario module that lives in its app.
        name = module if "." in module else f"{__package__}.{module}"
        try:
            importlib.import_module(name)
        except Exception as exc:
            LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"
    return SCENARIOS


# --- statistics shared by scenarios -------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100), linear between closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


# --- running ------------------------------------------------------------------------------------

def run(name: str, *, scale: int | None = None, as_json: bool = False, repeat: int | None = None,
        target: str | None = None, **options: Any) -> int:
    """Run one scenario on the benchmark database and print its result; returns an exit code."""
    scenarios = load_scenarios()
    spec = scenarios.get(name)
    if spec is None:
        print(f"unknown scenario {name!r}; known: {', '.join(sorted(scenarios))}", file=sys.stderr)
        for module, error in LOAD_ERRORS.items():
            print(f"  (could not load {module}: {error})", file=sys.stderr)
        return 2
    try:
        # A scenario that manages its own (cached) dataset gets a database of its own.
        db = database.derive(target, dataset=name if spec.manages_database else None)
    except database.BenchDatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    ctx = Context(
        scenario=name, scale=scale or spec.default_scale, repeat=repeat, db=db,
        options=options, quiet=as_json,
    )
    ctx.say(f"vanthu bench {name}: scale {ctx.scale} on {database.label_of(db)}")
    started = time.monotonic()
    if not spec.manages_database:
        database.prepare(db)
    result = spec.func(ctx)
    result.details.setdefault("database", database.vendor_of(db))
    result.details.setdefault("scale", ctx.scale)
    result.details["elapsed_s"] = round(time.monotonic() - started, 1)
    if not as_json:
        for line in result.summary:
            print(line)
        ratio = "n/a" if result.ratio is None else f"{result.ratio:.2f}"
        print(f"{result.metric}: {result.value:.3f} {result.unit}"
              f" (bare engine {result.baseline:.3f}, ratio {ratio})")
    print(json.dumps(result.as_dict(), ensure_ascii=False), flush=True)
    return 0 if result.details.get("ok", True) else 1


def main(argv: list[str] | None = None) -> int:
    """`python -m vanthu.bench.runner`: like `vanthu bench`, plus --target and --processes."""
    p = argparse.ArgumentParser(prog="python -m vanthu.bench.runner")
    p.add_argument("scenario")
    p.add_argument("--scale", type=int, default=None)
    p.add_argument("--repeat", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--target", default=None, help="SQLite file or PostgreSQL database name to use")
    p.add_argument("--processes", type=int, default=None, help="worker processes (numbering)")
    args = p.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
    import django

    django.setup()
    return run(args.scenario, scale=args.scale, as_json=args.json, repeat=args.repeat,
               target=args.target, processes=args.processes)


def child_setup(db: dict[str, Any]) -> None:
    """In a spawned worker process: set Django up on the benchmark database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanthu.settings")
    import django

    django.setup()
    database.activate(db)


if __name__ == "__main__":
    # Run the imported module's main, so that scenarios register where `run` looks for them.
    from vanthu.bench.runner import main as _main

    sys.exit(_main())
