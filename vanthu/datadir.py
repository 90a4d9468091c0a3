"""The data directory: the embedded database, stored files and a generated secret key.

Importing `vanthu.settings` creates nothing: it only reads where the directory is and the key a
command may have generated there. The `vanthu` commands (and the test environment) call
`prepare()` before Django starts, so that a fresh `vanthu demo` or `vanthu serve` needs no
configuration. Standard library only: this runs before Django's settings are loaded.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_NAME = ".vanthu"  # in the working directory
SECRET_KEY_FILE = "secret_key"
STATIC_NAME = "static"  # STATIC_ROOT; whitenoise warns at every start when it is missing


def location() -> Path:
    """The data directory `VANTHU_DATA_DIR` names, or `./.vanthu`; it may not exist yet."""
    return Path(os.environ.get("VANTHU_DATA_DIR") or Path.cwd() / DEFAULT_NAME).resolve()


def generated_secret_key(data_dir: Path) -> str:
    """The secret key `prepare()` wrote into the data dir, or "" when there is none (reads only)."""
    try:
        return (data_dir / SECRET_KEY_FILE).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return ""


def prepare(data_dir: Path | None = None) -> Path:
    """Create the data directory and, unless `VANTHU_SECRET_KEY` is set, a secret key in it.

    The key is made once per data dir (so that sessions and signed values survive restarts) and
    never replaced; several processes may call this at once.
    """
    data_dir = (data_dir or location()).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / STATIC_NAME).mkdir(exist_ok=True)
    if not os.environ.get("VANTHU_SECRET_KEY"):
        _write_once(data_dir / SECRET_KEY_FILE, secrets.token_urlsafe(50))
    return data_dir


def _write_once(path: Path, text: str) -> None:
    # Written in full to a private temporary file, then linked into place: a reader never sees a
    # half-written key, and when two processes race the first link wins and the other is dropped.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
