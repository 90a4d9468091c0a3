"""Long-term validation evidence for signed PDFs (PAdES B-LT, then B-LTA), with pyHanko.

`secure(data)` returns the PDF with, as incremental updates after the signed revisions (which
stay byte-identical, so the signatures stay intact):
  1. for every signature: the chain of its certificate and the CRLs/OCSP answers that show it
     was not revoked (the Document Security Store, with a VRI entry per signature): B-LT;
  2. an RFC 3161 document timestamp over all of it, with its own chain and revocation data: B-LTA.
`renew(data)` adds the last timestamp's validation data and a new document timestamp, before
that timestamp's certificate expires or its algorithm is deprecated (`tasks.renew_due`).
`validate(data, at=…)` checks every signature as of a moment (ten years on, say, when every
certificate in it has expired), from the evidence in the file: ETSI EN 319 102-1's long-term
validation, as pyHanko implements it.

Never inside a transaction: the timestamp authority and the CRL/OCSP responders are asked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from dataclasses import dataclass

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    add_validation_info,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager

from vanthu.signatures import tsaclient
from vanthu.signatures.models import TrustRoot

DOC_TIMESTAMP = "/DocTimeStamp"
FETCH_TIMEOUT = 10


class NoTimestampAuthority(RuntimeError):
    """VANTHU_TSA_URL is not set: evidence cannot be made (documents stay as they are)."""


@dataclass(frozen=True)
class Stamped:
    data: bytes
    timestamp_at: dt.datetime
    timestamp_expires: dt.datetime
    timestamps: int


def timestamper() -> TimeStamper:
    """The TSA of VANTHU_TSA_URL, with VANTHU_TSA_USERNAME/VANTHU_TSA_PASSWORD when it asks for them."""
    client = tsaclient.configured()
    if client is None:
        raise NoTimestampAuthority("VANTHU_TSA_URL is not set")
    return client


def trust_roots() -> list[asn1_x509.Certificate]:
    """The configured trust roots and intermediates (the signatures app's, read here once per call)."""
    return [asn1_x509.Certificate.load(bytes(der)) for der in TrustRoot.objects.enabled().values_list("certificate_der", flat=True)]


def gathering_context(roots: list, *, moment: dt.datetime | None = None, fetch: bool = True) -> ValidationContext:
    """The context evidence is gathered with: every certificate that names a CRL or an OCSP
    responder must be answered (hard-fail), from the trust roots given."""
    return ValidationContext(trust_roots=roots, allow_fetching=fetch, revocation_mode="hard-fail", moment=moment,
                             fetcher_backend=RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT))


def _signatures(data: bytes) -> tuple[list, list]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sigs = reader.embedded_signatures
    return [s for s in sigs if s.sig_object_type != DOC_TIMESTAMP], [s for s in sigs if s.sig_object_type == DOC_TIMESTAMP]


_CONTENTS = re.compile(rb"/Contents\s*<([0-9a-fA-F]+)>")


def _last_timestamp(data: bytes) -> tuple[dt.datetime, dt.datetime, int]:
    """(time, its certificate's expiry, how many) of the document timestamps just added.

    Read from the last signature dictionary's /Contents (the timestamp just written is the last
    one in the file) rather than by parsing the whole PDF again, which costs more than the rest."""
    last = list(_CONTENTS.finditer(data))[-1]
    token = cms.ContentInfo.load(bytes.fromhex(last.group(1).decode()), strict=False)  # its zero padding ignored
    signed = token["content"]
    gen_time = signed["encap_content_info"]["content"].parsed["gen_time"].native
    sid = signed["signer_infos"][0]["sid"].chosen
    certs = [c.chosen for c in signed["certificates"] if c.name == "certificate"]
    cert = next((c for c in certs if c.issuer_serial == sid.native or (
        c.issuer == sid["issuer"] and c.serial_number == sid["serial_number"].native)), certs[0])
    return gen_time, cert.not_valid_after, data.count(b"/DocTimeStamp")


def secure(data: bytes, *, ts: TimeStamper | None = None, roots: list | None = None) -> Stamped:
    """B-LT then B-LTA: validation data for every signature, then a document timestamp."""
    ts = ts or timestamper()
    roots = roots if roots is not None else trust_roots()
    out = data
    sigs, _stamps = _signatures(out)
    for index in range(len(sigs)):
        sig = _signatures(out)[0][index]  # re-read: each addition is a new revision
        buf = io.BytesIO()
        add_validation_info(sig, gathering_context(roots), in_place=False, output=buf)
        out = buf.getvalue()
    writer = IncrementalPdfFileWriter(io.BytesIO(out), strict=False)
    buf = io.BytesIO()
    PdfTimeStamper(ts).timestamp_pdf(writer, "sha256", validation_context=gathering_context(roots), output=buf)
    out = buf.getvalue()
    return Stamped(out, *_last_timestamp(out))


