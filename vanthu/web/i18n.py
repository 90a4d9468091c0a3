"""Compiling the repository's .po files into .mo at start, in pure Python.

GNU gettext's msgfmt is not needed on the server: this reads the simple .po subset we write
(msgctxt, msgid, msgid_plural, msgstr[n], multi-line strings, comments) and writes the .mo format
Python's gettext reads. Fuzzy entries are skipped, as msgfmt does.

A server whose code directory is read-only to the service user (docs/deploy.md: /opt/vanthu owned
by root, the units' ProtectSystem=strict) cannot write them at start, so the installer runs
`python -m vanthu.web.i18n` as the owner after each install or upgrade: it compiles every .po of
the package, without Django being configured.
"""

from __future__ import annotations

import ast
import logging
import os
import struct
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

log = logging.getLogger(__name__)


def parse_po(text: str) -> dict[str, str]:
    """{key: translation}; key is msgid, or ctxt\\x04msgid, plural forms joined by \\x00."""
    entries: dict[str, str] = {}
    cur: dict[str, list[str]] = {}
    section = ""
    fuzzy = False

    def flush() -> None:
        nonlocal cur, fuzzy
        if "msgid" in cur and not fuzzy:
            msgid = "".join(cur["msgid"])
            if "msgid_plural" in cur:
                msgid += "\x00" + "".join(cur["msgid_plural"])
            plural = sorted(k for k in cur if k.startswith("msgstr["))
            msgstr = "\x00".join("".join(cur[k]) for k in plural) if plural else "".join(cur.get("msgstr", []))
            if "msgctxt" in cur:
                msgid = "".join(cur["msgctxt"]) + "\x04" + msgid
            if msgstr.replace("\x00", "") or not msgid:
                entries[msgid] = msgstr
        cur, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if "msgid" in cur:
                    flush()
                fuzzy = True
            continue
        if line.startswith('"'):
            cur.setdefault(section, []).append(ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgid" in cur and (keyword == "msgctxt" or "msgstr" in cur or any(k.startswith("msgstr[") for k in cur)):
            flush()  # a new entry starts (a "#, fuzzy" before it has already flushed the last one)
        section = keyword
        cur[section] = [ast.literal_eval(rest.strip())]
    flush()
    return entries


def write_mo(entries: dict[str, str], path: Path) -> None:
    keys = sorted(entries)
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    n = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + n * 8
    data_start = strs_table + n * 8
    offsets, blob = [], b""
    for b in ids:
        offsets.append((len(b), data_start + len(blob)))
        blob += b + b"\x00"
    str_offsets = []
    for b in strs:
        str_offsets.append((len(b), data_start + len(blob)))
        blob += b + b"\x00"
    out = struct.pack("<7I", 0x950412DE, 0, n, ids_table, strs_table, 0, 0)
    out += b"".join(struct.pack("<2I", *o) for o in offsets)
    out += b"".join(struct.pack("<2I", *o) for o in str_offsets)
    # Several processes (gunicorn workers, the task worker) may start at once: write a temporary
    # file and rename it, so that none of them ever reads a half-written catalogue.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(out + blob)
    os.replace(tmp, path)


def _compile(po: Path, force: bool) -> bool:
    """Write `po`'s .mo beside it unless it is up to date; whether it wrote one."""
    mo = po.with_suffix(".mo")
    if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    write_mo(parse_po(po.read_text(encoding="utf-8")), mo)
    return True


def compile_tree(root: Path, force: bool = False) -> list[Path]:
    """Compile every stale `locale/*/LC_MESSAGES/*.po` under `root`; the .mo files written.
    Errors are raised: the installer must see a catalogue it could not write."""
    return [po.with_suffix(".mo") for po in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")) if _compile(po, force)]


def compile_all(force: bool = False) -> list[Path]:
    """Compile every stale .po under LOCALE_PATHS and the apps' own `locale/` directories (a
    new app keeps its catalogue beside its code); returns the .mo files written."""
    written = []
    bases = [Path(p) for p in settings.LOCALE_PATHS]
    bases += [Path(c.path) / "locale" for c in apps.get_app_configs() if c.name.startswith("vanthu.")]
    for base in dict.fromkeys(bases):
        for po in base.glob("*/LC_MESSAGES/*.po"):
            try:
                if _compile(po, force):
                    written.append(po.with_suffix(".mo"))
            except OSError as exc:  # a read-only install: `python -m vanthu.web.i18n` at install time
                log.warning("cannot compile %s: %s", po, exc)
    return written


if __name__ == "__main__":
    # The package's catalogues (LOCALE_PATHS is vanthu/locale, the apps' are vanthu/*/locale).
    package = Path(__file__).resolve().parent.parent
    for written in compile_tree(package, force="--force" in sys.argv[1:]):
        print(written)
