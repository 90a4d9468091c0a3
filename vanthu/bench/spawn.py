"""Entry point of spawned benchmark workers.

A spawned process imports the target's module before Django is set up, so the target lives
here, in a module that imports no models; it sets Django up on the benchmark database and then
calls the real worker by its dotted path.
"""

from __future__ import annotations

import importlib
from typing import Any


def entry(db: dict[str, Any], func_path: str, *args: Any) -> None:
    from .runner import child_setup

    child_setup(db)
    module, _, name = func_path.rpartition(".")
    getattr(importlib.import_module(module), name)(*args)
