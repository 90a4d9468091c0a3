"""pyHanko signers for stored certificates, built once per process and kept.

pyHanko's SimpleSigner re-parses (and re-checks) its private key on every signature; for RSA
that costs far more than the signature itself. `LoadedKeySigner` holds the parsed key instead,
and `signer_for` caches one signer per certificate, so a key is decrypted once per process.
"""

from __future__ import annotations

import os
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from django.utils.translation import gettext as _
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.errors import Unprocessable

from . import certs as C
from .keys import decrypt_private_key
from .models import KeyStorage, SigningCertificate

_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class LoadedKeySigner(signers.Signer):
    """A signer whose private key is already parsed (a `cryptography` key object)."""

    def __init__(self, signing_cert, key: PrivateKeyTypes, chain=()):
        self._key = key
        super().__init__(signing_cert=signing_cert, cert_registry=SimpleCertificateStore.from_certs(list(chain)),
                         embed_roots=True)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        name = mech["algorithm"].native
        h = _HASHES[digest_algorithm]()
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey):
            if name == "rsassa_pss":
                return key.sign(data, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
            return key.sign(data, padding.PKCS1v15(), h)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(h))
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(data)
        raise SigningError(f"unsupported key type {type(key).__name__}")


_cache: dict[tuple[int, str], signers.Signer] = {}
_lock = threading.Lock()


def _chain(cert: SigningCertificate) -> list:
    return [C.to_asn1(C.unb64(c)) for c in cert.chain_der or []]


def _pkcs11_signer(cert: SigningCertificate) -> signers.Signer:
    from pyhanko.sign import pkcs11 as p11

    if not os.path.isfile(cert.pkcs11_module):
        raise Unprocessable(_("Không tìm thấy thư viện PKCS#11 %(path)s.") % {"path": cert.pkcs11_module}, code="pkcs11_module_missing")
    pin = os.environ.get(cert.pkcs11_pin_env) if cert.pkcs11_pin_env else None
    criteria = p11.TokenCriteria(label=cert.pkcs11_token_label) if cert.pkcs11_token_label else None
    session = p11.open_pkcs11_session(cert.pkcs11_module, slot_no=cert.pkcs11_slot, token_criteria=criteria, user_pin=pin)
    return p11.PKCS11Signer(session, key_label=cert.pkcs11_key_label, signing_cert=C.to_asn1(cert.certificate_der),
                            ca_chain=_chain(cert))


def signer_for(cert: SigningCertificate) -> signers.Signer:
    """The signer of a stored certificate; built (key decrypted, token opened) once per process."""
    key = (cert.pk, cert.fingerprint)
    found = _cache.get(key)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(key)
        if found is None:
            if cert.key_storage == KeyStorage.PKCS11:
                found = _pkcs11_signer(cert)
            else:
                found = LoadedKeySigner(C.to_asn1(cert.certificate_der), decrypt_private_key(cert.encrypted_key), _chain(cert))
            _cache[key] = found
    return found


def forget_signers() -> None:
    """Drop cached signers (after a key is replaced, and between tests)."""
    with _lock:
        _cache.clear()


