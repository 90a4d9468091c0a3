"""`vanthu archive …`: export and verify archival packages, renew long-term evidence.

Each prints, as its last line, one JSON object (what a script reads); exit status 0 only when
there was nothing wrong."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vanthu.organizations.models import Organization

from .package import export_package, verify_package


def archive_export(*, organization: str, directory: str, year: int | None = None, as_zip: bool = False) -> int:
    org = Organization.objects.filter(code=organization.strip().upper()).first()
    if org is None:
        print(f"Không có tổ chức mã {organization} / no organisation with code {organization}", file=sys.stderr)
        return 2
    target = Path(directory)
    if as_zip and target.suffix.lower() != ".zip":
        target = target.with_suffix(".zip")
    if target.exists():
        print(f"{target} đã có / already exists: choose a new path", file=sys.stderr)
        return 2
    result = export_package(org, target, year=year, as_zip=as_zip)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 1 if result.missing else 0


def archive_verify(package: str) -> int:
    report = verify_package(Path(package))
    for p in report["problems"]:
        print(f"{p['problem']}: {p['path']}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False))
    return 1 if report["problems"] else 0


def archive_renew(*, limit: int) -> int:
    """Re-timestamp now what the nightly task would (the files whose timestamp expires soonest)."""
    from .evidence import renew_due  # pyHanko's validation stack, for this command only

    result = renew_due(limit=limit)
    print(json.dumps(result))
    return 1 if result["failed"] else 0


def archive_tsa(*, host: str, port: int) -> int:
    """The demo's own RFC 3161 timestamp authority (certificate from the demo authority), until stopped."""
    from .tsa import TsaServer, demo_authority  # the server, for this command only

    server = TsaServer(demo_authority(), host=host, port=port)
    print(f"TSA: {server.url}  (VANTHU_TSA_URL={server.url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
