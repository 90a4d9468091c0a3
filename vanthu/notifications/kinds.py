"""The kinds of notification, each with its Vietnamese label and the channel people get by default.

Apps register theirs in `AppConfig.ready()`:

    kinds.register("assigned", _("Được phân công xử lý văn bản"), default=Channel.EMAIL)

`notify()` refuses a kind nobody registered, and the preferences page lists every registered one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    APP = "app", _("Chỉ trong hệ thống")
    EMAIL = "email", _("Gửi thư điện tử ngay")
    DIGEST = "digest", _("Gửi thư tổng hợp mỗi ngày một lần")


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    default: str


_KINDS: dict[str, Kind] = {}


def register(kind: str, label: str | Promise, *, default: str = Channel.APP) -> Kind:
    """Declare a kind (idempotent: `ready()` may run twice)."""
    if not kind or len(kind) > 48 or not kind.replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"bad notification kind {kind!r}")
    if default not in Channel.values:
        raise ValueError(f"bad default channel {default!r}")
    _KINDS[kind] = found = Kind(kind, label, str(default))
    return found


def get(kind: str) -> Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"notification kind {kind!r} is not registered (kinds.register in the app's ready())") from None


def label(kind: str) -> str:
    found = _KINDS.get(kind)
    return str(found.label) if found else kind


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: str(k.label))
