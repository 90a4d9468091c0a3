"""Reading certificates in any form an administrator brings them (PEM, DER, PKCS#12)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils.translation import gettext as _

from vanthu.errors import Unprocessable


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one DER certificate."""
    data = data.strip() if data.lstrip().startswith(b"-----") else data
    try:
        if b"-----BEGIN" in data[:4096] or data.lstrip().startswith(b"-----"):
            certs = x509.load_pem_x509_certificates(data)
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise Unprocessable(_("Tệp không phải chứng thư số (PEM hoặc DER)."), code="invalid_certificate") from None
    if not certs:
        raise Unprocessable(_("Tệp không chứa chứng thư số nào."), code="invalid_certificate")
    return certs


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def to_asn1(cert_der: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(bytes(cert_der))


def pem(cert_der: bytes) -> str:
    return asn1_pem.armor("CERTIFICATE", bytes(cert_der)).decode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def attr(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def common_name(cert: x509.Certificate) -> str:
    return attr(cert.subject, x509.NameOID.COMMON_NAME) or cert.subject.rfc4514_string()


@dataclass
class Pkcs12Content:
    key: PrivateKeyTypes
    certificate: x509.Certificate
    chain: list[x509.Certificate]


def load_pkcs12(data: bytes, password: str | None) -> Pkcs12Content:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        raise Unprocessable(_("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng."), code="invalid_pkcs12") from None
    if key is None or cert is None:
        raise Unprocessable(_("Tệp PKCS#12 phải chứa cả chứng thư và khóa bí mật."), code="invalid_pkcs12")
    return Pkcs12Content(key=key, certificate=cert, chain=list(extra or []))
