"""Secure by default: a production installation is HTTPS-only with nothing set but a secret key and
its host names; plain HTTP must be asked for (VANTHU_HTTPS=0) and is never silent."""

from __future__ import annotations

import logging
import os
import re
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.test import override_settings

from vanthu import datadir
from vanthu.security import checks

ROOT = Path(__file__).resolve().parents[3]


def _production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production server: none of the test suite's VANTHU_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"VANTHU_DATA_DIR": str(data_dir), "PYTHONWARNINGS": "ignore", **extra})
    return env


def _vanthu(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vanthu.cli", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_check_deploy_passes_with_nothing_set_but_a_secret_key_and_the_host_names(tmp_path):
    env = _production_env(tmp_path, VANTHU_DEBUG="0", VANTHU_SECRET_KEY=secrets.token_urlsafe(50),
                          VANTHU_ALLOWED_HOSTS="vanthu.example")
    out = _vanthu("manage", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
    assert "VANTHU_HTTPS=0" not in out.stderr  # nothing to warn about


def test_plain_http_is_logged_at_start_and_reported_by_check_deploy(tmp_path):
    env = _production_env(tmp_path, VANTHU_HTTPS="0", VANTHU_SECRET_KEY=secrets.token_urlsafe(50),
                          VANTHU_ALLOWED_HOSTS="vanthu.example")
    out = _vanthu("manage", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert out.returncode != 0
    assert f"({checks.W001})" in out.stderr
    # Logged by the process as it started, before any check ran.
    assert out.stderr.startswith(checks.PLAIN_HTTP)
    # Django's own reminders say what is off.
    for check_id in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check_id in out.stderr


@pytest.mark.parametrize(("debug", "https", "warned"), [(False, False, True), (False, True, False), (True, False, False)])
def test_the_plain_http_warning_is_for_production_only(caplog, debug, https, warned):
    with override_settings(DEBUG=debug, HTTPS=https), caplog.at_level(logging.WARNING, logger="vanthu.security"):
        checks.log_if_plain_http()
        found = checks.check_https(None)
    assert [r.getMessage() for r in caplog.records] == ([checks.PLAIN_HTTP] if warned else [])
    assert [w.id for w in found] == ([checks.W001] if warned else [])


# --- a real production server -----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`vanthu serve` on a fresh data dir with production defaults behind a TLS proxy: no secret
    key (the command generates one), only the host name and the proxy's header."""
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("production") / "data"  # not there yet: the command makes it
    env = _production_env(data_dir, VANTHU_ALLOWED_HOSTS="127.0.0.1", VANTHU_PROXY_SSL_HEADER="X-Forwarded-Proto",
                          VANTHU_FAST_PASSWORD_HASHER="1", VANTHU_LOG_LEVEL="ERROR")
    proc = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "serve", "--port", str(port), "--workers", "1"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, "the server exited on start"
            try:
                if requests.get(f"{base}/healthz", timeout=2, allow_redirects=False).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        # A person to sign in as (no roles, so no two-factor sign-in is required of them).
        made = _vanthu("manage", "shell", "-c", "from vanthu.accounts.models import User; "
                       "User.objects.create_user(username='lan', password='a long passphrase 7')", env=env)
        assert made.returncode == 0, made.stderr
        yield base, data_dir
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy adds


@pytest.mark.slow
def test_the_command_made_the_data_dir_and_a_private_secret_key(production):
    _, data_dir = production
    key_file = data_dir / datadir.SECRET_KEY_FILE
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.slow
def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    base, _ = production
    r = requests.get(f"{base}/login/?next=/inbox/", allow_redirects=False, timeout=30)
    assert r.status_code == 301
    assert r.headers["Location"] == f"https://127.0.0.1:{base.rsplit(':', 1)[1]}/login/?next=/inbox/"
    r = requests.post(f"{base}/api/v1/auth/token", json={"username": "lan", "password": "x"}, allow_redirects=False, timeout=30)
    assert r.status_code == 301
    health = requests.get(f"{base}/healthz", allow_redirects=False, timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "Strict-Transport-Security" not in health.headers  # HSTS only ever comes over HTTPS


@pytest.mark.slow
def test_over_https_pages_carry_hsts_and_the_cookies_are_secure(production):
    base, _ = production
    page = requests.get(f"{base}/login/", headers=HTTPS, allow_redirects=False, timeout=30)
    assert page.status_code == 200
    # One year, for this host name only: subdomains and preloading are the domain owner's choice.
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    csrf = next(c for c in page.cookies if c.name == "csrftoken")
    assert csrf.secure
    # The client speaks plain HTTP to the "proxy" here, so a cookie jar would rightly hold the
    # secure cookie back: it is sent by hand, as a browser would over HTTPS.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signed_in = requests.post(
        f"{base}/login/", data={"csrfmiddlewaretoken": token, "username": "lan", "password": "a long passphrase 7"},
        headers={**HTTPS, "Referer": f"https://127.0.0.1:{base.rsplit(':', 1)[1]}/login/", "Cookie": f"csrftoken={csrf.value}"},
        allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302, signed_in.text[:500]
    session = next(c for c in signed_in.cookies if c.name == "sessionid")
    assert session.secure and session.has_nonstandard_attr("HttpOnly")
