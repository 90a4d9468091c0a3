"""edXML packages (QCVN 102:2016): building, signing, parsing safely, verifying.

A package is

    <edXML:edXML xmlns:edXML="NS">                 the document root
      <edXML:edXMLEnvelope>                        what is signed (XML-DSig, exclusive C14N)
        <edXML:edXMLHeader>
          <edXML:MessageHeader> From, To, Code, PromulgationInfo, DocumentType, Subject,
              SignerInfo, DueDate, OtherInfo (Priority, PageAmount), DocumentId
          <edXML:TraceHeaderList> TraceHeader (OrganId, Timestamp), Bussiness (BussinessDocType…)
          <ds:Signature>
        <edXML:edXMLBody>
          <edXML:edXMLManifest> one Reference per file, with its SHA-256
      <edXML:AttachmentEncoded> the files, base64 (bound to the signature by the manifest digests)

and a status message has `edXML:Status` (ResponseFor, From, StatusCode, Description, Timestamp,
StaffInfo) in place of MessageHeader/TraceHeaderList and no body. Strict in what we send,
tolerant but safe in what we accept: unknown elements are ignored, limits are not.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import cryptography.exceptions
import pybase64
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

MAX_DEPTH = 32
MAX_ELEMENTS = 5000
MAX_FILES = 50
MAX_TEXT = 64 * 1024  # any element's text but a file's content (the longest header field is far shorter)
# An element of a package has at most three attributes (XML-DSig's Id, URI, Algorithm; the
# TraceHeaderList's id) and declares one or two namespaces. The caps leave room for other
# systems' extras, and stop what is expensive further on: lxml sets an element's attributes one
# by one, each looking through those already set, so n attributes cost n² (40,000: 34 s).
MAX_ATTRIBUTES = 16  # per element, namespace declarations not counted
MAX_ATTRIBUTE_CHARS = 1024  # one attribute's value (the longest we write is an algorithm URI)
MAX_NAME_CHARS = 512  # an element's or attribute's name with its namespace URI
MAX_NAMESPACES = 8  # declarations on one element
MAX_NAMESPACES_TOTAL = 64  # declarations in the whole document
# Everything but the files' content (names, attributes, text): a package's header and manifest
# are a few KB. signxml serialises and re-parses the envelope several times over (linear, but
# about 0.1 s a MB), so this also bounds what checking a signature may cost.
MAX_MARKUP_CHARS = 2 * 1024 * 1024
CHUNK = 256 * 1024

# The standard's document type table is not certain: our symbols travel in TypeName's company.
PRIORITIES = (0, 1, 2, 3)


class PackageError(Exception):
    """A package that is not acceptable; `code` says why (snake_case, for logs and answers)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | int | None = None) -> etree._Element:
    el = etree.SubElement(parent, q(tag))
    if text is not None:
        el.text = str(text)
    return el


def fmt_date(d: date | None) -> str:
    return d.strftime("%Y/%m/%d") if d else ""


def parse_date(text: str | None) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise PackageError("invalid_date", f"invalid date {text[:20]!r}")


