"""Content-addressed file storage: files live under their SHA-256 and are never overwritten."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from .models import StoredFile
from .pdf import PdfInfo


def path_for(sha256: str) -> Path:
    return Path(settings.FILES_DIR) / sha256[:2] / sha256[2:4] / sha256


def write_blob(data: bytes) -> str:
    """Write bytes under their hash, atomically; an existing file is left untouched."""
    sha = hashlib.sha256(data).hexdigest()
    target = path_for(sha)
    if target.exists():
        return sha
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)  # fails if another writer got there first: never overwrite
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return sha


def store_pdf(data: bytes, info: PdfInfo) -> StoredFile:
    sha = write_blob(data)
    stored, _ = StoredFile.objects.get_or_create(
        sha256=sha, defaults={"size": len(data), "page_count": info.page_count, "text": info.text[:1_000_000]}
    )
    return stored


def read_blob(sha256: str) -> bytes:
    return path_for(sha256).read_bytes()
