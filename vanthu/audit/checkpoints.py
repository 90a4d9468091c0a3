"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint says: "entry #seq (row id) had this hash, the chain then held `count` entries, and
the old-style entries' actors were these (a running digest)", signed with the installation's
audit key and written to the `audit` storage (`settings.STORAGES["audit"]`, any Django storage:
a directory of the data dir by default, S3 with object lock in a large installation), never to
the database. Whoever can edit the database therefore cannot rewrite them, and
`vanthu audit verify` (chain.verify) compares each with the chain: a checkpointed entry
rewritten, or the tail cut below the last checkpoint, shows.

The key is an Ed25519 key of the audit app's own, in a file outside the database
(`VANTHU_AUDIT_KEY_FILE`, by default `audit_key.pem` in the data dir, created on first use with
mode 0600, backed up with the data dir). Not the keys of `signatures` or the exchange site key:
those belong to higher layers and have other lifetimes (certificates expire, are revoked and
replaced). Not derived from SECRET_KEY either: rotating the secret key must not void the
anchors, and an asymmetric key lets an outside auditor check checkpoints with the public key
without being able to make them.

What checkpoints cannot do: entries written since the last checkpoint can still be cut without
trace (the window is VANTHU_AUDIT_CHECKPOINT_MINUTES); whoever can also delete the newest
checkpoint files moves that window back (an append-only store, e.g. S3 object lock, closes it);
whoever holds the key file as well can forge anything.

Layout: `checkpoints/<seq // 1,000,000>/<seq, 12 digits>.json`, so that finding the newest lists
one directory of bounded size, and the name says which entry a file vouches for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

FORMAT = "vanthu-audit-checkpoint/1"
ROOT = "checkpoints"
BUCKET = 1_000_000  # entries per directory
MAX_FILE_BYTES = 64 * 1024  # a checkpoint is < 1 KB; never read a planted giant into memory


class CheckpointError(Exception):
    """A checkpoint that cannot be trusted (unreadable, forged, signed by another key, misnamed)."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq = seq
        self.reason = reason


@dataclass(frozen=True)
class ChainEnd:
    """The last entry of a stretch of chain that was checked: what a checkpoint signs."""

    seq: int
    entry_id: int | None
    hash: str
    at: str
    v1_actors: str


@dataclass(frozen=True)
class Checkpoint:
    name: str  # its path in the storage
    seq: int
    entry_id: int
    hash: str
    count: int
    entry_at: str
    written_at: str
    v1_actors: str


def storage() -> Storage:
    return storages["audit"]


def local_dir() -> Path | None:
    """The checkpoints' directory when the storage is a local file system (backups copy it)."""
    try:
        return Path(storage().path(ROOT))
    except NotImplementedError:
        return None


# --- the key ---------------------------------------------------------------------------------

def _key_file() -> Path:
    return Path(settings.VANTHU_AUDIT_KEY_FILE)


def _load_key(*, create: bool) -> Ed25519PrivateKey | None:
    path = _key_file()
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return _create_key(path) if create else None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise CheckpointError(0, f"the audit key {path} is unreadable") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(0, f"the audit key {path} is not an Ed25519 key")
    return key


def _create_key(path: Path) -> Ed25519PrivateKey | None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        # A hard link appears whole and fails if another process made the key first: one key wins.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _load_key(create=False)


def key_id(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def installation_key_id() -> str | None:
    key = _load_key(create=False)
    return key_id(key) if key else None


# --- writing ---------------------------------------------------------------------------------

def _name(seq: int) -> str:
    return f"{ROOT}/{seq // BUCKET:06d}/{seq:012d}.json"


def _signed_bytes(body: dict) -> bytes:
    return (FORMAT + "\n" + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)).encode()


def write(end: ChainEnd) -> Checkpoint | None:
    """Sign and store a checkpoint for `end`, which the caller has checked against the chain.
    None when that entry is checkpointed already (by another worker, or a moment ago)."""
    if end.seq < 1 or end.entry_id is None:
        return None  # an empty chain: nothing to anchor
    name = _name(end.seq)
    store = storage()
    if store.exists(name):
        return None
    key = _load_key(create=True)
    body = {
        "seq": end.seq, "entry_id": end.entry_id, "hash": end.hash, "count": end.seq, "entry_at": end.at,
        "written_at": timezone.now().isoformat(), "v1_actors": end.v1_actors, "key": key_id(key),
    }
    signature = base64.b64encode(key.sign(_signed_bytes(body))).decode()
    doc = {"format": FORMAT, "checkpoint": body, "signature": signature}
    stored = store.save(name, ContentFile(json.dumps(doc, ensure_ascii=False, indent=1).encode()))
    return _checkpoint(stored, body)


