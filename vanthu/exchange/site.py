"""This installation as peers see it: its identifier, address, organisations and certificates."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings
from django.utils.translation import gettext as _

from vanthu.errors import InvalidState
from vanthu.organizations.models import Organization, OrgKind
from vanthu.signatures import certs as C
from vanthu.signatures.actions import organization_certificate
from vanthu.signatures.keys import decrypt_private_key, encrypt_private_key
from vanthu.signatures.models import KeyStorage, TrustRoot

EXCHANGE_KEY_FILE = "exchange_key"


@lru_cache(maxsize=1)
def site_id() -> str:
    """A random identifier made once per data dir: the name we present to peers."""
    configured = getattr(settings, "VANTHU_SITE_ID", "")
    if configured:
        return configured
    path = Path(settings.DATA_DIR) / "site_id"
    if not path.exists():
        path.write_text(secrets.token_hex(16))
    return path.read_text().strip()


@lru_cache(maxsize=1)
def exchange_key() -> X25519PrivateKey:
    """This installation's X25519 key for agreeing a MAC key with each peer (see peerauth.py):
    made once per data dir, kept encrypted like the signing keys, backed up with the data dir."""
    path = Path(settings.DATA_DIR) / EXCHANGE_KEY_FILE
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".exchange_key-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(encrypt_private_key(X25519PrivateKey.generate()))
        try:
            os.link(tmp, path)  # atomic, and never over a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    key = decrypt_private_key(path.read_bytes())
    if not isinstance(key, X25519PrivateKey):
        raise InvalidState(_("Tệp khóa liên thông %(path)s không hợp lệ.") % {"path": path}, code="exchange_key_invalid")
    return key


def exchange_public_key() -> str:
    raw = exchange_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_url() -> str:
    return settings.VANTHU_PUBLIC_URL.rstrip("/")


def endpoint_url() -> str:
    return f"{public_url()}/exchange/inbox"


def local_organizations():
    # Served here = someone works in it; a memberless stand-in (the demo's City Party Committee
    # above the Bloc) belongs to the system that really serves it.
    return Organization.objects.active().exclude(kind=OrgKind.EXTERNAL).filter(memberships__isnull=False).distinct().order_by("id")


def identity() -> dict:
    """What GET /exchange/identity publishes: nothing secret, only what a peer needs to register
    us (with the public half of our exchange key, from which the two sides derive their MAC key)."""
    orgs = []
    for org in local_organizations().select_related("parent"):
        cert = organization_certificate(org.id)
        if cert is None:
            continue  # an organisation that cannot sign packages cannot exchange
        orgs.append({
            "code": org.code, "name": org.name, "short_name": org.short_name, "kind": org.kind,
            "parent_code": org.parent.code if org.parent_id else None,
            "certificate": C.b64(bytes(cert.certificate_der)),
        })
    roots = [C.pem(bytes(r.certificate_der)) for r in TrustRoot.objects.enabled()]
    return {
        "site_id": site_id(), "name": settings.VANTHU_SITE_NAME, "base_url": public_url(),
        "endpoint": endpoint_url(), "standard": "QCVN 102:2016 edXML", "organizations": orgs,
        "trust_roots": roots, "exchange_key": exchange_public_key(),
    }


def signing_material(org: Organization):
    """The organisation's key and certificate for package signatures (signatures app)."""
    cert = organization_certificate(org.id)
    if cert is None or cert.key_storage != KeyStorage.ENCRYPTED or not cert.encrypted_key:
        raise InvalidState(
            _("Tổ chức %(org)s chưa có chứng thư số lưu trên máy chủ để ký gói tin liên thông.") % {"org": org.name},
            code="no_organization_certificate",
        )
    return _loaded(cert.fingerprint, bytes(cert.encrypted_key), bytes(cert.certificate_der))


@lru_cache(maxsize=64)
def _loaded(fingerprint: str, token: bytes, cert_der: bytes):
    # Loading an RSA key checks it (~0.1 s): once per certificate per process, not per package.
    return decrypt_private_key(token), x509.load_der_x509_certificate(cert_der)
