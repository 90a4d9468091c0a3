"""Private keys at rest: encrypted with a key that lives outside the database.

The key comes from VANTHU_KEY_ENCRYPTION_KEY, or is derived from SECRET_KEY when that is not set
(a warning outside DEBUG: whoever holds the secret key then holds every stored signing key).
"""

from __future__ import annotations

import base64
import hashlib
import warnings
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.conf import settings
from django.utils.translation import gettext as _

from vanthu.errors import Unprocessable


@lru_cache(maxsize=4)
def _fernet_for(material: str, derived: bool) -> Fernet:
    # A domain-separated SHA-256 turns any configured string into a 32-byte Fernet key.
    digest = hashlib.sha256(b"vanthu-key-encryption\x00" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


_warned: list[bool] = []  # warn once per process, not on every key


def fernet() -> Fernet:
    configured = getattr(settings, "VANTHU_KEY_ENCRYPTION_KEY", "") or ""
    if configured:
        return _fernet_for(configured, False)
    if not settings.DEBUG and not _warned:
        _warned.append(True)
        warnings.warn(
            "VANTHU_KEY_ENCRYPTION_KEY is not set: signing keys are encrypted with a key derived "
            "from the secret key. Set it in production.", stacklevel=2,
        )
    return _fernet_for("derived:" + settings.SECRET_KEY, True)


def encrypt_private_key(key: PrivateKeyTypes) -> bytes:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return fernet().encrypt(der)


def decrypt_private_key(token: bytes) -> PrivateKeyTypes:
    try:
        der = fernet().decrypt(bytes(token))
    except InvalidToken:
        raise Unprocessable(
            _("Không giải mã được khóa ký số: khóa mã hóa (VANTHU_KEY_ENCRYPTION_KEY) đã thay đổi?"),
            code="signing_key_unreadable",
        ) from None
    return serialization.load_der_private_key(der, password=None)
