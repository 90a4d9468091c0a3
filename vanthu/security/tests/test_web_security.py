"""Headers, the production profile, CSRF on every form, stored XSS, odd file names, SQL
metacharacters in search, and a lower role calling a higher role's action."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from vanthu.audit.models import AuditEntry
from vanthu.documents import actions
from vanthu.documents.models import Document
from vanthu.errors import VanThuError
from vanthu.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _templates() -> list[Path]:
    return [p for p in (ROOT / "vanthu").rglob("*.html") if "templates" in p.parts]


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in _templates():
        text = path.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in m.group(1):
                offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{path}: javascript: URL")
    assert not offenders, offenders


def test_pages_carry_a_policy_without_inline_script(world):
    c = Client()
    c.force_login(world.a.clerk)
    r = c.get("/")
    csp = r["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    # The login page too, before anyone signs in.
    assert "script-src 'self'" in Client().get("/login/")["Content-Security-Policy"]


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    # A production server starts clean: no test settings, and not the browser tests' async switch.
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({
        "VANTHU_DATA_DIR": str(tmp_path), "VANTHU_HTTPS": "1", "VANTHU_DEBUG": "0",
        "VANTHU_SECRET_KEY": secrets.token_urlsafe(64), "VANTHU_ALLOWED_HOSTS": "vanthu.example.vn",
    })
    out = subprocess.run([sys.executable, "-m", "vanthu.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_a_pdf_is_shown_inline_with_nosniff_and_framable_only_by_us(world):
    doc = f.draft(world.a.org, world.a.specialist, [world.b.org])
    sha = doc.files.first().file_id
    c = Client()
    c.force_login(world.a.specialist)
    r = c.get(f"/api/v1/files/{sha}")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf" and r["Content-Disposition"].startswith("inline")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in r["Content-Security-Policy"]


def _post_urls() -> list[str]:
    """Every page address (ids filled with 1), except the API and the peer endpoint."""
    urls: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                if full.startswith(("api/", "exchange/", "admin/", "static/")) or "<path:" in full or "(?P" in full:
                    continue
                urls.append("/" + re.sub(r"<(?:int|str|slug):[a-z_]+>", "1", full).replace("^", "").replace("$", ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


def test_every_form_refuses_a_post_without_the_csrf_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.a.clerk)
    urls = _post_urls()
    assert "/login/" in urls and "/inbox/1/accept/" in urls and len(urls) > 15
    let_through = [u for u in urls if c.post(u, {"x": "1"}).status_code != 403]
    assert let_through == []


@pytest.fixture
def hostile(world):
    """A document whose subject, notes, names and file name are all attempts at script."""
    world.a.specialist.full_name = XSS
    world.a.specialist.save()
    doc = actions.create_draft(
        user=world.a.specialist, organization=world.a.org, doc_type="CV", subject="Về việc " + XSS,
        recipient_ids=[world.b.org.id], main_file=f.upload(name="../../etc/passwd<script>.pdf"),
    )
    return doc


def test_stored_script_in_subjects_names_and_file_names_is_shown_as_text(world, hostile):
    c = Client()
    c.force_login(world.a.specialist)
    for url in ("/", "/documents/", f"/documents/{hostile.id}/"):
        r = c.get(url)
        assert r.status_code == 200, url
        page = r.content.decode()
        assert "<script>alert" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", ""), url
        if url.endswith(f"{hostile.id}/"):
            assert "&lt;script&gt;alert(" in page


@pytest.mark.parametrize("name", [
    "../../../etc/passwd.pdf", "..\\..\\windows\\win.ini.pdf", "/abs/path.pdf", "tệp\u202egnp.pdf",
    "a\x00b.pdf", "CON.pdf", "💥" * 100 + ".pdf", "\u0301\u0301.pdf", "",
])
def test_odd_file_names_never_reach_the_file_system(world, name, tmp_path):
    from django.conf import settings

    before = {p for p in Path(settings.FILES_DIR).rglob("*")} if Path(settings.FILES_DIR).exists() else set()
    try:
        doc = actions.create_draft(user=world.a.specialist, organization=world.a.org, doc_type="CV",
                                   subject="Tên tệp lạ", recipient_ids=[world.b.org.id], main_file=f.upload(name=name))
    except Exception as exc:  # refused with a clear error is fine

        assert isinstance(exc, VanThuError), exc
        return
    after = {p for p in Path(settings.FILES_DIR).rglob("*")}
    for p in after - before:
        assert Path(settings.FILES_DIR) in p.parents
        assert re.fullmatch(r"[0-9a-f]{2,64}", p.name), p  # stored by hash, never by the given name
    assert Document.objects.filter(id=doc.id).exists()


@pytest.mark.parametrize("q", ["' OR 1=1 --", "\"; DROP TABLE documents_document; --", "%_%", "\\", "') UNION SELECT password FROM accounts_user --", "*", "NEAR(", "\x00"])
def test_sql_metacharacters_in_search_are_plain_text(world, api_as, q):
    f.draft(world.a.org, world.a.specialist, [world.b.org])
    api = api_as(world.a.specialist)
    r = api.get("/api/v1/search", q=q)
    assert r.status_code in (200, 422), r.content
    if r.status_code == 200:
        assert all("password" not in str(item) for item in r.json()["items"])
    assert Document.objects.count() == 1


def test_a_specialist_calling_a_leaders_action_is_refused_and_audited(world, api_as):
    doc = f.draft(world.a.org, world.a.specialist, [world.b.org])
    actions.submit_document(doc, user=world.a.specialist)
    api = api_as(world.a.specialist)
    r = api.post(f"/api/v1/documents/{doc.id}/approve")
    assert r.status_code == 403
    doc.refresh_from_db()
    assert doc.status == "submitted"
    denied = AuditEntry.objects.get(action="permission_denied", actor=world.a.specialist)
    assert denied.data["path"] == f"/api/v1/documents/{doc.id}/approve"
    # The page's button does the same.
    c = Client()
    c.force_login(world.a.specialist)
    assert c.post(f"/documents/{doc.id}/approve/").status_code == 403
    doc.refresh_from_db()
    assert doc.status == "submitted"
