"""edXML packages: the structure of the standard's sample, signatures, and the hardened parser."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from vanthu.documents.pdfgen import make_pdf
from vanthu.exchange import edxml as E

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

# Element order in the published sample of QCVN 102:2016 (names as the sample spells them,
# "Bussiness" included). Our packages may add elements, never reorder these.
SAMPLE_MESSAGE_HEADER = ["From", "To", "Code", "PromulgationInfo", "DocumentType", "Subject", "SignerInfo", "DueDate", "OtherInfo", "DocumentId"]
SAMPLE_PARTY = ["OrganId", "OrganName"]
SAMPLE_CODE = ["CodeNumber", "CodeNotation"]
SAMPLE_PROMULGATION = ["Place", "PromulgationDate"]
SAMPLE_TRACE = ["TraceHeader", "Bussiness"]
SAMPLE_BUSINESS = ["BussinessDocType", "BussinessDocReason", "StaffInfo", "Paper"]
SAMPLE_REFERENCE = ["Description", "AttachmentName", "ContentType", "ContentId"]
SAMPLE_ATTACHMENT = ["ContentType", "ContentId", "Description", "ContentTransferEncoded", "AttachmentName"]


def _key_and_cert(kind: str = "rsa"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Đảng ủy Khối")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return key, cert


def _package(**kw) -> E.Package:
    fields = dict(
        message_id=E.new_message_id(), sender=E.Party("000.00.31.H26", "Đảng ủy Khối"), recipient=E.Party("000.00.00.H26", "Thành ủy Hà Nội"),
        code_number="15", code_notation="CV/ĐUK", issued_date=dt.date(2026, 11, 28), place="Hà Nội", type_code="CV", type_name="Công văn",
        subject="Về việc triển khai chuyển đổi số", signer_authority="T/M BAN THƯỜNG VỤ", signer_position="Bí thư",
        signer_name="Đỗ Văn Hùng", due_date=dt.date(2026, 12, 15), priority=2, page_count=1, timestamp=dt.datetime.now(dt.UTC),
        files=[E.FilePart("congvan.pdf", make_pdf([["Văn bản chính"]])), E.FilePart("phuluc.pdf", make_pdf([["Phụ lục"]]))],
    )
    fields.update(kw)
    return E.Package(**fields)


def _names(el) -> list[str]:
    return [etree.QName(c).localname for c in el if isinstance(c.tag, str)]


def _in_order(expected: list[str], actual: list[str]) -> bool:
    """`expected` appears in `actual` in the same order (extra elements allowed between)."""
    it = iter(actual)
    return all(name in it for name in expected)


@pytest.fixture(scope="module")
def signed() -> tuple[bytes, x509.Certificate]:
    key, cert = _key_and_cert()
    return E.sign(E.build_package(_package()), key, cert), cert


def test_package_follows_the_standard_sample_structure(signed):
    data, _cert = signed
    root = etree.fromstring(data)
    # One namespace, and every element of it written with the edXML: prefix.
    for el in root.iter():
        if etree.QName(el).namespace == NS:
            assert el.prefix == "edXML", el.tag
    assert data.count(b"xmlns:edXML=") == 1 and b'xmlns="' not in data
    assert etree.QName(root).localname == "edXML"
    assert _names(root) == ["edXMLEnvelope", "AttachmentEncoded"]
    envelope = root[0]
    assert _names(envelope) == ["edXMLHeader", "edXMLBody"]
    header = envelope[0]
    assert _names(header) == ["MessageHeader", "TraceHeaderList", "Signature"]
    mh = header.find(f"{{{NS}}}MessageHeader")
    assert _in_order(SAMPLE_MESSAGE_HEADER, _names(mh))
    assert _names(mh.find(f"{{{NS}}}From")) == SAMPLE_PARTY
    assert _names(mh.find(f"{{{NS}}}Code")) == SAMPLE_CODE
    assert _names(mh.find(f"{{{NS}}}PromulgationInfo")) == SAMPLE_PROMULGATION
    assert _names(mh.find(f"{{{NS}}}OtherInfo"))[0] == "Priority"
    trace = header.find(f"{{{NS}}}TraceHeaderList")
    assert _names(trace) == SAMPLE_TRACE
    assert _names(trace.find(f"{{{NS}}}Bussiness")) == SAMPLE_BUSINESS
    manifest = envelope.find(f"{{{NS}}}edXMLBody/{{{NS}}}edXMLManifest")
    for ref in manifest:
        assert _in_order(SAMPLE_REFERENCE, _names(ref))
    for att in root.find(f"{{{NS}}}AttachmentEncoded"):
        assert _names(att) == SAMPLE_ATTACHMENT
    # Values as the standard writes them.
    assert mh.findtext(f"{{{NS}}}DocumentId") == "000.00.31.H26,2026/11/28,15/CV/ĐUK"
    assert mh.findtext(f"{{{NS}}}PromulgationInfo/{{{NS}}}PromulgationDate") == "2026/11/28"
    assert mh.findtext(f"{{{NS}}}DueDate") == "2026/12/15"
    assert mh.findtext(f"{{{NS}}}OtherInfo/{{{NS}}}Priority") == "2"
    assert trace.findtext(f"{{{NS}}}Bussiness/{{{NS}}}BussinessDocType") == "0"


def test_status_message_structure():
    key, cert = _key_and_cert("ec")
    msg = E.StatusMessage(message_id=E.new_message_id(), sender=E.Party("000.00.00.H26", "Thành ủy"), recipient=E.Party("000.00.31.H26"),
                          document_id="000.00.31.H26,2026/11/28,15/CV/ĐUK", code_number="15", code_notation="CV/ĐUK",
                          issued_date=dt.date(2026, 11, 28), status_code="03", description="Đã tiếp nhận",
                          timestamp=dt.datetime.now(dt.UTC), staff_name="Nguyễn Thị Hà")
    root = E.parse(E.sign(E.build_status(msg), key, cert))
    E.verify(root, cert)
    status = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/{{{NS}}}Status")
    assert _names(status) == ["ResponseFor", "From", "StatusCode", "Description", "Timestamp", "StaffInfo"]
    back = E.read_status(root)
    assert (back.status_code, back.document_id, back.staff_name) == ("03", msg.document_id, "Nguyễn Thị Hà")


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_signed_package_round_trips(kind):
    key, cert = _key_and_cert(kind)
    pkg = _package()
    root = E.parse(E.sign(E.build_package(pkg), key, cert))
    E.verify(root, cert)
    back = E.read_package(root)
    assert back.document_id == pkg.document_id and back.subject == pkg.subject and back.priority == 2
    assert [f.data for f in back.files] == [f.data for f in pkg.files]


def test_changed_subject_or_other_key_fails_verification(signed):
    data, cert = signed
    with pytest.raises(E.PackageError) as exc:
        E.verify(E.parse(data.replace("triển khai".encode(), b"trien khai")), cert)
    assert exc.value.code == "bad_signature"
    _key, other = _key_and_cert()
    with pytest.raises(E.PackageError):
        E.verify(E.parse(data), other)


def test_changed_attachment_fails_the_manifest_digest(signed):
    data, cert = signed
    i = data.index(b"<edXML:ContentTransferEncoded>") + 100
    changed = data[:i] + (b"A" if data[i:i + 1] != b"A" else b"B") + data[i + 1:]
    root = E.parse(changed)
    E.verify(root, cert)  # the files are outside the signed envelope…
    with pytest.raises(E.PackageError) as exc:
        E.read_package(root)  # …and bound to it by the signed digests
    assert exc.value.code == "attachment_digest_mismatch"


@pytest.mark.parametrize("body,code", [
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', "dtd_forbidden"),
    (b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', "dtd_forbidden"),
    (b"<a>" * 1000 + b"</a>" * 1000, "too_deep"),
    (b"<r>" + b"<a/>" * (E.MAX_ELEMENTS + 1) + b"</r>", "too_many_elements"),
    (b"\xff\xfe<\x00a\x00", "not_xml"),
    # UTF-16 without a byte order mark: the DOCTYPE would not be seen by a byte search.
    ('<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'.encode("utf-16-le"), "not_xml"),
    (b"<a><b></a>", "malformed_xml"),
    # The huge tree a large file needs does not let any other text grow: in an element, or between two.
    (b"<r><s>" + b"x" * (E.MAX_TEXT + 1) + b"</s></r>", "text_too_long"),
    (b"<r><s/>" + b"x" * (E.MAX_TEXT + 1) + b"<t/></r>", "text_too_long"),
    (b"<r><s>" + b"x" * (11 * 1024 * 1024) + b"</s></r>", "text_too_long"),
    (b"<a>" * 100_000 + b"</a>" * 100_000, "too_deep"),
])
def test_hostile_documents_are_refused(body, code):
    with pytest.raises(E.PackageError) as exc:
        E.parse(body)
    assert exc.value.code == code


def test_a_file_larger_than_libxml2s_text_cap_round_trips():
    """A 12 MB file is 16 MB of base64 in one text node: more than libxml2 allows by default."""
    import os

    key, cert = _key_and_cert()
    big = make_pdf([["Phụ lục"]]) + os.urandom(12 * 1024 * 1024)  # bytes after %%EOF: still the same bytes to carry
    data = E.signed_package(_package(files=[E.FilePart("phuluc.pdf", big)]), key, cert)
    files: dict[str, bytes] = {}
    root = E.parse(data, payloads=files)
    E.verify(root, cert)
    assert root.find(f"{{{NS}}}AttachmentEncoded/{{{NS}}}Attachment/{{{NS}}}ContentTransferEncoded").text is None  # taken out
    assert [f.data for f in E.read_package(root, files).files] == [big]
    assert [f.data for f in E.read_package(E.parse(data)).files] == [big]  # and without taking them out as it goes


def _attachment_xml(content: bytes) -> bytes:
    return (b'<edXML:edXML xmlns:edXML="' + NS.encode() + b'"><edXML:AttachmentEncoded><edXML:Attachment>'
            b"<edXML:ContentId>file1</edXML:ContentId><edXML:ContentTransferEncoded>" + content +
            b"</edXML:ContentTransferEncoded></edXML:Attachment></edXML:AttachmentEncoded></edXML:edXML>")


@pytest.mark.parametrize("content,code", [
    (b"QUJD<x/>REVG", "element_in_attachment"),
    (b"QUJD!!!!", "bad_base64"),
    (b"QUJDR", "bad_base64"),  # not a whole group of four
])
def test_attachment_content_is_base64_and_nothing_else(content, code):
    with pytest.raises(E.PackageError) as exc:
        E.parse(_attachment_xml(content), payloads={})
    assert exc.value.code == code


def test_attachment_content_may_be_wrapped_in_lines():
    files: dict[str, bytes] = {}
    E.parse(_attachment_xml(b"QUJD\r\nREVG\n  R0hJ\n"), payloads=files)
    assert files == {"file1": b"ABCDEFGHI"}


def test_a_large_file_taken_out_before_parsing_reads_the_same_as_through_the_parser():
    # Files of a few KB and more are decoded from the raw bytes before the parser sees them:
    # wrapped in lines or not, the bytes are the same, and anything but base64 is still refused.
    import base64
    import os

    data = os.urandom(30_000)
    one_line = base64.b64encode(data)
    wrapped = b"\r\n".join(one_line[i:i + 76] for i in range(0, len(one_line), 76))
    for content in (one_line, wrapped, b"\n  " + wrapped + b"\n"):
        files: dict[str, bytes] = {}
        E.parse(_attachment_xml(content), payloads=files)
        assert files == {"file1": data}
    for bad in (one_line[:-8] + b"!!!!!!!!", one_line + b"A", one_line[:5000] + b"&#65;" + one_line[5000:]):
        with pytest.raises(E.PackageError) as exc:
            E.parse(_attachment_xml(bad), payloads={})
        assert exc.value.code == "bad_base64"


def test_a_files_content_hidden_in_a_comment_is_never_taken_for_the_file():
    import base64
    import os

    real, decoy = os.urandom(9_000), os.urandom(9_000)
    body = _attachment_xml(base64.b64encode(real)).replace(
        b"<edXML:AttachmentEncoded>",
        b"<!-- <edXML:ContentTransferEncoded>" + base64.b64encode(decoy) + b"</edXML:ContentTransferEncoded> -->"
        b"<edXML:AttachmentEncoded>")
    files: dict[str, bytes] = {}
    E.parse(body, payloads=files)
    assert files == {"file1": real}


def test_signed_package_streams_the_files_into_the_same_bytes():
    key, cert = _key_and_cert("rsa")  # RSA PKCS#1 v1.5 signatures are deterministic: the bytes can be compared
    files = [E.FilePart(f"tep{i}.pdf", make_pdf([[f"Tệp {i}"]]), content_id=f"file{i + 1}") for i in range(12)]
    pkg = _package(files=files)
    assert E.signed_package(pkg, key, cert) == E.sign(E.build_package(pkg), key, cert)
