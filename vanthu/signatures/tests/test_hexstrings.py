"""The reader's one-pass hexadecimal strings read what pyHanko's own reads, and fail where it fails."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from vanthu.signatures import hexstrings

# Hex digits and PDF whitespace mostly, now and then a character a hex string may not hold, a
# comment, or a missing end.
_inside = st.lists(st.sampled_from(list(b"0123456789abcdefABCDEF \n\r\t\f\x00") + [ord("%"), ord("g"), ord("("), ord("<")]),
                   max_size=300).map(bytes)
_after = st.sampled_from([b">", b"> /Next 1", b">>", b"", b"\n>"])


def _outcome(read, raw: bytes):
    stream = io.BytesIO(raw)
    try:
        value = read(stream)
    except (PdfStreamError, ValueError) as e:
        return type(e).__name__, None
    return (type(value).__name__, bytes(value.original_bytes) if hasattr(value, "original_bytes") else bytes(value)), stream.tell()


@settings(max_examples=400, deadline=None)
@given(inside=_inside, after=_after)
def test_reads_as_pyhanko_reads(inside: bytes, after: bytes) -> None:
    raw = b"<" + inside + after
    assert _outcome(hexstrings.read_hex_string, raw) == _outcome(hexstrings._pyhanko_read, raw)


def test_a_signature_sized_string_is_read_in_one_pass_and_leaves_the_stream_after_it() -> None:
    digits = bytes(range(256)).hex().encode() * 120  # 61,440 digits, as a signature's /Contents
    stream = io.BytesIO(b"<" + digits + b"> /Type /Sig")
    value = hexstrings.read_hex_string(stream)
    assert bytes(value) == bytes(range(256)) * 120
    assert stream.read() == b" /Type /Sig"


def test_the_reader_uses_it() -> None:
    # Installed when the signatures app is ready (settings load every app in the test run).
    assert generic.read_hex_string_from_stream is hexstrings.read_hex_string
