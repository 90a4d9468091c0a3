"""How the receiving path's cost grows with its input: `python -m vanthu.exchange.scaling`.

Each row doubles one dimension of a package (the files' size, the number of elements in the
signed envelope, their attributes) or of a hostile body, and times the steps a received package
goes through: the hardened parse with the files decoded as they stream in, the XML-DSig check
(a copy of the envelope, signxml's re-parse and exclusive C14N), and reading the header with the
manifest's digests. Linear growth shows as a time that doubles with the input; the exchange
README keeps the figures. Times are CPU seconds of this process (the best of three), which a
loaded machine disturbs less than the wall clock. Needs no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable, Iterator

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from . import edxml as E


def _key_and_cert():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Đảng ủy Khối")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, cert


def _package(files: list[E.FilePart]) -> E.Package:
    return E.Package(
        message_id=E.new_message_id(), sender=E.Party("000.00.31.H26", "Đảng ủy Khối"), recipient=E.Party("000.00.00.H26", "Thành ủy"),
        code_number="15", code_notation="CV/ĐUK", issued_date=dt.date(2026, 11, 28), place="Hà Nội", type_code="CV",
        type_name="Công văn", subject="Về việc thử tải", signer_authority="", signer_position="", signer_name="", due_date=None,
        priority=0, page_count=1, timestamp=dt.datetime.now(dt.UTC), files=files,
    )


def _signed(files: list[E.FilePart], extra: Callable | None = None) -> bytes:
    key, cert = KEY
    root = E.build_package(_package(files))
    if extra is not None:
        extra(root.find(f"{E.q('edXMLEnvelope')}/{E.q('edXMLHeader')}/{E.q('MessageHeader')}"))
    return E.sign(root, key, cert)


def _elements(count: int, attributes: int, chars: int) -> Callable:
    """`count` elements another system might add to the header, each with `attributes`
    attributes of `chars` characters and as much text."""

    def add(header) -> None:
        other = E._sub(header, "OtherSystem")
        for i in range(count):
            el = E._sub(other, "Item", "x" * chars)
            for a in range(attributes):
                el.set(f"a{a}", f"{i}" + "y" * (chars - len(str(i))))

    return add


def _steps(data: bytes) -> dict[str, float]:
    times: dict[str, float] = {}
    t = time.process_time()
    payloads: dict[str, bytes] = {}
    try:
        root = E.parse(data, payloads=payloads)
    except E.PackageError as exc:
        times["parse"] = time.process_time() - t
        times["refused"] = exc.code  # type: ignore[assignment]
        return times
    times["parse"] = time.process_time() - t
    t = time.process_time()
    E.verify(root, KEY[1])
    times["verify"] = time.process_time() - t
    t = time.process_time()
    E.read_package(root, payloads)
    times["read"] = time.process_time() - t
    return times


def _attribute_bomb(n: int) -> bytes:
    attrs = " ".join(f'a{i}="x"' for i in range(n))
    return f'<edXML:edXML xmlns:edXML="{E.NS}"><edXML:e {attrs}/></edXML:edXML>'.encode()


def _namespace_bomb(n: int) -> bytes:
    decls = " ".join(f'xmlns:p{i}="urn:{i}"' for i in range(n))
    return f'<edXML:edXML xmlns:edXML="{E.NS}" {decls}/>'.encode()


def cases(quick: bool) -> Iterator[tuple[str, str, Callable[[], bytes]]]:
    mbs = (2, 4, 8) if quick else (4, 8, 16, 32, 64)
    for mb in mbs:
        yield "files (3 of them)", f"{mb} MB", lambda mb=mb: _signed(
            [E.FilePart(f"f{i}.pdf", os.urandom(mb * 1024 * 1024 // 3), content_id=f"file{i + 1}") for i in range(3)])
    # Up to the cap on everything but the files (MAX_MARKUP_CHARS), and one step over it.
    for n in ((250, 500, 1000) if quick else (250, 500, 1000, 1900, 4000)):
        yield "signed elements, 1 KB text", str(n), lambda n=n: _signed([], _elements(n, 0, 1000))
    for n in ((30, 60, 120) if quick else (15, 30, 60, 120, 250)):
        yield "signed elements, 16 × 1 KB attributes", str(n), lambda n=n: _signed([], _elements(n, E.MAX_ATTRIBUTES, 1000))
    for n in ((50_000, 100_000, 200_000) if quick else (50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000)):
        yield "attributes on one element (refused)", str(n), lambda n=n: _attribute_bomb(n)
    for n in ((10_000, 20_000, 40_000) if quick else (10_000, 20_000, 40_000, 80_000)):
        yield "namespace declarations (refused)", str(n), lambda n=n: _namespace_bomb(n)


KEY = _key_and_cert()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller inputs")
    args = p.parse_args(argv)
    print(f"{'input':40} {'size':>10} {'bytes':>12} {'parse':>9} {'verify':>9} {'read':>8}  outcome (CPU seconds)")
    for label, size, make in cases(args.quick):
        data = make()
        best: dict = {}
        for _ in range(3):  # the best of three: the machine is shared
            t = _steps(data)
            best = t if not best else {k: min(v, best[k]) if isinstance(v, float) else v for k, v in t.items()}
        cols = [f"{best[k]:9.3f}" if k in best else f"{'':>9}" for k in ("parse", "verify", "read")]
        print(f"{label:40} {size:>10} {len(data):>12} {cols[0]} {cols[1]} {cols[2][1:]}  {best.get('refused', 'accepted')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
