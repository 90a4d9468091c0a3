"""`vanthu bench SCENARIO`: a registry of benchmark scenarios and the one way to run them.

A scenario is a function registered with `@scenario(...)` in a module of this package; the
runner finds them by importing the package's modules (`discover`), so the command line only
calls `run` and knows no scenario. A scenario receives a `Context` (scale, repetitions, options,
a `say` for progress) after the runner has switched to the benchmark database (see
`database.py`), does the work through VanThu and through the bare engine in the same run,
interleaved (a VanThu sample, a bare sample, …) so that a noisy moment hits both, and returns a
`Result`. The runner prints the result as one JSON object on the last line:

    {"scenario", "metric", "unit", "value", "baseline", "ratio", "details"}

`ratio` is always "how many times the bare engine's cost VanThu pays": value / baseline for
times, baseline / value for rates; so lower is better and 1.0 is the floor. `details` names the
database engine the work ran on (`database`) and how many samples each side took (`samples`,
`baseline_samples`).

`--scale` is a number or one of the scenario's named sizes: `tiny` (what the test suite runs),
`small` (a quick look by hand) or `default`.

Also runnable as `python -m vanthu.bench.runner SCENARIO [--target T] [--processes N] ...`,
which tests use to point a run at a temporary database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vanthu import runtime

from . import database

# Modules of this package that hold no scenario and must not be imported by discovery: the
# bare WSGI server of `load` builds the whole web application when imported.
NOT_SCENARIOS = frozenset({"runner", "wsgi"})
LOAD_ERRORS: dict[str, str] = {}
SCALE_NAMES = ("tiny", "small", "default")


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
    scale_name: str = "default"
    started: float = field(default_factory=time.monotonic)

    def say(self, message: str) -> None:
        """Progress for a person watching; nothing when only the JSON line is wanted."""
        if not self.quiet:
            print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)

    def option(self, name: str, default: Any) -> Any:
        value = self.options.get(name)
        return default if value is None else value

    def sized(self, **by_scale: Any) -> Any:
        """A value chosen by the named scale the run was asked for (`tiny=…, small=…, default=…`);
        a numeric scale takes the default's."""
        return by_scale.get(self.scale_name, by_scale["default"])


@dataclass(frozen=True)
class Scenario:
    name: str
    func: Callable[[Context], Result]
    default_scale: int
    help: str
    # Whether the scenario prepares the database itself (e.g. rebuilds a cached dataset).
    manages_database: bool = False
    scales: dict[str, int] = field(default_factory=dict)

    def scale_of(self, scale: int | str | None) -> tuple[int, str]:
        """(number, name) of a requested scale: a number as given, or a named size."""
        if scale is None or scale == "default":
            return self.default_scale, "default"
        if isinstance(scale, int) or str(scale).isdigit():
            return int(scale), "number"
        if scale in self.scales:
            return self.scales[scale], str(scale)
        raise ValueError(f"unknown scale {scale!r} for {self.name}: a number or one of {', '.join(SCALE_NAMES)}")


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, *, default_scale: int, help: str, manages_database: bool = False,
             tiny: int | None = None, small: int | None = None):
    """Register a scenario function under `name`, with its default and named scales."""
    def register(func: Callable[[Context], Result]) -> Callable[[Context], Result]:
        scales = {"tiny": tiny or default_scale, "small": small or default_scale}
        SCENARIOS[name] = Scenario(name, func, default_scale, help, manages_database, scales)
        return func
    return register


def discover() -> dict[str, Scenario]:
    """Import every module of this package, which registers their scenarios. One broken
    scenario module must not stop the others: its error is kept in LOAD_ERRORS."""
    for info in pkgutil.iter_modules(sys.modules[__package__].__path__):
        if info.ispkg or info.name in NOT_SCENARIOS or info.name.startswith("_"):
            continue
        name = f"{__package__}.{info.name}"
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


def timed(fn: Callable[[], object], n: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds of each of `n` calls; with `cpu`, also this process's CPU seconds."""
    out = []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t)
        if cpu is not None:
            cpu.append(time.process_time() - c)
    return out


# --- running ------------------------------------------------------------------------------------

def run(name: str, *, scale: int | str | None = None, as_json: bool = False, repeat: int | None = None,
        target: str | None = None, **options: Any) -> int:
    """Run one scenario on the benchmark database and print its result; returns an exit code."""
    scenarios = discover()
    spec = scenarios.get(name)
    if spec is None:
        print(f"unknown scenario {name!r}; known: {', '.join(sorted(scenarios))}", file=sys.stderr)
        for module, error in LOAD_ERRORS.items():
            print(f"  (could not load {module}: {error})", file=sys.stderr)
        return 2
    try:
        number, scale_name = spec.scale_of(scale)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        # A scenario that manages its own (cached) dataset gets a database of its own.
        db = database.derive(target, dataset=name if spec.manages_database else None)
    except database.BenchDatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    ctx = Context(
        scenario=name, scale=number, repeat=repeat, db=db, options=options, quiet=as_json,
        scale_name=scale_name,
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
    p.add_argument("--scale", default=None, help="a number, or tiny / small / default")
    p.add_argument("--repeat", type=int, default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--target", default=None, help="SQLite file or PostgreSQL database name to use")
    p.add_argument("--processes", type=int, default=None, help="worker processes (numbering)")
    args = p.parse_args(argv)
    runtime.setup()
    return run(args.scenario, scale=args.scale, as_json=args.json, repeat=args.repeat,
               target=args.target, processes=args.processes)


def child_setup(db: dict[str, Any]) -> None:
    """In a spawned worker process: set Django up on the benchmark database."""
    runtime.setup()
    database.activate(db)


if __name__ == "__main__":
    # Run the imported module's main, so that scenarios register where `run` looks for them.
    from vanthu.bench.runner import main as _main

    sys.exit(_main())
