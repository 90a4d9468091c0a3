"""Every page of the web UI, in English, says nothing in Vietnamese but the data (issue 16 §17).

Generated from the URL resolver, so that a page is covered the day it is added:
- every GET route of the pages is opened, with English chosen (the language cookie the header's
  switch sets), for every object of each kind the isolation world holds (one per state), by its
  administrator (every role in both organisations), and by the clerk, leader and specialist of
  the recipient organisation and the clerk and specialist of the sender; the error pages (403,
  404) and the account's steps that only a POST shows are opened the same way;
- what is left of each page's visible text and the attributes people read (title, placeholder,
  aria-label, alt, data-message…) once the data are taken out (every text stored in the
  database: names, subjects, notes, document types…) must hold no Vietnamese letter;
- a route that is neither visited nor exempted below, by name and with the reason, fails the
  coverage test. A route exempted as an action (POST only) is checked to refuse a GET.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pyotp
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from vanthu.direction.models import Schedule
from vanthu.documents.models import Delegation, DocumentShare, Signatory
from vanthu.migration import samples
from vanthu.migration.importer import run_import
from vanthu.migration.mapping import parse_mapping
from vanthu.migration.models import ImportRun, LegacyAttachment, RunStatus
from vanthu.migration.verify import verify_export
from vanthu.organizations.models import Organization
from vanthu.reports.actions import request_export
from vanthu.reports.svg import short_labels
from vanthu.signatures.signers import forget_signers
from vanthu.signatures.verify import forget_trust

from .isolation.world import World, build

pytestmark = pytest.mark.django_db  # each test in a savepoint of the world's transaction

# Whole parts of the URL space that are not pages of VanThu's web UI.
EXEMPT_PREFIXES = {
    "api/v1/": "the JSON API: errors are JSON objects, messages follow Accept-Language (tests/isolation)",
    "admin/": "Django's own admin site, for the installation's operators; translated by Django itself",
}

# Routes that are not pages, each with the reason. Nothing else may be left out.
EXEMPT = {
    "healthz": "a JSON probe for load balancers",
    "readyz": "a JSON probe for load balancers",
    "metrics": "Prometheus metrics, for monitoring",
    "exchange-identity": "a peer installation's JSON endpoint",
    "reports:export": "a file download (XLSX, PDF) or a redirect to the export's page, which is visited",
    "reports:download": "a file download",
    "audit:export": "a CSV download",
    "programme:certificate": "a PDF download",
    "migration:report": "a JSON or CSV download",
    "migration:attachment": "a file download (a Lotus Notes attachment)",
    "workflow:reply_file": "a file download (the PDF an incoming document was answered with)",
    "direction:feed": "an iCalendar feed for calendar programs",
    "accounts:sso_start": "a redirect to the organisation directory (single sign-on is off here)",
    "accounts:sso_callback": "the directory's redirect back; with no sign-in under way it only redirects",
    "notifications:open": "marks a notice read and redirects to what it is about (visited through its target)",
    "set_language": "Django's language switch, posted by the header's form (a GET only redirects); the browser test uses it",
}

# Actions: they change something and answer a POST only (checked: a GET gets 405).
POST_ONLY = {
    "exchange-inbox", "exchange-resend", "exchange-recall", "exchange-answer",
    "programme:save_inventory",
    "calendar:seed", "calendar:set_day", "calendar:remove_day",
    "archive:add_heading", "archive:add_entry", "archive:case_step", "archive:item_step", "archive:sign",
    "archive:decide",
    "notifications:read_all", "notifications:read",
    "direction:accept", "direction:report", "direction:extension", "direction:decide", "direction:review",
    "direction:make_feed", "direction:add_entry", "direction:cancel_entry",
    "direction:schedule_step",
    "membership:transfer", "membership:status", "membership:rank",
    "membership:transfer_accept", "membership:transfer_cancel",
    "signatures:reverify", "migration:verify",
    "web:logout", "accounts:sign_out_everywhere",
    "manage:person_active", "manage:person_password", "manage:person_two_factor",
    "documents:accept_many", "documents:share", "documents:withdraw_share", "documents:revoke_delegation",
    "documents:accept", "documents:submit", "documents:approve", "documents:return",
    "documents:issue",
    "workflow:start",
}

# Letters only Vietnamese uses among the languages written in Latin letters: ă â đ ê ô ơ ư and
# the vowels with a tone mark.
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)
# Attributes people read (or hear) as text.
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description", "data-message", "data-confirm",
                   "data-empty", "data-label", "label"}


# --- routes ----------------------------------------------------------------------------------------

def routes() -> list[tuple[str, str, list[str]]]:
    """(key, pattern, parameters) of every route outside the exempt prefixes; the key is the name
    ("namespace:name") or, for an unnamed route, its pattern."""
    found: list[tuple[str, str, list[str]]] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for p in resolver.url_patterns:
            pattern = prefix + str(p.pattern)
            if any(pattern.startswith(x) for x in EXEMPT_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p, pattern, ns)
            elif isinstance(p, URLPattern):
                key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else pattern
                found.append((key, pattern, list(p.pattern.regex.groupindex)))

    walk(get_resolver(), "", None)
    return found


def _values(w: World) -> dict[str, list]:
    """What each path parameter may be: the world's objects of that kind, one per state."""
    v: dict[str, list] = {k: [value for _label, value in vals] for k, vals in w.path_values.items()}
    v["year"] = [timezone.localdate().year]
    v["run_id"] = list(ImportRun.objects.order_by("id").values_list("id", flat=True))
    v["attachment_id"] = list(LegacyAttachment.objects.order_by("id").values_list("id", flat=True)[:1])
    v["schedule_id"] = [str(i) for i in Schedule.objects.order_by("id").values_list("id", flat=True)]
    v["job_id"] = [w.insider_job]
    v["person_id"] = [w.b.clerk.id, w.a.specialist.id]
    v["share_id"] = list(DocumentShare.objects.order_by("id").values_list("id", flat=True)[:1])
    v["delegation_id"] = list(Delegation.objects.order_by("id").values_list("id", flat=True)[:1])
    v["signatory_id"] = list(Signatory.objects.order_by("id").values_list("id", flat=True)[:2])
    return v


