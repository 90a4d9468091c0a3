"""`vanthu edxml import` of a file it cannot read: a clear message and a non-zero exit, never a
traceback (the real command, in its own process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("kind,says", [
    ("missing", "no such file"),
    ("directory", "not a regular file"),
    ("device", "not a regular file"),  # /dev/zero would never end
    ("unreadable", "cannot read the file"),  # reading /proc/self/mem at offset 0 fails with EIO
])
def test_edxml_import_of_a_file_it_cannot_read_says_so(tmp_path, kind, says):
    target = {"missing": tmp_path / "khong-co.edxml", "directory": tmp_path, "device": Path("/dev/zero"),
              "unreadable": Path("/proc/self/mem")}[kind]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")} | {"VANTHU_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run([sys.executable, "-m", "vanthu.cli", "edxml", "import", str(target)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert f"Không nhập được gói tin / cannot import: {target}: " in proc.stderr and says in proc.stderr
    assert proc.stdout == ""
