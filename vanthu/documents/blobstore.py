"""Where stored files' bytes live: a local directory (the default) or an S3-compatible bucket.

Both keep the same contract (storage.py is the public face):
- a file is stored under its SHA-256 (`ab/cd/abcd…`), written once and never overwritten;
- writing streams from a file object (hashed in the same pass, spooled to a temporary file, never
  held whole in memory), and `admit`, when given, may still refuse the bytes once they are all
  read and before they become a stored file; reading streams too (`open`, read in chunks);
- the hash is checked where the bytes land: the filesystem store hashes what it writes; the S3
  store sends the SHA-256 with the upload (`x-amz-checksum-sha256`), so that the server refuses
  a body that does not match, and writes with `If-None-Match: *`, so that an existing object is
  never replaced. `verify(sha)` reads an object back and hashes it.

Selected by VANTHU_STORAGE_URL (settings.VANTHU_STORAGE): empty or `file:///dir` for a
directory, `s3://bucket/prefix?endpoint=https://…&region=…` for a bucket.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1 << 20
# Linux starts writing dirty pages back when asked to drop them (they are dropped once clean).
_WRITE_BACK = hasattr(os, "posix_fadvise")


class BlobMissing(FileNotFoundError):
    """No stored file has this hash."""


class BlobCorrupt(ValueError):
    """A stored file's bytes no longer hash to its name."""


def key_for(sha256: str) -> str:
    """The file's place relative to the store's root, the same in every store."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def spool(source: BinaryIO, directory: str | None = None) -> tuple[str, int, str]:
    """Copy `source` into a temporary file while hashing it: (sha256, size, temporary path).

    The caller removes the temporary file."""
    digest = hashlib.sha256()
    size = flushed = 0
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
                if size - flushed >= CHUNK and _WRITE_BACK:
                    # Start writing what came so far to the disk while the rest arrives (a
                    # peer's package, an upload): the fsync below then waits for the last
                    # megabyte instead of all of it (4 MB: ~1 ms instead of ~6 here).
                    out.flush()
                    os.posix_fadvise(fd, flushed, size - flushed, os.POSIX_FADV_DONTNEED)
                    flushed = size
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return digest.hexdigest(), size, tmp


Admit = Callable[[], None]  # called once every byte is read and spooled: raises to refuse them


class BlobStore(Protocol):
    def write(self, source: BinaryIO, admit: Admit | None = None) -> tuple[str, int]: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def exists(self, sha256: str) -> bool: ...
    def local_copy(self, sha256: str): ...
    def check_ready(self) -> None: ...
    def keys(self) -> Iterator[str]: ...
    def delete(self, sha256: str) -> None: ...


class LocalStore:
    """Files in a directory (settings.FILES_DIR): written by a hard link, which fails rather
    than replace a file another writer linked first."""

    kind = "file"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / key_for(sha256)

    def write(self, source: BinaryIO, admit: Admit | None = None) -> tuple[str, int]:
        self.root.mkdir(parents=True, exist_ok=True)
        sha, size, tmp = spool(source, str(self.root))
        try:
            if admit is not None:
                admit()
            target = self.path(sha)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(tmp, target)  # fails if another writer got there first: never overwrite
                except FileExistsError:
                    pass
        finally:
            os.unlink(tmp)
        return sha, size

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError as exc:
            raise BlobMissing(sha256) from exc

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        path = self.path(sha256)
        if not path.is_file():
            raise BlobMissing(sha256)
        yield path

    def check_ready(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".tmp-ready-"):
            pass

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for p in sorted(self.root.glob("??/??/*")):
                if p.is_file() and not p.name.startswith("."):
                    yield p.name


class S3Store:
    """Objects in an S3-compatible bucket, under `prefix`, read and written through boto3.

    boto3 is imported where it is used: only installations that store in S3 pay for loading it
    at every process start."""

    kind = "s3"

    def __init__(self, *, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None, spool_dir: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.spool_dir = spool_dir
        self.client = _client(endpoint_url, region, access_key, secret_key)

    def key(self, sha256: str) -> str:
        return self.prefix + key_for(sha256)

    def write(self, source: BinaryIO, admit: Admit | None = None) -> tuple[str, int]:
        from botocore.exceptions import ClientError

        sha, size, tmp = spool(source, self.spool_dir)
        try:
            if admit is not None:
                admit()
            if self.exists(sha):
                return sha, size
            with open(tmp, "rb") as body:
                try:
                    self.client.put_object(
                        Bucket=self.bucket, Key=self.key(sha), Body=body, ContentLength=size,
                        ChecksumSHA256=base64.b64encode(bytes.fromhex(sha)).decode(),
                        IfNoneMatch="*", Metadata={"sha256": sha},
                    )
                except ClientError as exc:
                    if _code(exc) not in {"PreconditionFailed", "ConditionalRequestConflict"}:
                        raise  # another writer stored the same bytes first: nothing to do
        finally:
            os.unlink(tmp)
        return sha, size

    def open(self, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except ClientError as exc:
            if _code(exc) in {"NoSuchKey", "404"}:
                raise BlobMissing(sha256) from exc
            raise

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _code(exc) in {"NoSuchKey", "404", "NotFound"}:
                return False
            raise
        return True

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        """A temporary local file with the object's bytes (for tools that need a path: OCR)."""
        with tempfile.TemporaryDirectory(dir=self.spool_dir, prefix="vanthu-blob-") as tmp:
            path = Path(tmp) / sha256
            with self.open(sha256) as body, path.open("wb") as out:
                shutil.copyfileobj(body, out, CHUNK)
            yield path

    def check_ready(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                name = obj["Key"].rsplit("/", 1)[-1]
                if len(name) == 64:
                    yield name


def _code(exc) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@lru_cache(maxsize=8)
def _client(endpoint_url, region, access_key, secret_key):
    """One boto3 client per configuration and process (clients are thread-safe; sessions are not)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint_url or None, region_name=region or None,
        aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                      s3={"addressing_style": "path"}, max_pool_connections=32,
                      # The SHA-256 we send is the checksum; no second one computed over the body.
                      request_checksum_calculation="when_required", response_checksum_validation="when_required"),
    )


# A forked process (the archive's stamping processes) makes its own clients: a client's pooled
# connections must not be shared with the parent.
os.register_at_fork(after_in_child=_client.cache_clear)


def verify(store: BlobStore, sha256: str) -> int:
    """Read the stored file back and hash it; its size, or BlobCorrupt / BlobMissing."""
    digest, size = hashlib.sha256(), 0
    with store.open(sha256) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    if digest.hexdigest() != sha256:
        raise BlobCorrupt(f"{sha256}: the stored bytes hash to {digest.hexdigest()}")
    return size


def store_from(config: dict, files_dir: Path) -> BlobStore:
    """The store a settings.VANTHU_STORAGE dictionary describes."""
    if config.get("kind") == "s3":
        return S3Store(bucket=config["bucket"], prefix=config.get("prefix", ""), endpoint_url=config.get("endpoint_url"),
                       region=config.get("region"), access_key=config.get("access_key"),
                       secret_key=config.get("secret_key"))
    return LocalStore(files_dir)  # settings.FILES_DIR, which a file:// URL sets