class LastTimestampInvalid(ValueError):
    """The file's last document timestamp does not validate: chaining a new one over it would
    only hide that (the file is left as it is, and the failure logged for the archivist)."""


def renew(data: bytes, *, ts: TimeStamper | None = None, roots: list | None = None,
          context: ValidationContext | None = None) -> Stamped:
    """The last timestamp's validation data and a new document timestamp over everything, in
    one incremental update.

    pyHanko's `update_archival_timestamp_chain` does this and then reads the new file again to
    add the new timestamp's own chain as a second update; here that chain is left to the next
    renewal, which adds it before chaining, as it added the last one's (the newest timestamp of
    a B-LTA file is validated against current data anyway). `context`: one gathering context
    for a batch (`evidence.renew_due`), so that the authority's chain is validated, and its CRLs
    and OCSP answers fetched, once a batch rather than once a file."""
    ts = ts or timestamper()
    if b"/DocTimeStamp" not in data:
        return secure(data, ts=ts, roots=roots)
    context = context or gathering_context(roots if roots is not None else trust_roots())
    return asyncio.run(_renew(data, ts, context))  # one event loop for the file's steps


async def _renew(data: bytes, ts: TimeStamper, context: ValidationContext) -> Stamped:
    last = PdfFileReader(io.BytesIO(data), strict=False).embedded_timestamp_signatures[-1]
    # The timestamp covers the bytes up to it (its digest), its token is sound, and its
    # authority's chain leads to a trust root; the difference analysis of what came after it
    # (validation data only) is pyHanko's concern when validating, not here.
    status = await async_validate_pdf_timestamp(last, context, skip_diff=True)
    if not (status.intact and status.valid and status.trusted):
        raise LastTimestampInvalid(f"the last document timestamp does not validate: {status.summary()}")
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, last.pkcs7_content, paths=(status.validation_path,),
                                               validation_context=context)
    buf = io.BytesIO()
    await PdfTimeStamper(ts).async_timestamp_pdf(writer, status.md_algorithm, output=buf)
    out = buf.getvalue()
    return Stamped(out, *_last_timestamp(out))


# --- validating, as of any moment ----------------------------------------------------------------

@dataclass(frozen=True)
class LongTermResult:
    field: str
    valid: bool
    indication: str  # PASSED, INDETERMINATE or FAILED (ETSI EN 319 102-1)
    sub_indication: str
    best_signature_time: dt.datetime | None
    message: str = ""


def validate(data: bytes, *, at: dt.datetime, roots: list | None = None, fetch: bool = False) -> list[LongTermResult]:
    """Every signature as of `at`, from the file's own evidence (and fresh revocation data if `fetch`)."""
    roots = roots if roots is not None else trust_roots()
    revocation = RevocationCheckingPolicy(ee_certificate_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
                                          intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED)
    policy = CertValidationPolicySpec(trust_manager=SimpleTrustManager.build(trust_roots=roots),
                                      revinfo_policy=CertRevTrustPolicy(revocation_checking_policy=revocation))
    gathering = RevocationInfoGatheringSpec(fetcher_backend=RequestsFetcherBackend(per_request_timeout=FETCH_TIMEOUT)) if fetch else \
        RevocationInfoGatheringSpec()
    if not fetch:
        from pyhanko.sign.validation.policy_decl import (
            RevinfoOnlineFetchingRule,  # the enum, only for offline
        )

        gathering = RevocationInfoGatheringSpec(online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)
    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=policy, revinfo_gathering_policy=gathering))
    sigs, _stamps = _signatures(data)
    timing = ValidationTimingInfo(validation_time=at, best_signature_time=at, point_in_time_validation=False)

    async def run() -> list[LongTermResult]:
        out = []
        for sig in sigs:
            result = await ades_lta_validation(sig, spec, timing_info=timing)
            indication = result.ades_subindic.status.name
            sub = result.ades_subindic.name
            out.append(LongTermResult(sig.field_name or "", indication == "PASSED", indication, sub,
                                      getattr(result, "best_signature_time", None), result.failure_msg or ""))
        return out

    return asyncio.run(run())