def fmt_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_timestamp(text: str | None) -> datetime:
    text = (text or "").strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(text, "%Y/%m/%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise PackageError("invalid_timestamp", "invalid Timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def document_id(sender_code: str, issued: date, number: int | str, notation: str) -> str:
    """`{sender code},{yyyy/MM/dd},{number}/{symbol}` — the key a package is de-duplicated by."""
    return f"{sender_code},{fmt_date(issued)},{number}/{notation}"


# --- what travels ----------------------------------------------------------------------------------


@dataclass
class Party:
    code: str
    name: str = ""


@dataclass
class FilePart:
    name: str
    data: bytes
    content_type: str = "application/pdf"
    description: str = ""
    content_id: str = ""
    # Its SHA-256 (hex) when the caller knows it already (a stored file is kept under it), so that
    # a package does not hash its files again; the receiver checks it against the bytes.
    sha256: str = ""


@dataclass
class Package:
    message_id: str
    sender: Party
    recipient: Party
    code_number: str
    code_notation: str
    issued_date: date
    place: str
    type_code: str
    type_name: str
    subject: str
    signer_authority: str
    signer_position: str
    signer_name: str
    due_date: date | None
    priority: int
    page_count: int
    timestamp: datetime
    business_type: int = 0
    business_reason: str = ""
    staff_name: str = ""
    files: list[FilePart] = field(default_factory=list)
    # Never sent by us; read when another system marks a package: each text and attribute value
    # of every SecurityLevel or Confidentiality element in the header, whole. The receiver lets
    # the package in only when all are ordinary (documents.classification.check_marking).
    markings: tuple[str, ...] = ()

    @property
    def document_id(self) -> str:
        return document_id(self.sender.code, self.issued_date, self.code_number, self.code_notation)


@dataclass
class StatusMessage:
    message_id: str
    sender: Party  # who reports (the recipient of the document)
    recipient: Party  # the document's issuer
    document_id: str
    code_number: str
    code_notation: str
    issued_date: date | None
    status_code: str
    description: str
    timestamp: datetime
    staff_name: str = ""
    staff_department: str = ""


# The recipient's incoming number, written at the head of a 03 status's Description: edXML has no
# element for it, and a sender that does not know this convention shows the text as it is.
_INCOMING_NUMBER = re.compile(r"^Số đến: (\d{1,9})\.")


def incoming_number_note(number: int) -> str:
    return f"Số đến: {number}."


def incoming_number_in(description: str) -> int | None:
    m = _INCOMING_NUMBER.match(description or "")
    return int(m.group(1)) if m else None


# Who handles it, at the head of a 04 status's Description, as the incoming number on a 03: the
# sender shows the recipient's main handler. The leader's instructions follow only when shared.
_HANDLER = re.compile(r"^Người chủ trì: ([^\n]{1,150}?)\.(?:\s|$)")


def handler_note(name: str) -> str:
    return f"Người chủ trì: {name}." if name else ""


def handler_in(description: str) -> str:
    m = _HANDLER.match(description or "")
    return m.group(1).strip() if m else ""


def new_message_id() -> str:
    return str(uuid.uuid4())


# --- building ----------------------------------------------------------------------------------------


def _root() -> tuple[etree._Element, etree._Element, etree._Element]:
    # One prefix for the one namespace, declared once: a default namespace beside it would make
    # lxml drop the prefix on re-serialisation and change what exclusive C14N signs.
    root = etree.Element(q("edXML"), nsmap={PREFIX: NS})
    envelope = etree.SubElement(root, q("edXMLEnvelope"))
    header = _sub(envelope, "edXMLHeader")
    return root, envelope, header


def _party(parent: etree._Element, tag: str, p: Party) -> None:
    el = _sub(parent, tag)
    _sub(el, "OrganId", p.code)
    _sub(el, "OrganName", p.name)


def _placeholder(header: etree._Element) -> None:
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})


def build_package(pkg: Package, *, content_marker: str = "") -> etree._Element:
    """The unsigned package tree (call `sign` next). With `content_marker`, each file's content
    is `{marker}{index}.` instead of its base64 (see `signed_package`)."""
    root, envelope, header = _root()
    mh = _sub(header, "MessageHeader")
    _party(mh, "From", pkg.sender)
    _party(mh, "To", pkg.recipient)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", pkg.code_number)
    _sub(code, "CodeNotation", pkg.code_notation)
    prom = _sub(mh, "PromulgationInfo")
    _sub(prom, "Place", pkg.place)
    _sub(prom, "PromulgationDate", fmt_date(pkg.issued_date))
    dtype = _sub(mh, "DocumentType")
    _sub(dtype, "Type", pkg.type_code)
    _sub(dtype, "TypeName", pkg.type_name)
    _sub(mh, "Subject", pkg.subject)
    signer = _sub(mh, "SignerInfo")
    _sub(signer, "Competence", pkg.signer_authority)
    _sub(signer, "Position", pkg.signer_position)
    _sub(signer, "FullName", pkg.signer_name)
    _sub(mh, "DueDate", fmt_date(pkg.due_date))
    other = _sub(mh, "OtherInfo")
    _sub(other, "Priority", pkg.priority)
    _sub(other, "PageAmount", pkg.page_count)
    _sub(mh, "DocumentId", pkg.document_id)
    trace = _sub(header, "TraceHeaderList")
    trace.set("id", pkg.message_id)
    th = _sub(trace, "TraceHeader")
    _sub(th, "OrganId", pkg.sender.code)
    _sub(th, "Timestamp", fmt_timestamp(pkg.timestamp))
    biz = _sub(trace, "Bussiness")
    _sub(biz, "BussinessDocType", pkg.business_type)
    _sub(biz, "BussinessDocReason", pkg.business_reason)
    staff = _sub(biz, "StaffInfo")
    _sub(staff, "Staff", pkg.staff_name)
    _sub(biz, "Paper", 0)
    _placeholder(header)
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for i, f in enumerate(pkg.files):
        cid = f.content_id or f"file{i + 1}"
        ref = _sub(manifest, "Reference")
        _sub(ref, "Description", f.description)
        _sub(ref, "AttachmentName", f.name)
        _sub(ref, "ContentType", f.content_type)
        _sub(ref, "ContentId", f"cid:{cid}")
        _sub(ref, "DigestSHA256", f.sha256 or hashlib.sha256(f.data).hexdigest())
        _sub(ref, "Size", len(f.data))
        att = _sub(encoded, "Attachment")
        _sub(att, "ContentType", f.content_type)
        _sub(att, "ContentId", cid)
        _sub(att, "Description", f.description)
        _sub(att, "ContentTransferEncoded", f"{content_marker}{i}." if content_marker else base64.b64encode(f.data).decode("ascii"))
        _sub(att, "AttachmentName", f.name)
    return root


