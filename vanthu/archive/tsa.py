"""A small RFC 3161 timestamp authority, for the demo and for tests (`vanthu archive tsa`).

Real installations point VANTHU_TSA_URL at a trusted TSA. This one answers timestamp requests
over HTTP on the loopback with a TSA certificate issued by the demo authority (kept in the data
dir), so that the long-term evidence can be tried out without one. pyHanko builds the tokens.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils import timezone
from pyhanko.sign import general
from pyhanko.sign.general import simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from vanthu.signatures.ca import build_certificate, load_or_create_demo_authority, new_key
from vanthu.signatures.keys import decrypt_private_key, encrypt_private_key

MAX_REQUEST = 16 * 1024
TSA_YEARS = 12


@dataclass
class Authority:
    certificate: x509.Certificate
    key: PrivateKeyTypes
    chain: list[x509.Certificate]


def issue_tsa_certificate(issuer_cert: x509.Certificate, issuer_key: PrivateKeyTypes, *, name: str = "VanThu Demo TSA",
                          years: int = TSA_YEARS, not_before: dt.datetime | None = None,
                          crl_url: str = "") -> tuple[x509.Certificate, PrivateKeyTypes]:
    """A certificate for timestamping only (extended key usage timeStamping, critical, as RFC 3161 asks)."""
    key = new_key("rsa")  # pyHanko's token builder signs with RSA
    start = not_before or timezone.now() - dt.timedelta(minutes=5)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    cert = build_certificate(subject=subject, public_key=key.public_key(), issuer=issuer_cert.subject, issuer_key=issuer_key,
                             not_before=start, not_after=start + dt.timedelta(days=365 * years), issuer_cert=issuer_cert,
                             crl_url=crl_url)
    # build_certificate signs; the extended key usage is added by re-building with the extension.
    builder = (x509.CertificateBuilder().subject_name(cert.subject).issuer_name(cert.issuer).public_key(cert.public_key())
               .serial_number(cert.serial_number).not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc))
    for ext in cert.extensions:
        builder = builder.add_extension(ext.value, critical=ext.critical)
    builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256()), key


def demo_authority() -> Authority:
    """The demo TSA's certificate and key from the data dir, made the first time."""
    ca = load_or_create_demo_authority()
    d = Path(settings.DATA_DIR) / "demo-ca"
    cert_path, key_path = d / "tsa.pem", d / "tsa.key.enc"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        return Authority(cert, decrypt_private_key(key_path.read_bytes()), [ca.certificate])
    cert, key = issue_tsa_certificate(ca.certificate, ca.key)
    key_path.write_bytes(encrypt_private_key(key))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Authority(cert, key, [ca.certificate])


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _LoadedKeyStamper(DummyTimeStamper):
    """pyHanko's token builder, signing with the key parsed once: its own parses (and checks) the
    RSA key on every token, which costs far more than the signature (as signatures/signers.py found)."""

    def __init__(self, *args, loaded_key: rsa.RSAPrivateKey, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._loaded_key = loaded_key
        # The same in every token (the certificate's hash): encoded once. A token takes it parsed
        # from these bytes, which asn1crypto then writes out as they are instead of encoding the
        # certificate's names again (most of a token's cost otherwise).
        self._signing_certificate = simple_cms_attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)).dump()

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):  # noqa: ANN001 - pyHanko's signature
        h = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}[md_algorithm.lower()]
        digest = hashes.Hash(h())
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            cms.CMSAttribute.load(self._signing_certificate),
            simple_cms_attribute("message_digest", digest.finalize()),
        ])
        return self._loaded_key.sign(signed_attrs.dump(), padding.PKCS1v15(), h()), signed_attrs


def stamper_for(auth: Authority) -> DummyTimeStamper:
    """The token builder with this authority's certificate and key."""
    key = asn1_keys.PrivateKeyInfo.load(auth.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption()))
    return _LoadedKeyStamper(tsa_cert=_asn1(auth.certificate), tsa_key=key, loaded_key=auth.key,
                             certs_to_embed=SimpleCertificateStore.from_certs([_asn1(c) for c in auth.chain]))


class TsaServer(ThreadingHTTPServer):
    """POST a DER TimeStampReq (application/timestamp-query), get a TimeStampResp back."""

    daemon_threads = True

    def __init__(self, auth: Authority, host: str = "127.0.0.1", port: int = 0) -> None:
        self.stamper = stamper_for(auth)
        self.lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/tsa"

    def start(self) -> TsaServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # the answer in one packet, without waiting for the client's ACK
    protocol_version = "HTTP/1.1"  # keep-alive: a batch of re-timestamping asks on one connection
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_REQUEST:
            self.send_error(413 if length else 400)
            return
        try:
            req = tsp.TimeStampReq.load(self.rfile.read(length))
            req.native  # noqa: B018 - parse it all now, not while answering
            with self.server.lock:  # type: ignore[attr-defined]
                resp = self.server.stamper.request_tsa_response(req)  # type: ignore[attr-defined]
        except (ValueError, TypeError, KeyError):
            self.send_error(400)
            return
        body = resp.dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet: one line per stamp would flood the console
        return
