"""Extra content that upper apps carry in a document's package, and take back out on arrival.

The exchange knows documents only; an app above it (membership: a party member's record with
the transfer letter) may need a document's package to carry more. Rather than a second
transport, the app registers here, in its AppConfig.ready():

* a **provider** `fn(delivery) -> list[edxml.FilePart]`, asked when a new document's package
  (business type 0) is built for a recipient at a peer: each part becomes one more attachment,
  listed and digested in the signed manifest like the files;
* a **handler** for a name prefix, `fn(data: bytes, *, delivery, sender, peer)`, called inside
  the receiving transaction, after the document has entered, for each attachment whose name
  starts with `EXTRA_PREFIX` + that prefix. It may raise a `VanThuError` to refuse the whole
  package (nothing is then written).

Attachments named with `EXTRA_PREFIX` never become files of the received document (they may
hold what the document's readers must not see); one nobody here handles is dropped and logged.
This module imports nothing of the apps that use it (the layers of ARCHITECTURE.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from . import edxml

log = logging.getLogger(__name__)
EXTRA_PREFIX = "vanthu-extra-"

Provider = Callable[..., list[edxml.FilePart]]
Handler = Callable[..., None]
_providers: list[Provider] = []
_handlers: dict[str, Handler] = {}


def register_package_extra(fn: Provider) -> None:
    if fn not in _providers:
        _providers.append(fn)


def register_received_extra(prefix: str, fn: Handler) -> None:
    _handlers[prefix] = fn


def for_delivery(delivery) -> list[edxml.FilePart]:
    """The extra attachments of a new document's package for this delivery's recipient."""
    parts: list[edxml.FilePart] = []
    for fn in _providers:
        for part in fn(delivery):
            if not part.name.startswith(EXTRA_PREFIX):
                raise ValueError(f"an extra attachment's name must start with {EXTRA_PREFIX}")
            parts.append(part)
    return parts


def split(files: list[edxml.FilePart]) -> tuple[list[edxml.FilePart], list[edxml.FilePart]]:
    """(the document's own files, the extras) of a received package."""
    own = [f for f in files if not f.name.startswith(EXTRA_PREFIX)]
    return own, [f for f in files if f.name.startswith(EXTRA_PREFIX)]


def received(parts: list[edxml.FilePart], *, delivery, sender, peer) -> None:
    """Hand each extra to its handler, in the receiving transaction."""
    for part in parts:
        name = part.name.removeprefix(EXTRA_PREFIX)
        handler = next((fn for prefix, fn in _handlers.items() if name.startswith(prefix)), None)
        if handler is None:
            log.warning("exchange: extra attachment %s of delivery %s has no handler here; dropped", part.name[:80], delivery.pk)
            continue
        handler(part.data, delivery=delivery, sender=sender, peer=peer)