def build_status(msg: StatusMessage) -> etree._Element:
    root, _envelope, header = _root()
    st = _sub(header, "Status")
    st.set("id", msg.message_id)
    rf = _sub(st, "ResponseFor")
    _sub(rf, "OrganId", msg.recipient.code)
    _sub(rf, "Code", f"{msg.code_number}/{msg.code_notation}")
    _sub(rf, "PromulgationDate", fmt_date(msg.issued_date))
    _sub(rf, "DocumentId", msg.document_id)
    _party(st, "From", msg.sender)
    _sub(st, "StatusCode", msg.status_code)
    _sub(st, "Description", msg.description)
    _sub(st, "Timestamp", fmt_timestamp(msg.timestamp))
    staff = _sub(st, "StaffInfo")
    _sub(staff, "Department", msg.staff_department)
    _sub(staff, "Staff", msg.staff_name)
    _placeholder(header)
    return root


# --- signing ------------------------------------------------------------------------------------------


def sign(root: etree._Element, key, cert: x509.Certificate) -> bytes:
    """Sign the envelope (enveloped XML-DSig, exclusive C14N, RSA-SHA256 or ECDSA-SHA256)."""
    envelope = root.find(q("edXMLEnvelope"))
    method = SignatureMethod.ECDSA_SHA256 if isinstance(key, ec.EllipticCurvePrivateKey) else SignatureMethod.RSA_SHA256
    signer = XMLSigner(signature_algorithm=method, digest_algorithm=DigestAlgorithm.SHA256, c14n_algorithm=EXC_C14N)
    signed = signer.sign(copy.deepcopy(envelope), key=key, cert=[cert])
    root.replace(envelope, signed)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def signed_package(pkg: Package, key, cert: x509.Certificate) -> bytes:
    """`sign(build_package(pkg), key, cert)`, byte for byte, but each file's base64 goes straight
    into the output rather than through a text node and a serialisation: building an 80 MB
    package then costs about twice its size in memory instead of about five times. The files
    are outside the signed envelope, so they can be put in after signing."""
    marker = f"vanthu-file-{uuid.uuid4().hex}-"
    data = sign(build_package(pkg, content_marker=marker), key, cert)
    view, parts, at = memoryview(data), [], 0
    for i, f in enumerate(pkg.files):
        token = f"{marker}{i}.".encode()
        found = data.index(token, at)
        parts += [view[at:found], pybase64.b64encode(f.data)]  # SIMD: a quarter of the stdlib's time
        at = found + len(token)
    parts.append(view[at:])
    return b"".join(parts)


# --- parsing safely -----------------------------------------------------------------------------------