# --- reading ---------------------------------------------------------------------------------

def _checkpoint(name: str, body: dict) -> Checkpoint:
    return Checkpoint(name=name, seq=body["seq"], entry_id=body["entry_id"], hash=body["hash"],
                      count=body["count"], entry_at=body["entry_at"], written_at=body["written_at"],
                      v1_actors=body["v1_actors"])


def _seq_of(name: str) -> int:
    stem = name.rsplit("/", 1)[-1][:12]
    return int(stem) if len(stem) == 12 and stem.isdigit() else 0


def _read(store: Storage, name: str) -> dict:
    with store.open(name, "rb") as fh:
        raw = fh.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError("too large")
    doc = json.loads(raw.decode("utf-8"))
    if not isinstance(doc, dict):
        raise ValueError("not an object")
    return doc


_BODY_TYPES = {"seq": int, "entry_id": int, "hash": str, "count": int, "entry_at": str,
               "written_at": str, "v1_actors": str, "key": str}


def load(name: str, key: Ed25519PrivateKey | None) -> Checkpoint:
    """Read one checkpoint and prove it is the installation's own, unchanged."""
    seq = _seq_of(name)
    store = storage()
    try:
        doc = _read(store, name)
    except (OSError, UnicodeDecodeError, ValueError):
        # A checkpoint being written this very moment may be seen half-written: look once more.
        time.sleep(0.5)
        try:
            doc = _read(store, name)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CheckpointError(seq, f"checkpoint {name} is unreadable ({exc})") from None
    body, signature = doc.get("checkpoint"), doc.get("signature")
    if (doc.get("format") != FORMAT or not isinstance(body, dict) or not isinstance(signature, str)
            or set(body) != set(_BODY_TYPES)
            or not all(type(body[k]) is t for k, t in _BODY_TYPES.items())):
        raise CheckpointError(seq, f"checkpoint {name} is not a checkpoint of format {FORMAT}")
    if key is None:
        raise CheckpointError(seq, f"the audit key {_key_file()} is missing: checkpoint {name} cannot be checked")
    if body["key"] != key_id(key):
        raise CheckpointError(seq, f"checkpoint {name} is signed with another key ({body['key']}, ours is {key_id(key)})")
    try:
        key.public_key().verify(base64.b64decode(signature, validate=True), _signed_bytes(body))
    except (InvalidSignature, binascii.Error, ValueError):
        raise CheckpointError(seq, f"checkpoint {name}: the signature does not match its content (edited?)") from None
    if body["seq"] != seq or body["seq"] < 1 or body["count"] != body["seq"]:
        raise CheckpointError(seq, f"checkpoint {name} names entry #{body['seq']}, not the one its file name says")
    return _checkpoint(name, body)


def _listdir(store: Storage, path: str) -> tuple[list[str], list[str]]:
    try:
        dirs, files = store.listdir(path)
    except FileNotFoundError:
        return [], []
    return sorted(d for d in dirs if d.isdigit()), sorted(f for f in files if f.endswith(".json") and not f.startswith("."))


def names() -> list[str]:
    """Every checkpoint file, oldest entry first."""
    store = storage()
    out = []
    for bucket in _listdir(store, ROOT)[0]:
        out += [f"{ROOT}/{bucket}/{f}" for f in _listdir(store, f"{ROOT}/{bucket}")[1]]
    return out


def load_all() -> list[Checkpoint]:
    """Every checkpoint, checked, oldest entry first; CheckpointError on the first bad one."""
    found = names()
    key = _load_key(create=False) if found else None
    return [load(n, key) for n in found]


def latest() -> Checkpoint | None:
    """The checkpoint of the newest entry, checked; reads one small directory, not all of them."""
    store = storage()
    for bucket in reversed(_listdir(store, ROOT)[0]):
        files = _listdir(store, f"{ROOT}/{bucket}")[1]
        if files:
            return load(f"{ROOT}/{bucket}/{files[-1]}", _load_key(create=False))
    return None
