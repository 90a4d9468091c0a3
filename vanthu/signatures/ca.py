"""The demo certificate authority, so that signing works out of the box (`vanthu ca init`).

Real installations trust the Government Cipher Committee's roots instead; this authority is only
for trying VanThu. Its root lives in the data dir (key encrypted like every stored key) and is
registered as a TrustRoot; it issues RSA-2048 certificates with the signing key usages.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanthu.organizations.models import Membership, Organization, OrgKind, Role

from . import certs as C
from .keys import decrypt_private_key, encrypt_private_key
from .models import KeyStorage, SigningCertificate, TrustRoot

log = logging.getLogger(__name__)

DEMO_ROOT_NAME = "VanThu Demo Root CA"
LEAF_YEARS = 3


@dataclass
class DemoAuthority:
    certificate: x509.Certificate
    key: PrivateKeyTypes


def _ca_dir() -> Path:
    path = Path(settings.DATA_DIR) / "demo-ca"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_key(kind: str = "rsa") -> PrivateKeyTypes:
    # RSA-2048 like the certificates the Government Cipher Committee issues; P-256 on request.
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def build_certificate(
    *, subject: x509.Name, public_key, issuer: x509.Name, issuer_key: PrivateKeyTypes,
    not_before: dt.datetime, not_after: dt.datetime, ca: bool = False,
    key_usage: dict | None = None, crl_url: str = "", issuer_cert: x509.Certificate | None = None,
) -> x509.Certificate:
    """One X.509 certificate; the tests use it too, to build every bad case they need."""
    b = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_cert is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False)
    usage = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                 encipher_only=False, decipher_only=False)
    if ca:
        usage.update(key_cert_sign=True, crl_sign=True, digital_signature=True)
    else:
        usage.update(key_usage if key_usage is not None else {"digital_signature": True, "content_commitment": True})
    b = b.add_extension(x509.KeyUsage(**usage), critical=True)
    if crl_url:
        b = b.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None, crl_issuer=None)]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def make_root(name: str = DEMO_ROOT_NAME, *, years: int = 20, kind: str = "rsa") -> DemoAuthority:
    key = new_key(kind)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "VanThu Demo"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    now = timezone.now()
    cert = build_certificate(subject=subject, public_key=key.public_key(), issuer=subject, issuer_key=key,
                             not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=365 * years), ca=True)
    return DemoAuthority(cert, key)


def load_or_create_demo_authority() -> DemoAuthority:
    """The demo root from the data dir, created the first time."""
    d = _ca_dir()
    cert_path, key_path = d / "root.pem", d / "root.key.enc"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        return DemoAuthority(cert, decrypt_private_key(key_path.read_bytes()))
    auth = make_root()
    key_path.write_bytes(encrypt_private_key(auth.key))
    key_path.chmod(0o600)
    cert_path.write_bytes(auth.certificate.public_bytes(serialization.Encoding.PEM))
    return auth


def _cut64(text: str) -> str:
    """At most 64 bytes of UTF-8 (the X.509 limit counts bytes; Vietnamese letters take 2-3)."""
    return text.encode("utf-8")[:64].decode("utf-8", "ignore")


def person_name(full_name: str, org: Organization | None, username: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, _cut64(full_name) or username)]
    if org is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut64(org.name)))
    if username:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, username[:64]))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"))
    return x509.Name(attrs)


def organization_name(org: Organization) -> x509.Name:
    # An organisation's (seal) certificate names the organisation twice and carries its code.
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, _cut64(org.name)),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut64(org.name)),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org.code),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
    ])


def issue(auth: DemoAuthority, subject: x509.Name, *, years: int = LEAF_YEARS, kind: str = "rsa") -> tuple[x509.Certificate, PrivateKeyTypes]:
    key = new_key(kind)
    now = timezone.now()
    cert = build_certificate(subject=subject, public_key=key.public_key(), issuer=auth.certificate.subject,
                             issuer_key=auth.key, not_before=now - dt.timedelta(minutes=5),
                             not_after=now + dt.timedelta(days=365 * years), issuer_cert=auth.certificate)
    return cert, key


def save_signing_certificate(cert: x509.Certificate, key: PrivateKeyTypes, chain: list[x509.Certificate], *,
                             user=None, organization: Organization | None = None, label: str = "") -> SigningCertificate:
    cert_der = C.der(cert)
    return SigningCertificate.objects.create(
        user=user, organization=organization, label=label or C.common_name(cert),
        subject=cert.subject.rfc4514_string(), certificate_der=cert_der,
        chain_der=[C.b64(C.der(c)) for c in chain], fingerprint=C.fingerprint(cert_der),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        key_storage=KeyStorage.ENCRYPTED, encrypted_key=encrypt_private_key(key),
    )


def ensure_trust_root(cert: x509.Certificate, name: str) -> TrustRoot:
    cert_der = C.der(cert)
    root, _ = TrustRoot.objects.get_or_create(
        fingerprint=C.fingerprint(cert_der),
        defaults=dict(name=name, kind=TrustRoot.Kind.ROOT, certificate_der=cert_der, subject=cert.subject.rfc4514_string(),
                      not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc),
    )
    return root


def ensure_demo_ca() -> dict[str, int]:
    """Create the demo root (once) and give every leader, clerk and organisation a certificate.

    Idempotent: whoever already has a usable certificate is left alone. Returns counts issued.
    """
    auth = load_or_create_demo_authority()
    issued = {"people": 0, "organizations": 0}
    with transaction.atomic():
        ensure_trust_root(auth.certificate, DEMO_ROOT_NAME)
        has_person = set(SigningCertificate.objects.usable().filter(user__isnull=False).values_list("user_id", flat=True))
        has_org = set(SigningCertificate.objects.usable().filter(user__isnull=True).values_list("organization_id", flat=True))
        seen: set[int] = set()
        rows = (Membership.objects.filter(role__in=[Role.LEADER, Role.CLERK], user__is_active=True, organization__is_active=True)
                .select_related("user", "organization").order_by("user_id", "-role", "organization_id"))
        for m in rows:
            # Leaders first: a person's certificate names the organisation they lead.
            if m.user_id in has_person or m.user_id in seen:
                continue
            seen.add(m.user_id)
            # People get P-256 keys: hundreds of RSA key generations would make the demo start slow.
            cert, key = issue(auth, person_name(m.user.get_full_name(), m.organization, m.user.username), kind="ec")
            save_signing_certificate(cert, key, [auth.certificate], user=m.user, organization=m.organization)
            issued["people"] += 1
        # External bodies sign with their own authority's certificates, not the demo's.
        for org in Organization.objects.active().exclude(kind=OrgKind.EXTERNAL).exclude(id__in=has_org):
            cert, key = issue(auth, organization_name(org))
            save_signing_certificate(cert, key, [auth.certificate], organization=org)
            issued["organizations"] += 1
    return issued