class _Builder:
    """Parser target: builds the tree as lxml would, with the limits checked at every event, and
    (when asked) each attachment's base64 decoded as it streams in, never held as text.

    libxml2 caps one text node at 10 MB (a 7.5 MB file) when it builds the tree itself; handing
    the events to this target instead leaves every other libxml2 limit on (`huge_tree` stays
    off) while a file's content goes to its decoder in pieces of the parser's size.
    """

    def __init__(self, payloads: dict[str, bytes] | None, decoded: dict[str, bytes] | None = None) -> None:
        self._tree = etree.TreeBuilder()
        self._payloads = payloads
        # Files already decoded from the raw bytes (`_lift_payloads`), by the placeholder that
        # stands in the text for each: used only where that placeholder is a payload's whole text.
        self._lifted = decoded or {}
        self._payload_tag, self._attachment_tag = q("ContentTransferEncoded"), q("Attachment")
        self._depth = self._count = self._text = self._namespaces = self._markup = 0
        self._in_attachment = False  # inside edXML › AttachmentEncoded › Attachment
        self._in_payload = False  # inside its ContentTransferEncoded
        self._decoding: _Base64Sink | None = None  # …and decoding it (with `payloads`)
        self._decoded: bytes | None = None  # the last one, until its Attachment ends

    def start(self, tag: str, attrib: dict, nsmap: dict | None = None) -> etree._Element:
        if self._in_payload:
            raise PackageError("element_in_attachment", "an element inside an attachment's content")
        self._depth += 1
        self._count += 1
        self._text = 0
        if self._depth > MAX_DEPTH:
            raise PackageError("too_deep", f"nesting deeper than {MAX_DEPTH}")
        if self._count > MAX_ELEMENTS:
            raise PackageError("too_many_elements", f"more than {MAX_ELEMENTS} elements")
        # Before the element is made (what costs n² is making it): libxml2 has read the start tag
        # in linear time, and lxml has handed us its attributes as a dict.
        self._check_element(tag, attrib, nsmap)
        if tag == self._attachment_tag and self._depth == 3:
            self._in_attachment, self._decoded = True, None
        elif tag == self._payload_tag and self._in_attachment and self._depth == 4:
            self._in_payload = True
            self._decoding = _Base64Sink(self._lifted) if self._payloads is not None else None
        try:
            return self._tree.start(tag, attrib, nsmap) if nsmap else self._tree.start(tag, attrib)
        except ValueError as exc:  # what libxml2 lets through and lxml does not ("p:" undeclared, a URI with a space)
            raise PackageError("malformed_xml", f"malformed XML: {str(exc)[:200]}") from None

    def _check_element(self, tag: str, attrib: dict, nsmap: dict | None) -> None:
        if len(attrib) > MAX_ATTRIBUTES:
            raise PackageError("too_many_attributes", f"an element with more than {MAX_ATTRIBUTES} attributes")
        if len(tag) > MAX_NAME_CHARS:
            raise PackageError("name_too_long", f"a name longer than {MAX_NAME_CHARS} characters")
        size = len(tag)
        for name, value in attrib.items():
            if len(name) > MAX_NAME_CHARS:
                raise PackageError("name_too_long", f"a name longer than {MAX_NAME_CHARS} characters")
            if len(value) > MAX_ATTRIBUTE_CHARS:
                raise PackageError("attribute_too_long", f"an attribute longer than {MAX_ATTRIBUTE_CHARS} characters")
            size += len(name) + len(value)
        self._count_markup(size)
        if nsmap:
            self._namespaces += len(nsmap)
            if len(nsmap) > MAX_NAMESPACES or self._namespaces > MAX_NAMESPACES_TOTAL:
                raise PackageError("too_many_namespaces", "too many namespace declarations")
            if any(len(uri) > MAX_NAME_CHARS for uri in nsmap.values()):
                raise PackageError("name_too_long", f"a namespace longer than {MAX_NAME_CHARS} characters")

    def data(self, text: str) -> None:
        if self._in_payload:  # a file's content: as large as the body cap allows
            if self._decoding is not None:
                self._decoding.feed(text)
            else:
                self._tree.data(text)
            return
        self._text += len(text)  # an element's text, or text between elements
        if self._text > MAX_TEXT:
            raise PackageError("text_too_long", f"an element's text is longer than {MAX_TEXT} characters")
        self._count_markup(len(text))
        self._tree.data(text)

    def _count_markup(self, size: int) -> None:
        self._markup += size
        if self._markup > MAX_MARKUP_CHARS:
            raise PackageError("markup_too_large", f"more than {MAX_MARKUP_CHARS} characters besides the files' content")

    def end(self, tag: str) -> etree._Element:
        self._depth -= 1
        self._text = 0
        self._in_payload = False
        if self._decoding is not None:
            self._decoded, self._decoding = self._decoding.close(), None
        el = self._tree.end(tag)
        if tag == self._attachment_tag and self._depth == 2:
            self._in_attachment = False
        if self._payloads is not None and tag == self._attachment_tag and self._depth == 2:
            cid = _text(el, "E:ContentId", limit=128)
            if cid in self._payloads:
                raise PackageError("duplicate_attachment", f"attachment {cid[:40]} appears twice")
            if len(self._payloads) >= MAX_FILES:
                raise PackageError("too_many_files", "too many files")
            self._payloads[cid] = self._decoded if self._decoded is not None else b""
            self._decoded = None
        return el

    def doctype(self, *_args) -> None:
        raise PackageError("dtd_forbidden", "a DOCTYPE is not accepted")

    def close(self) -> etree._Element | None:
        # lxml calls this also when parsing stopped (our refusal, or libxml2's error): then the
        # tree is incomplete and that error, not "missing end tags", is the one to report.
        try:
            return self._tree.close()
        except etree.XMLSyntaxError:
            return None


