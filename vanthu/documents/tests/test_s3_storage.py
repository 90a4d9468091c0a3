"""Stored files in an S3-compatible bucket (moto's server, a real process on the loopback): the
same content addressing, streaming both ways, hashes checked, and /readyz asking the bucket."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanthu.documents import storage
from vanthu.documents.blobstore import key_for
from vanthu.settings import _storage_settings
from vanthu.testing import factories as f

pytestmark = pytest.mark.slow


class Chunks(io.RawIOBase):
    """A large upload that exists only as it is read (`size` bytes of a repeating pattern)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = os.urandom(64 * 1024)

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        n = min(len(buf), self.left, len(self.block))
        buf[:n] = self.block[:n]
        self.left -= n
        return n


def _object(moto_server, bucket: str, sha: str) -> bytes:
    return moto_server.client().get_object(Bucket=bucket, Key=key_for(sha))["Body"].read()


def test_an_uploaded_document_is_stored_in_the_bucket_under_its_sha256(world, api_as, moto_server, s3_storage):
    data = f.pdf_bytes("Về việc lưu trữ tệp trên kho đối tượng")
    sha = hashlib.sha256(data).hexdigest()
    api = api_as(world.a.specialist)
    r = api.post("/api/v1/documents", {
        "organization_id": world.a.org.id, "doc_type": "CV", "subject": "Về việc lưu trữ tệp",
        "file": SimpleUploadedFile("congvan.pdf", data, content_type="application/pdf"),
    }, multipart=True)
    assert r.status_code == 201, r.content
    assert _object(moto_server, s3_storage, sha) == data
    local = Path(django_settings.FILES_DIR)
    assert not (local / key_for(sha)).exists(), "the file went to the local disk too"
    # Downloaded through the API: streamed from the bucket, with its length.
    r = api.get(f"/api/v1/files/{sha}")
    assert r.status_code == 200 and int(r["Content-Length"]) == len(data)
    assert b"".join(r.streaming_content) == data


def test_the_same_bytes_are_stored_once_and_an_object_is_never_replaced(moto_server, s3_storage):
    sha = storage.write_blob(b"%PDF-1.7 noi dung")
    assert storage.write_blob(b"%PDF-1.7 noi dung") == sha
    keys = [o["Key"] for o in moto_server.client().list_objects_v2(Bucket=s3_storage)["Contents"]]
    assert keys == [key_for(sha)]
    assert list(storage.keys()) == [sha]
    assert storage.verify_blob(sha) == len(b"%PDF-1.7 noi dung")


def test_a_changed_object_is_caught_when_it_is_verified(moto_server, s3_storage):
    sha = storage.write_blob(b"%PDF-1.7 ban goc")
    moto_server.client().put_object(Bucket=s3_storage, Key=key_for(sha), Body=b"%PDF-1.7 ban da bi sua")
    with pytest.raises(storage.BlobCorrupt):
        storage.verify_blob(sha)
    with pytest.raises(storage.BlobMissing):
        storage.verify_blob("0" * 64)
    with pytest.raises(FileNotFoundError):  # what callers of the local store always caught
        storage.read_blob("0" * 64)


def test_uploads_and_downloads_stream_without_holding_the_file(moto_server, s3_storage):
    size = 24 * 1024 * 1024
    tracemalloc.start()
    try:
        sha, stored = storage.write_stream(Chunks(size))
        _, peak_up = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest, read = hashlib.sha256(), 0
        with storage.open_blob(sha) as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                read += len(chunk)
        _, peak_down = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored == read == size and digest.hexdigest() == sha
    assert peak_up < size / 4, f"upload held {peak_up} bytes of a {size}-byte file"
    assert peak_down < size / 4, f"download held {peak_down} bytes of a {size}-byte file"


def test_a_tool_that_needs_a_path_gets_a_temporary_copy(moto_server, s3_storage):
    sha = storage.write_blob(b"%PDF-1.7 ban quet")
    with storage.local_copy(sha) as path:
        assert path.read_bytes() == b"%PDF-1.7 ban quet"
    assert not path.exists()
    with pytest.raises(RuntimeError):
        storage.path_for(sha)  # no local path to hand out


def test_readyz_asks_the_bucket(db, moto_server, s3_storage, settings):
    assert Client().get("/readyz").json()["checks"]["storage"]["status"] == "ok"
    settings.VANTHU_STORAGE = moto_server.config("vanthu-no-such-bucket")
    r = Client().get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["storage"]["status"] == "error"


def test_the_storage_url_selects_the_bucket(moto_server):
    config = _storage_settings(moto_server.url("vanthu-files", "hanoi/khoi"))
    assert config == {**moto_server.config("vanthu-files", "hanoi/khoi")}
    assert _storage_settings("") == {"kind": "file"}
    assert _storage_settings("file:///srv/vanthu/files") == {"kind": "file", "path": "/srv/vanthu/files"}
    for bad in ("s3://", "ftp://host/x", "s3://b?endpoint=http://x&colour=red"):
        with pytest.raises(ValueError):
            _storage_settings(bad)
