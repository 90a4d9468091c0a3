"""Single sign-on over OpenID Connect against a real provider: django-oauth-toolkit in a small
project (vanthu/testing/oidc_provider), started by the test as a process on the loopback.

The browser's part is played by a requests session that follows the redirects: VanThu sends it
to the provider, the provider (after its own sign-in form) back to VanThu with a code, and
VanThu exchanges the code, checks the ID token's signature against the provider's keys, and
signs the person in — provisioning the account on the first sign-in.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import requests

from vanthu.accounts import actions, sso
from vanthu.accounts.models import SsoIdentity, User
from vanthu.audit.models import AuditEntry
from vanthu.testing import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]
CLIENT_ID = "vanthu-khoi"
CLIENT_SECRET = "client-secret-for-the-tests-only"
PEOPLE = [
    {"username": "nguyen.van.an", "password": "mat-khau-thu-do", "name": "Nguyễn Văn An", "email": "an@hanoi.example"},
    {"username": "tran.thi.binh", "password": "mat-khau-binh", "name": "Trần Thị Bình", "email": "binh@hanoi.example"},
    {"username": "le.van.cuong", "password": "mat-khau-cuong", "name": "Lê Văn Cường", "email": "cuong@hanoi.example"},
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def provider(live_server, tmp_path_factory):
    """The provider process; its issuer URL."""
    try:
        import oauth2_provider  # noqa: F401
    except ImportError:
        pytest.fail("django-oauth-toolkit is not installed: `uv sync` installs the dev dependencies", pytrace=False)
    state = tmp_path_factory.mktemp("oidc-provider")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({"DJANGO_SETTINGS_MODULE": "vanthu.testing.oidc_provider.settings",
                "PYTHONWARNINGS": "ignore"})
    spec = {"users": PEOPLE, "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                        "redirect_uris": [f"{live_server.url}/sso/callback/"]}}
    out = subprocess.run([sys.executable, "-m", "vanthu.testing.oidc_provider", "setup", json.dumps(spec)],
                         env=env, cwd=state, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    port = _free_port()
    log = (state / "provider.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                            env=env, cwd=state, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (state / "provider.log").read_text()[-2000:]
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the provider did not start"
            time.sleep(0.2)
        yield issuer
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        log.close()


@pytest.fixture
def sso_on(provider, settings):
    settings.VANTHU_OIDC_ISSUER = provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    return provider


def _sign_in_through_the_directory(base: str, issuer: str, person: dict, browser: requests.Session | None = None):
    """Start at VanThu, sign in at the provider, come back: the last response (not followed)."""
    browser = browser or requests.Session()
    r = browser.get(f"{base}/sso/start/?next=/", allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text[:500]
    authorize = r.headers["Location"]
    assert authorize.startswith(f"{issuer}/authorize/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    # At the provider: not signed in there yet, so its own form first.
    r = browser.get(authorize, allow_redirects=False, timeout=30)
    if r.status_code == 302 and "/login/" in r.headers["Location"]:
        provider_root = issuer.rsplit("/o", 1)[0]
        r = browser.post(f"{provider_root}/login/", data={"username": person["username"], "password": person["password"],
                                                          "next": authorize.split(provider_root, 1)[1]},
                         allow_redirects=False, timeout=30)
        assert r.status_code == 302, r.text[:300]
        r = browser.get(provider_root + r.headers["Location"], allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith(f"{base}/sso/callback/"), r.headers
    # Back at VanThu with the code.
    return browser, browser.get(r.headers["Location"], allow_redirects=False, timeout=30)


def test_first_sign_in_provisions_the_account_and_later_ones_find_it(live_server, sso_on):
    person = PEOPLE[0]
    browser, r = _sign_in_through_the_directory(live_server.url, sso_on, person)
    assert r.status_code == 302 and not r.headers["Location"].startswith("/login"), r.headers
    user = User.objects.get(sso_identities__issuer=sso_on)
    assert (user.username, user.full_name, user.email) == ("nguyen.van.an", "Nguyễn Văn An", "an@hanoi.example")
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(action="sso_user_provisioned", object_id=str(user.pk)).count() == 1
    signed_in = AuditEntry.objects.filter(action="signed_in", object_id=str(user.pk)).get()
    assert signed_in.data["method"] == "oidc"
    # The session works on VanThu's pages (their own account page: no organisation is given yet).
    own = browser.get(f"{live_server.url}/account/2fa/", allow_redirects=False, timeout=30)
    assert own.status_code == 200

    # A second sign-in (new browser, signed in at the provider again): the same account, no second one.
    _b, r = _sign_in_through_the_directory(live_server.url, sso_on, person)
    assert r.status_code == 302 and not r.headers["Location"].startswith("/login")
    assert User.objects.filter(sso_identities__issuer=sso_on).count() == 1
    assert SsoIdentity.objects.get().last_seen_at is not None


def test_a_directory_name_taken_by_a_local_account_does_not_sign_into_it(live_server, sso_on):
    local = f.make_user(None, username="tran.thi.binh", full_name="Trần Thị Bình (tài khoản cũ)")
    _b, r = _sign_in_through_the_directory(live_server.url, sso_on, PEOPLE[1])
    assert r.status_code == 302
    made = User.objects.get(sso_identities__issuer=sso_on)
    assert made.pk != local.pk and made.username == "tran.thi.binh.2"
    assert not SsoIdentity.objects.filter(user=local).exists()


def test_local_passwords_still_work_beside_the_directory(live_server, sso_on):
    org = f.make_org("Đảng bộ Sở Tư pháp", code="000.00.20.H26")
    clerk = f.make_user(org, "clerk", username="vanthu.tuphap")
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/login/", timeout=30)
    assert "/sso/start/" in page.text  # the directory's button beside the form
    token = browser.cookies["csrftoken"]
    r = browser.post(f"{live_server.url}/login/", data={"username": clerk.username, "password": "demo",
                                                       "csrfmiddlewaretoken": token},
                     headers={"Referer": f"{live_server.url}/login/"}, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert AuditEntry.objects.filter(action="signed_in", object_id=str(clerk.pk)).get().data["method"] == "password"


def test_a_person_with_two_factor_is_asked_for_the_code_after_the_directory(live_server, sso_on):
    person = PEOPLE[2]
    browser, r = _sign_in_through_the_directory(live_server.url, sso_on, person)
    user = User.objects.get(sso_identities__issuer=sso_on)
    secret = actions.start_two_factor(user=user).secret
    # Confirmed with the previous step's code, so that the current one is still unused for signing in.
    actions.confirm_two_factor(user=user, code=pyotp.TOTP(secret).at(time.time() - 30))
    browser.get(f"{live_server.url}/logout/", timeout=30)
    browser = requests.Session()
    browser, r = _sign_in_through_the_directory(live_server.url, sso_on, person, browser)
    assert r.status_code == 302 and r.headers["Location"] == "/login/code/"
    own = browser.get(f"{live_server.url}/account/2fa/", allow_redirects=False, timeout=30)
    assert own.status_code == 302 and own.headers["Location"].startswith("/login/"), "signed in without the code"
    page = browser.get(f"{live_server.url}/login/code/", timeout=30)
    token = browser.cookies["csrftoken"]
    r = browser.post(f"{live_server.url}/login/code/", data={"code": pyotp.TOTP(secret).now(), "csrfmiddlewaretoken": token},
                     headers={"Referer": page.url}, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and not r.headers["Location"].startswith("/login")
    assert browser.get(f"{live_server.url}/account/2fa/", allow_redirects=False, timeout=30).status_code == 200


def test_a_forged_or_replayed_callback_signs_nobody_in(live_server, sso_on):
    browser = requests.Session()
    browser.get(f"{live_server.url}/sso/start/?next=/", allow_redirects=False, timeout=30)
    r = browser.get(f"{live_server.url}/sso/callback/?code=made-up&state=made-up", allow_redirects=False, timeout=30)
    assert r.status_code == 400  # a state this browser was never given
    stranger = requests.Session().get(f"{live_server.url}/sso/callback/?code=x&state=y", allow_redirects=False, timeout=30)
    assert stranger.status_code == 302 and stranger.headers["Location"].startswith("/login")
    assert not User.objects.filter(sso_identities__isnull=False).exists()
    # A real callback used twice: its state was spent the first time.
    browser, first = _sign_in_through_the_directory(live_server.url, sso_on, PEOPLE[0])
    assert first.status_code == 302 and not first.headers["Location"].startswith("/login")
    assert browser.get(first.url, allow_redirects=False, timeout=30).status_code == 400
    assert AuditEntry.objects.filter(action="signed_in").count() == 1


def test_without_configuration_there_is_no_directory_button_and_no_flow(live_server, settings):
    settings.VANTHU_OIDC_ISSUER = ""
    assert not sso.enabled()
    page = requests.get(f"{live_server.url}/login/", timeout=30)
    assert "/sso/start/" not in page.text
    assert requests.get(f"{live_server.url}/sso/start/", allow_redirects=False, timeout=30).status_code == 404