class _Base64Sink:
    """Decodes base64 given in pieces: whitespace (line breaks) ignored, anything else outside
    the alphabet refused; each piece decoded as far as whole groups of four go."""

    def __init__(self, lifted: dict[str, bytes] | None = None) -> None:
        self._out = bytearray()
        self._rest = ""
        self._lifted = lifted or {}
        self._seen = ""  # the text so far while it may still be a placeholder of a lifted file

    def feed(self, text: str) -> None:
        if self._lifted and self._seen is not None:
            self._seen += text
            if len(self._seen) <= _PLACEHOLDER_MAX:
                return
            text, self._seen = self._seen, None  # longer than any placeholder: real base64
        text = self._rest + "".join(text.split())
        whole = len(text) - len(text) % 4
        self._rest = text[whole:]
        if whole:
            self._decode(text[:whole])

    def _decode(self, text: str) -> None:
        try:
            self._out += base64.b64decode(text, validate=True)
        except ValueError:
            raise PackageError("bad_base64", "an attachment is not base64") from None

    def close(self) -> bytes:
        if self._lifted and self._seen is not None:
            seen, self._seen = self._seen, None
            if seen in self._lifted:
                return self._lifted.pop(seen)  # once: a placeholder repeated elsewhere finds nothing
            self.feed(seen)
        if self._rest:
            self._decode(self._rest)  # not a whole group of four: refused as not base64
        return bytes(self._out)


# A file's content as the sender writes it: a ContentTransferEncoded element without attributes
# holding nothing but base64 and line breaks. The prefix is any (or none); the closing tag is
# looked for with the same one.
_PAYLOAD_START = re.compile(rb"<((?:[A-Za-z_][A-Za-z0-9_.\-]{0,63}:)?)ContentTransferEncoded>")
_BASE64_WHITESPACE = b" \t\r\n"
_PLACEHOLDER_MAX = 64
_LIFT_AT_LEAST = 4096  # smaller contents are not worth it: the parser's own path takes them


def _strict_base64(text: memoryview) -> bytes | None:
    """Base64 with line breaks or spaces at most (as `_Base64Sink` takes it), decoded; else None."""
    try:
        return binascii.a2b_base64(text, strict_mode=True)  # the usual case: one unbroken line
    except binascii.Error:
        pass
    try:
        return binascii.a2b_base64(bytes(text).translate(None, _BASE64_WHITESPACE), strict_mode=True)
    except binascii.Error:
        return None


