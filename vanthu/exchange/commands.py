"""What the `vanthu` command's exchange subcommands do (peer add, edxml export/import, demo sites)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings

from vanthu.accounts.actions import relax_policy_for_demo
from vanthu.documents.models import Delivery
from vanthu.signatures.ca import ensure_demo_ca

from .actions import add_peer
from .demo_city import seed_city
from .models import OutboxMessage
from .packages import package_for
from .receiving import receive


def prepare_demo_site(site: str, *, password: str) -> list[str] | None:
    """`vanthu demo --site`: the City tree for `city`; both get the demo CA's certificates,
    which every organisation needs to sign its packages."""
    lines = None

    relax_policy_for_demo()  # the demo requires two-factor of nobody, so that it stays easy to try
    if site == "city":

        lines = seed_city(password=password)

    ensure_demo_ca()
    return lines


def peer_add(url: str, *, trust_roots: bool, inbound_secret: str = "", outbound_secret: str = "") -> int:

    peer = add_peer(url, trust_roots=trust_roots, inbound_secret=inbound_secret, outbound_secret=outbound_secret)
    codes = list(peer.organizations.values_list("organization__code", "organization__name"))
    print(f"Đã đăng ký hệ thống liên thông / peer registered: {peer.name} ({peer.endpoint})")
    for code, name in codes:
        print(f"  {code}  {name}")
    if not (peer.inbound_secret and peer.outbound_secret):
        print("Cảnh báo / warning: chưa có khóa xác thực gói tin với hệ thống này (hệ thống kia không công bố exchange_key):"
              " gói tin của nó sẽ bị từ chối cho tới khi có khóa (--inbound-secret, --outbound-secret) /"
              " no MAC key for this peer: what it posts is refused until keys are set.", file=sys.stderr)
    return 0


def edxml_export(document_id: int, path: str, *, recipient: str = "") -> int:
    """Write the signed package of an issued document for one recipient at a peer (USB stick)."""

    deliveries = Delivery.objects.filter(document_id=document_id, recipient__remote__isnull=False).select_related("recipient")
    if recipient:
        deliveries = deliveries.filter(recipient__code=recipient.upper())
    deliveries = list(deliveries)
    if len(deliveries) != 1:
        codes = ", ".join(d.recipient.code for d in deliveries) or "-"
        print(f"Cần đúng một nơi nhận ở hệ thống liên thông (--recipient CODE); có: {codes}", file=sys.stderr)
        return 2
    d = deliveries[0]
    # The pending outbox row's message id: if the network comes back and the package is also
    # posted, the recipient recognises it and keeps one record.
    row = OutboxMessage.objects.filter(delivery=d, kind="package", business_type=0).order_by("id").first()
    import uuid

    message_id = str(row.message_id) if row else str(uuid.uuid4())
    Path(path).write_bytes(package_for(d, message_id=message_id))
    print(f"{path}: {d.document.symbol} → {d.recipient.code}")
    return 0


def _read_package_file(path: str, cap: int) -> bytes | None:
    """The file's bytes, at most cap + 1 of them; None (with the reason on stderr) when it
    cannot be read: missing, a directory or a device, not allowed."""
    p = Path(path)
    try:
        if not p.exists():
            problem = "không tìm thấy tệp / no such file"
        elif not p.is_file():  # a directory, or a device or pipe that might never end
            problem = "không phải là một tệp / not a regular file"
        else:
            with p.open("rb") as fh:
                return fh.read(cap + 1)
    except PermissionError:
        problem = "không có quyền đọc tệp / permission denied"
    except OSError as exc:
        problem = f"không đọc được tệp / cannot read the file ({exc.strerror or type(exc).__name__})"
    print(f"Không nhập được gói tin / cannot import: {path}: {problem}", file=sys.stderr)
    return None


def edxml_import(path: str) -> int:
    """Receive a package from a file, with every check the network endpoint makes."""

    cap = settings.VANTHU_EXCHANGE_MAX_BODY_MB * 1024 * 1024
    data = _read_package_file(path, cap)
    if data is None:
        return 2
    if len(data) > cap:
        print(json.dumps({"status": "refused", "error": {"code": "package_too_large"}}))
        return 1
    answer = receive(data, peer=None, site="file", remote_addr=str(path)[:64], by_hand=True)
    print(json.dumps(answer.body, ensure_ascii=False))
    return 0 if answer.http_status == 200 else 1

