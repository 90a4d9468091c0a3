"""pyHanko's PDF reader, reading hexadecimal strings in one pass instead of byte by byte.

Every signature's /Contents is a hexadecimal string of tens of thousands of digits (the CMS
object, its certificates and timestamp token, and the reserved padding). pyHanko 0.38 reads one
with a Python call per digit, so listing a file's signatures (`reader.embedded_signatures`)
costs about 10 ms per signature: three quarters of re-timestamping an archived file, and much of
checking a received one. `install()` replaces the reader's function with one that finds the
closing `>` and decodes the digits with `binascii`, and falls back to pyHanko's own for anything
but plain digits and whitespace (a comment, a truncated stream, a stray character), so that what
is read, and every error, stays pyHanko's.
"""

from __future__ import annotations

import binascii
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

_PLAIN = re.compile(rb"<[0-9A-Fa-f \n\r\t\f\x00]*>")
_CHUNK = 1 << 16
_pyhanko_read = generic.read_hex_string_from_stream


def read_hex_string(stream):
    """The string object starting at the stream's `<`, the stream left after its `>`."""
    start = stream.tell()
    data = bytearray()
    while chunk := stream.read(_CHUNK):
        end = chunk.find(b">")
        if end >= 0:
            data += chunk[: end + 1]
            break
        data += chunk
    if not _PLAIN.fullmatch(data):
        stream.seek(start)
        return _pyhanko_read(stream)
    stream.seek(start + len(data))
    digits = bytes(data[1:-1]).translate(None, PDF_WHITESPACE)
    if len(digits) % 2:
        digits += b"0"  # a final odd digit is followed by 0 (ISO 32000-1, 7.3.4.3)
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    # generic.read_object calls the module's function by its global name, so replacing it there
    # serves every reader in the process.
    generic.read_hex_string_from_stream = read_hex_string
