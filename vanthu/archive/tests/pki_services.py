"""A certificate authority with a CRL and an OCSP responder, and a timestamp authority, all over
HTTP on the loopback, run by the test: what long-term evidence is gathered from and checked against.

    root ── signer (CRL distribution point + OCSP responder in its AIA), valid one year
         └─ TSA (timeStamping), valid twenty years

`revoke(cert)` takes effect for both the CRL and OCSP from the next request on."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from django.utils import timezone

from vanthu.archive.tsa import Authority, TsaServer, issue_tsa_certificate
from vanthu.signatures import ca
from vanthu.signatures import certs as C
from vanthu.signatures.signers import LoadedKeySigner
from vanthu.signatures.tests.pki import http_server


@dataclass
class Pki:
    root: ca.DemoAuthority
    base: str
    tsa_url: str = ""
    revoked: dict[int, dt.datetime] = field(default_factory=dict)
    signer_cert: x509.Certificate | None = None
    signer_key: object = None
    responder_cert: x509.Certificate | None = None
    responder_key: object = None
    requests: list[str] = field(default_factory=list)

    def revoke(self, cert: x509.Certificate, at: dt.datetime | None = None) -> None:
        self.revoked[cert.serial_number] = at or timezone.now()

    def signer(self) -> LoadedKeySigner:
        return LoadedKeySigner(C.to_asn1(C.der(self.signer_cert)), self.signer_key, [])

    def crl(self) -> bytes:
        now = timezone.now()
        b = (x509.CertificateRevocationListBuilder().issuer_name(self.root.certificate.subject)
             .last_update(now - dt.timedelta(minutes=1)).next_update(now + dt.timedelta(days=7)))
        for serial, when in self.revoked.items():
            b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return b.sign(self.root.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def ocsp(self, body: bytes) -> bytes:
        req = ocsp.load_der_ocsp_request(body)
        now = timezone.now()
        cert = self.signer_cert
        if req.serial_number != cert.serial_number:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        revoked_at = self.revoked.get(cert.serial_number)
        status = ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=cert, issuer=self.root.certificate, algorithm=hashes.SHA1(), cert_status=status,
            this_update=now - dt.timedelta(minutes=1), next_update=now + dt.timedelta(days=1),
            revocation_time=revoked_at, revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder_cert).certificates([self.responder_cert])
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        return builder.sign(self.responder_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _leaf(pki: Pki, cn: str, years: int = 1) -> tuple[x509.Certificate, object]:
    key = ca.new_key("ec")
    now = timezone.now()
    root = pki.root.certificate
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                                                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Đảng bộ Sở Tài chính")]))
        .issuer_name(root.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False,
                                     decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()), critical=False)
        .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(f"{pki.base}/crl")], relative_name=None, reasons=None, crl_issuer=None)]),
            critical=False)
        .add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(f"{pki.base}/ocsp"))]), critical=False)
        .sign(pki.root.key, hashes.SHA256())
    )
    return cert, key


def _responder(pki: Pki) -> tuple[x509.Certificate, object]:
    """A delegated OCSP responder (id-pkix-ocsp-nocheck: its own status is not asked for), as CAs run them."""
    key = ca.new_key("ec")
    now = timezone.now()
    root = pki.root.certificate
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP thử nghiệm")]))
        .issuer_name(root.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=True)
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()), critical=False)
        .sign(pki.root.key, hashes.SHA256())
    )
    return cert, key


@contextmanager
def pki_services():
    """The root, a signer and a TSA, with the CRL, OCSP and TSA servers running."""
    root = ca.make_root("Gốc thử nghiệm lưu trữ dài hạn", years=30)
    box: dict[str, Pki] = {}

    def answer(path: str, body: bytes):
        pki = box["pki"]
        pki.requests.append(path)
        if path.startswith("/crl"):
            return "application/pkix-crl", pki.crl()
        if path.startswith("/ocsp"):
            return "application/ocsp-response", pki.ocsp(body)
        return 404, "text/plain", b"not here"

    with http_server(answer) as base:
        pki = box["pki"] = Pki(root=root, base=base)
        pki.signer_cert, pki.signer_key = _leaf(pki, "Nguyễn Văn Hùng")
        pki.responder_cert, pki.responder_key = _responder(pki)
        tsa_cert, tsa_key = issue_tsa_certificate(root.certificate, root.key, name="TSA thử nghiệm", years=20)
        server = TsaServer(Authority(tsa_cert, tsa_key, [root.certificate])).start()
        pki.tsa_url = server.url
        try:
            yield pki
        finally:
            server.shutdown()
            server.server_close()
