"""Entry points of benchmark processes.

A spawned process imports the target's module before Django is set up, so the target lives
here, in a module that imports no models; it sets Django up on the benchmark database and then
calls the real worker by its dotted path (`entry`). The same from a command line, for a process
started with an environment of its own (another installation's data dir and database):
`python -m vanthu.bench.spawn MODULE.FUNCTION [ARG …]` sets Django up from the environment and
calls the function with the arguments.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from vanthu import runtime

from .runner import child_setup


def _call(func_path: str, *args: Any) -> None:
    module, _, name = func_path.rpartition(".")
    getattr(importlib.import_module(module), name)(*args)


def entry(db: dict[str, Any], func_path: str, *args: Any) -> None:
    child_setup(db)
    _call(func_path, *args)


if __name__ == "__main__":
    runtime.setup()
    _call(sys.argv[1], *sys.argv[2:])