def _lift_payloads(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """Take the files' base64 out of the raw bytes before parsing, decoded in one C call each.

    Through the parser, every byte of a file would be decoded from UTF-8 to text, handed to
    Python in pieces, split on whitespace and decoded from base64 piece by piece: most of the
    time a package takes to read. Each content that is only base64 (and whitespace) is replaced
    by a placeholder of random letters, and the decoded bytes are kept under it; the parser then
    reads a document of a few KB with every check as before. A placeholder is used only where the
    parsed tree has it as the whole text of an attachment's content (a "payload" the regular
    expression found in a comment or elsewhere is simply never used), and the manifest's digests,
    inside the signed envelope, still bind every file to the signature. Anything else (an
    attribute on the element, CDATA, a character reference, a byte outside base64) is left in
    place for the parser's own path, which decodes or refuses it as before.
    """
    nonce = secrets.token_hex(12)
    parts: list[bytes | memoryview] = []
    lifted: dict[str, bytes] = {}
    view, at = memoryview(data), 0
    for m in _PAYLOAD_START.finditer(data):
        if m.start() < at:
            continue  # inside a content already lifted (it cannot be: base64 has no "<")
        begin = m.end()
        end = data.find(b"</" + m.group(1) + b"ContentTransferEncoded>", begin)
        if end < 0 or end - begin < _LIFT_AT_LEAST:
            continue
        decoded = _strict_base64(view[begin:end])
        if decoded is None:
            continue  # not plain base64: the parser's path refuses it with the usual error
        placeholder = f"vanthu.{nonce}.{len(lifted)}"
        lifted[placeholder] = decoded
        parts += [view[at:begin], placeholder.encode("ascii")]
        at = end
    if not lifted:
        return data, {}
    parts.append(view[at:])
    return b"".join(parts), lifted


def parse(data: bytes, *, payloads: dict[str, bytes] | None = None) -> etree._Element:
    """Parse untrusted bytes: UTF-8 only, no DTD at all (so no entities, internal or external),
    no network, bounded depth, element count, attributes, namespaces and text, checked while
    parsing so that a hostile document stops early, and in time linear in its size (the caps are
    checked on each start tag before lxml builds the element).

    With `payloads`, each attachment is decoded as it streams in and put there by its ContentId;
    the tree keeps its ContentTransferEncoded empty (`read_package(root, payloads)` uses them).
    Without, the tree keeps the base64 text (as lxml would, but for files of any size).
    """
    at = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # UTF-8's byte order mark, which some systems write
    head = data[at:at + 64].lstrip()
    if not (head.startswith(b"<?xml") or head.startswith(b"<")) or b"\x00" in data[:64] or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # UTF-16 or UTF-32 would hide a DOCTYPE from the byte check below.
        raise PackageError("not_xml", "not an XML document (UTF-8 expected)")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise PackageError("dtd_forbidden", "a DOCTYPE or ENTITY declaration is not accepted")
    lifted: dict[str, bytes] = {}
    if payloads is not None:
        data, lifted = _lift_payloads(data)
    builder = _Builder(payloads, lifted)
    # encoding= overrides what the document declares: a declared UTF-7 would otherwise hide a
    # DOCTYPE ("+ADw-!DOCTYPE") from the byte check above.
    parser = etree.XMLParser(target=builder, encoding="utf-8", resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_pis=True, remove_comments=True)
    try:
        for start in range(at, len(data), CHUNK):
            parser.feed(data[start:start + CHUNK])
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # libxml2's own limit can trip inside one chunk, before ours
            raise PackageError("too_deep", f"nesting deeper than {MAX_DEPTH}") from None
        raise PackageError("malformed_xml", f"malformed XML: {str(exc)[:200]}") from None
    return root


def verify(root: etree._Element, cert: x509.Certificate) -> None:
    """Check the envelope's signature against the peer organisation's pinned certificate."""
    envelope = root.find(q("edXMLEnvelope"))
    if envelope is None:
        raise PackageError("no_envelope", "edXMLEnvelope missing")
    signatures = envelope.findall(f"{q('edXMLHeader')}/{{{DS}}}Signature")
    if not signatures:
        raise PackageError("unsigned", "the envelope is not signed")
    # signxml checks every Reference (each one canonicalises what it points to, the whole
    # envelope for URI="") before it counts them: a signature of a thousand references would cost
    # a thousand canonicalisations. Ours has one, with two transforms (enveloped, exclusive C14N).
    references = signatures[0].findall(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if len(signatures) != 1 or len(references) != 1 or len(references[0].findall(f"{{{DS}}}Transforms/{{{DS}}}Transform")) > 2:
        raise PackageError("bad_signature", "one signature with one reference and at most two transforms expected")
    config = SignatureConfiguration(
        location=f"./{q('edXMLHeader')}/",
        signature_methods=frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        result = XMLVerifier().verify(copy.deepcopy(envelope), x509_cert=cert, expect_config=config)
    except (SignXMLException, cryptography.exceptions.InvalidSignature, etree.LxmlError, ValueError, TypeError) as exc:
        # signxml's own refusals, and what its steps raise on a signature that is not one: the
        # schema check (DocumentInvalid), an unknown algorithm (ValueError), a missing value (TypeError).
        raise PackageError("bad_signature", f"envelope signature invalid: {str(exc)[:200]}") from None
    # What was signed must be the envelope itself (URI=""), not some other element.
    if etree.QName(result.signed_xml).localname != "edXMLEnvelope":
        raise PackageError("bad_signature", "the signature does not cover the envelope")


def _text(el: etree._Element | None, path: str, *, limit: int = 2000) -> str:
    if el is None:
        return ""
    found = el.find(path.replace("E:", f"{{{NS}}}"))
    if found is None or found.text is None:
        return ""
    return found.text.strip()[:limit]


MARKING_ELEMENTS = frozenset({"securitylevel", "confidentiality"})


def markings(header: etree._Element) -> tuple[str, ...]:
    """Each text and attribute value of every marking element anywhere in the header, in any
    namespace and letter case, untruncated: a marking nested, split or padded is still seen."""
    found: list[str] = []
    for el in header.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname.lower() in MARKING_ELEMENTS:
            found.extend(el.itertext())
            found.extend(el.attrib.values())
    return tuple(found)


def message_kind(root: etree._Element) -> str:
    if etree.QName(root).namespace != NS or etree.QName(root).localname != "edXML":
        raise PackageError("not_edxml", "root element is not edXML")
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    if header is None:
        raise PackageError("no_header", "edXMLHeader missing")
    if header.find(q("Status")) is not None:
        return "status"
    if header.find(q("MessageHeader")) is not None:
        return "package"
    raise PackageError("unknown_message", "neither MessageHeader nor Status")


def read_package(root: etree._Element, payloads: dict[str, bytes] | None = None) -> Package:
    """The signed envelope's content, and the attachments checked against the manifest digests."""
    pkg = read_header(root)
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    pkg.files = _attachments(root, header.getparent().find(f"{q('edXMLBody')}/{q('edXMLManifest')}"), payloads)
    return pkg


def read_header(root: etree._Element) -> Package:
    """What the envelope says of the document, without its files (PackageError if it cannot be
    read). Trust it only once `verify` passed: a refusal reads it to tell the sender which document."""
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    mh = header.find(q("MessageHeader"))
    trace = header.find(q("TraceHeaderList"))
    if trace is None:
        raise PackageError("no_trace", "TraceHeaderList missing")
    try:
        priority = int(_text(mh, "E:OtherInfo/E:Priority") or 0)
        business = int(_text(trace, "E:Bussiness/E:BussinessDocType") or 0)
        pages = int(_text(mh, "E:OtherInfo/E:PageAmount") or 0)
    except ValueError:
        raise PackageError("invalid_number", "Priority, PageAmount or BussinessDocType is not a number") from None
    if priority not in PRIORITIES or business not in (0, 1, 2, 3):
        raise PackageError("invalid_code", "unknown Priority or BussinessDocType")
    issued = parse_date(_text(mh, "E:PromulgationInfo/E:PromulgationDate"))
    if issued is None:
        raise PackageError("no_date", "PromulgationDate missing")
    pkg = Package(
        message_id=(trace.get("id") or "")[:64],
        sender=Party(_text(mh, "E:From/E:OrganId", limit=35), _text(mh, "E:From/E:OrganName", limit=255)),
        recipient=Party(_text(mh, "E:To/E:OrganId", limit=35), _text(mh, "E:To/E:OrganName", limit=255)),
        code_number=_text(mh, "E:Code/E:CodeNumber", limit=16), code_notation=_text(mh, "E:Code/E:CodeNotation", limit=48),
        issued_date=issued, place=_text(mh, "E:PromulgationInfo/E:Place", limit=64),
        type_code=_text(mh, "E:DocumentType/E:Type", limit=16), type_name=_text(mh, "E:DocumentType/E:TypeName", limit=128),
        subject=_text(mh, "E:Subject"), signer_authority=_text(mh, "E:SignerInfo/E:Competence", limit=128),
        signer_position=_text(mh, "E:SignerInfo/E:Position", limit=128), signer_name=_text(mh, "E:SignerInfo/E:FullName", limit=128),
        due_date=parse_date(_text(mh, "E:DueDate")), priority=priority, page_count=pages,
        timestamp=parse_timestamp(_text(trace, "E:TraceHeader/E:Timestamp")), business_type=business,
        business_reason=_text(trace, "E:Bussiness/E:BussinessDocReason"),
        staff_name=_text(trace, "E:Bussiness/E:StaffInfo/E:Staff", limit=150),
        markings=markings(header),
    )
    if not pkg.message_id:
        raise PackageError("no_message_id", "TraceHeaderList id missing")
    if not pkg.sender.code or not pkg.recipient.code or not pkg.code_number:
        raise PackageError("incomplete_header", "From, To or Code missing")
    stated = _text(mh, "E:DocumentId", limit=255)
    if stated and stated != pkg.document_id:
        raise PackageError("document_id_mismatch", "DocumentId does not match From, PromulgationDate and Code")
    return pkg


def _attachments(root: etree._Element, manifest: etree._Element | None, payloads: dict[str, bytes] | None = None) -> list[FilePart]:
    refs = [] if manifest is None else manifest.findall(q("Reference"))
    if len(refs) > MAX_FILES:
        raise PackageError("too_many_files", "too many files")
    if payloads is None:  # a tree parsed with the files' text kept in it
        payloads = {}
        for att in root.findall(f"{q('AttachmentEncoded')}/{q('Attachment')}"):
            cid = _text(att, "E:ContentId", limit=128)
            if cid in payloads:
                raise PackageError("duplicate_attachment", f"attachment {cid[:40]} appears twice")
            sink = _Base64Sink()
            sink.feed(att.findtext(q("ContentTransferEncoded")) or "")
            payloads[cid] = sink.close()
    files = []
    for ref in refs:
        cid = _text(ref, "E:ContentId", limit=128).removeprefix("cid:")
        data = payloads.get(cid)
        if data is None:
            raise PackageError("missing_attachment", f"attachment {cid} missing")
        # The manifest is inside the signed envelope: its digest binds the bytes to the signature.
        if hashlib.sha256(data).hexdigest() != _text(ref, "E:DigestSHA256", limit=64).lower():
            raise PackageError("attachment_digest_mismatch", f"attachment {cid} was changed")
        files.append(FilePart(name=_text(ref, "E:AttachmentName", limit=255) or f"{cid}.pdf", data=data,
                              content_type=_text(ref, "E:ContentType", limit=64), description=_text(ref, "E:Description", limit=255),
                              content_id=cid))
    return files


def read_status(root: etree._Element) -> StatusMessage:
    st = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('Status')}")
    code = _text(st, "E:ResponseFor/E:Code", limit=80)
    number, _sep, notation = code.partition("/")
    msg = StatusMessage(
        message_id=(st.get("id") or "")[:64],
        sender=Party(_text(st, "E:From/E:OrganId", limit=35), _text(st, "E:From/E:OrganName", limit=255)),
        recipient=Party(_text(st, "E:ResponseFor/E:OrganId", limit=35)),
        document_id=_text(st, "E:ResponseFor/E:DocumentId", limit=255), code_number=number, code_notation=notation,
        issued_date=parse_date(_text(st, "E:ResponseFor/E:PromulgationDate")),
        status_code=_text(st, "E:StatusCode", limit=2), description=_text(st, "E:Description"),
        timestamp=parse_timestamp(_text(st, "E:Timestamp")), staff_name=_text(st, "E:StaffInfo/E:Staff", limit=150),
        staff_department=_text(st, "E:StaffInfo/E:Department", limit=150),
    )
    if not msg.message_id or not msg.document_id or not msg.sender.code:
        raise PackageError("incomplete_status", "Status without id, DocumentId or From")
    return msg


def sender_code(root: etree._Element) -> str:
    """Who says they sent it, read before the signature is checked (to pick the certificate)."""
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    return _text(header, "E:MessageHeader/E:From/E:OrganId", limit=35) or _text(header, "E:Status/E:From/E:OrganId", limit=35)