def urls_of(key: str, params: list[str], values: dict[str, list]) -> list[str]:
    if not params:
        return [reverse(key)]
    missing = [p for p in params if not values.get(p)]
    assert not missing, f"{key}: no value for {missing}; add them to _values"
    return [reverse(key, kwargs=dict(zip(params, combo, strict=True)))
            for combo in itertools.product(*(values[p] for p in params))]


# --- text ------------------------------------------------------------------------------------------

class _Text(HTMLParser):
    """The text a person reads on a page: text nodes and read attributes, outside <script>,
    <style> and any element marked as being in another language (lang="vi": the language switch)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    def _skipping(self) -> bool:
        return any(skip for _t, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skip = tag in ("script", "style") or (a.get("lang") not in (None, "en"))
        if not skip and not self._skipping():
            for name, value in attrs:
                if value and (name in READ_ATTRIBUTES or name.startswith("data-")
                              or (name == "value" and a.get("type") in ("submit", "button"))):
                    self.chunks.append(value)
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.chunks.append(data)


def page_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return [" ".join(c.split()) for c in parser.chunks]


def _strings(value) -> Iterator[str]:
    """The strings in a stored value (a JSON field's too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


class Data:
    """Every text stored in the database: what the pages show of it is data, in whole words, or
    cut short with an ellipsis."""

    def __init__(self) -> None:
        texts: set[str] = set()
        for model in apps.get_models():
            fields = [f.attname for f in model._meta.concrete_fields
                      if isinstance(f, models.CharField | models.TextField | models.JSONField)]
            if not fields:
                continue
            for row in model._base_manager.values_list(*fields):
                for value in _strings(list(row)):
                    if VIETNAMESE.search(value):
                        texts.add(" ".join(value.split()))
                        texts.update(" ".join(part.split()) for part in re.split(r"[\n,;:()]", value) if VIETNAMESE.search(part))
        # The charts' short names of organisations (reports/svg.py) are data too.
        names = list(Organization.objects.values_list("name", flat=True))
        texts.update(t for t in short_labels(names) + [label for n in names for label in short_labels([n])] if VIETNAMESE.search(t))
        texts.discard("")
        self.texts = sorted(texts, key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in self.texts)
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")

    def strip(self, text: str) -> str:
        if text.endswith("…") and any(t.startswith(text[:-1].rstrip()) for t in self.texts):
            return ""
        return self.pattern.sub(" ", text)


# Vietnamese names English writes as they are.
PROPER_NOUNS = re.compile(r"\b(?:Tết|Hùng)\b")


def vietnamese_left(html: str, data: Data) -> list[str]:
    left = []
    for chunk in page_text(html):
        rest = PROPER_NOUNS.sub(" ", data.strip(chunk))
        if VIETNAMESE.search(rest):
            left.append(chunk)
    return left


# --- the world, once for the module --------------------------------------------------------------

def _runs(w: World, tmp_dir: str) -> None:
    """Lotus Notes import runs as the administrator's page lists them: one done and verified, one
    waiting for the worker, one failed."""
    path = f"{tmp_dir}/b.dxl"
    with open(path, "wb") as fh:
        samples.write_export(fh, [samples.SampleNote(
            form="VanBanDen", unid=samples.unid(7, "runs"), note_id="7", created="20120305T101500,00+07",
            modified="20120305T101500,00+07", updated_by=["CN=Văn thư/O=B"],
            items=[samples.text("TrichYeu", "Về việc tổng kết công tác năm 2011")], files=[])])
    mapping = parse_mapping("")
    done = ImportRun.objects.create(organization=w.b.org, file_name="b.dxl", file_path=path, started_by=w.insider)
    run_import(path, organization=w.b.org, mapping=mapping, user=w.insider, run=done)
    ImportRun.objects.filter(pk=done.pk).update(verification=verify_export(path, organization=w.b.org, mapping=mapping))
    ImportRun.objects.create(organization=w.b.org, file_name="c.dxl", started_by=w.insider)
    ImportRun.objects.create(organization=w.b.org, file_name="d.dxl", started_by=w.insider, status=RunStatus.FAILED,
                             error="XML syntax error: line 1")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The isolation tests' world (every object of every app, in every state), built once inside a
    transaction rolled back at the end."""
    forget_signers()
    forget_trust()
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            w = build()
            w.insider_job = request_export(user=w.insider, kind="register_out", fmt="xlsx",
                                           params={"organization_id": w.a.org.id, "year": timezone.localdate().year}).id
            _runs(w, str(tmp_path_factory.mktemp("dxl")))
            yield w
        finally:
            transaction.set_rollback(True)
    forget_signers()
    forget_trust()


@pytest.fixture(scope="module")
def data(world, django_db_blocker) -> Data:
    with django_db_blocker.unblock():
        return Data()


def english(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


# --- the tests -------------------------------------------------------------------------------------

def test_every_route_is_visited_or_exempted_with_a_reason():
    keys = {key for key, _pattern, _params in routes()}
    unknown = sorted(keys - set(PAGES) - set(EXEMPT) - POST_ONLY)
    assert not unknown, f"routes neither visited in English nor exempted (add them to PAGES, EXEMPT or POST_ONLY): {unknown}"
    stale = sorted((set(PAGES) | set(EXEMPT) | POST_ONLY) - keys)
    assert not stale, f"listed routes that no longer exist: {stale}"
    assert not set(PAGES) & (set(EXEMPT) | POST_ONLY)


# Every page route, and what the visit expects of the administrator's GET: 200, or a redirect to
# another page (then followed, and that page checked too).
PAGES = {
    "web:home": 200, "web:login": 200, "web:choose_org": 200,
    "accounts:login_code": 302, "accounts:two_factor": 200, "accounts:change_password": 200,
    "accounts:account": 200, "accounts:recovery_codes": 200, "accounts:two_factor_policy": 200,
    "manage:people": 200, "manage:person": 200, "manage:person_new": 200,
    "manage:signatories": 200, "manage:signatory": 200, "manage:signatory_new": 200,
    "manage:organizations": 200, "manage:organization": 200,
    "documents:inbox": 200, "documents:inbox_row": 200, "documents:reject": 200, "documents:outgoing": 200, "documents:compose": 200,
    "documents:document": 200, "documents:edit": 200, "documents:register_outgoing": 200,
    "documents:register_incoming": 200, "documents:paper": 200,
    "workflow:assign": 200, "workflow:assignments": 200, "workflow:complete": 200, "documents:delegations": 200,
    "search:search": 200,
    "notifications:list": 200, "notifications:bell": 200, "notifications:preferences": 200,
    "reports:index": 302, "reports:bloc": 200, "reports:organization": 200, "reports:documents": 200,
    "reports:evaluation": 200, "reports:job": 200,
    "programme:index": 200, "programme:organization": 200, "programme:regulation_new": 200,
    "programme:regulation": 200, "programme:course_new": 200, "programme:course": 200,
    "programme:inspection_new": 200, "programme:inspection": 200,
    "audit:browse": 200,
    "calendar:index": 302, "calendar:year": 200, "calendar:preview": 200,
    "archive:index": 200, "archive:file_list": 200, "archive:case_file": 200, "archive:unfiled": 200,
    "archive:handovers": 200, "archive:handover": 200, "archive:requests": 200, "archive:disposal": 200,
    "direction:followup": 200, "direction:new": 200, "direction:my_tasks": 200, "direction:task": 200,
    "direction:directive": 200, "direction:schedule": 200, "direction:my_schedule": 200,
    "direction:edit_entry": 200, "direction:meetings": 200, "direction:new_meeting": 200, "direction:meeting": 200,
    "membership:list": 200, "membership:new": 200, "membership:edit": 200, "membership:detail": 200, "membership:transfers": 200,
    "membership:import": 200, "membership:incoming": 200, "membership:stats": 200, "membership:rankings": 200,
    "membership:organizations": 200, "membership:officers": 200, "membership:organization": 200,
    "migration:runs": 200, "migration:run": 200, "migration:records": 200,
    "migration:record": 200,
}


def _check(found: dict[str, set[str]], label: str, response, data: Data) -> None:
    if "html" not in response.get("Content-Type", ""):
        return
    for text in vietnamese_left(response.content.decode(), data):
        found.setdefault(text, set()).add(label)


def _report(found: dict[str, set[str]]) -> str:
    lines = [f"{len(found)} texts in Vietnamese on English pages (text — where):"]
    for text, where in sorted(found.items(), key=lambda kv: sorted(kv[1])[0]):
        lines.append(f"  {text!r} — {', '.join(sorted(where)[:3])}{' …' if len(where) > 3 else ''}")
    return "\n".join(lines)


def test_every_page_is_in_english_but_the_data(world, data):
    values = _values(world)
    found: dict[str, set[str]] = {}
    wrong: list[str] = []
    admin = english(world.insider)
    # The administrator opens every object; the others see the pages as their roles show them (a
    # draft's edit page is its author's: A's specialist).
    people = {"admin": admin, **{f"B's {role}": english(getattr(world.b, role)) for role in ("clerk", "leader", "specialist")},
              "A's clerk": english(world.a.clerk), "A's specialist": english(world.a.specialist)}
    for key, _pattern, params in routes():
        if key not in PAGES:
            continue
        urls = urls_of(key, params, values)
        opened = 0
        for who, client in people.items():
            for url in urls if who == "admin" else urls[:1]:
                r = client.get(url, follow=True)
                if r.status_code not in (200, 403, 404):
                    wrong.append(f"{url} answered {r.status_code} ({who})")
                if r.status_code == 200:
                    opened += 1
                    if PAGES[key] == 302 and not r.redirect_chain:
                        wrong.append(f"{url} did not redirect")
                _check(found, f"{url} ({who})", r, data)
        # An object may be out of a route's reach (a delivery to the peer has no row in any inbox
        # here), but each page must be seen at least once, by someone.
        if not opened:
            wrong.append(f"{key}: no one opened any of {urls}")
    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in ("/login/", "/login/?next=/inbox/"):
        _check(found, f"{url} (anonymous)", anonymous.get(url, follow=True), data)
    assert not found, _report(found)
    assert not wrong, "pages that could not be opened: " + "; ".join(wrong)


def test_error_pages_are_in_english(world, data):
    found: dict[str, set[str]] = {}
    specialist = english(world.b.specialist)
    not_found = specialist.get("/khong-co-trang-nay/")
    assert not_found.status_code == 404
    _check(found, "404", not_found, data)
    forbidden = specialist.get(reverse("audit:browse"))
    assert forbidden.status_code == 403
    _check(found, "403", forbidden, data)
    assert "This page was not found" in not_found.content.decode()
    assert not found, _report(found)


def test_actions_refuse_a_get(world):
    values = _values(world)
    admin = english(world.insider)
    allowed = []
    for key, _pattern, params in routes():
        if key in POST_ONLY:
            url = urls_of(key, params, {**values, "step": ["approve"], "decision": ["approve"], "day": ["2026-01-01"]})[0]
            if admin.get(url).status_code != 405:
                allowed.append(url)
    assert not allowed, f"listed as actions (POST only) but answer a GET: {allowed}"


def test_the_check_finds_vietnamese_and_leaves_data_alone(world, data):
    page = (f'<html><body><h1 title="Văn bản">Documents</h1><p>{world.a.org.name}</p>'
            f'<button lang="vi">Tiếng Việt</button><script>var x = "Đi";</script><p>{world.a.org.name[:12]}…</p>'
            f'<p>The five days of Tết</p><input type="submit" value="Gửi"><div data-message="Lỗi"></div>'
            f'<p>Sent by {world.a.clerk.get_full_name()} to {world.b.org.name}: chưa dịch</p></body></html>')
    assert vietnamese_left(page, data) == ["Văn bản", "Gửi", "Lỗi",
                                           f"Sent by {world.a.clerk.get_full_name()} to {world.b.org.name}: chưa dịch"]


def test_two_factor_set_up_and_sign_in_are_in_english(world, data):
    """The account's steps that only a POST shows: setting up two-factor (a wrong code, the
    recovery codes), signing in with it (a wrong password, the code step, a wrong code), changing
    the password with a mistake."""
    found: dict[str, set[str]] = {}
    person = world.b.specialist
    c = english(person)
    r = c.get(reverse("accounts:two_factor"))
    secret = r.context["secret"]
    _check(found, "2FA: set up", r, data)
    _check(found, "2FA: a wrong code", c.post(reverse("accounts:two_factor"), {"code": "000000"}), data)
    r = c.post(reverse("accounts:two_factor"), {"code": pyotp.TOTP(secret).now()})
    assert "Recovery codes" in r.content.decode()
    _check(found, "2FA: recovery codes", r, data)
    _check(found, "2FA: on", c.get(reverse("accounts:two_factor")), data)
    r = c.post(reverse("accounts:change_password"), {"old_password": "sai", "new_password1": "a", "new_password2": "b"})
    _check(found, "password: mistakes", r, data)

    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = anonymous.post(reverse("web:login"), {"username": person.username, "password": "sai"})
    assert "Wrong username or password" in r.content.decode()
    _check(found, "sign-in: a wrong password", r, data)
    r = anonymous.post(reverse("web:login"), {"username": person.username, "password": "demo"}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("accounts:login_code")
    _check(found, "sign-in: the code", r, data)
    _check(found, "sign-in: a wrong code", anonymous.post(reverse("accounts:login_code"), {"code": "000000"}), data)
    r = anonymous.post(reverse("accounts:login_code"), {"code": pyotp.TOTP(secret).at(timezone.now() + dt.timedelta(seconds=30))})
    assert r.status_code == 302
    assert not found, _report(found)
