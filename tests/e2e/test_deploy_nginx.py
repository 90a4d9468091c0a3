"""The deployment guide's nginx site (deploy/nginx/vanthu.conf) in front of `vanthu serve` with the
guide's proxy settings: HTTPS with a test certificate, on loopback ports instead of 80 and 443.

Checks what an operator following docs/deploy.md relies on: plain HTTP is sent to HTTPS, a person
signs in over HTTPS through the proxy (secure cookies, CSRF, no redirect loop), HSTS is on, the
request id nginx makes reaches the response, /metrics stays inside, and a request larger than the
upload limit is refused by nginx before the application sees it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.db import connection

from vanthu import runtime

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(directory: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (directory / "privkey.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                               serialization.NoEncryption()))
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return directory / "fullchain.pem"


def _site(directory: Path, http_port: int, https_port: int, app_port: int) -> Path:
    """The guide's site, changed only where a test must: ports, certificate and log paths."""
    site = (ROOT / "deploy" / "nginx" / "vanthu.conf").read_text()
    site = site.replace("/etc/ssl/vanthu", str(directory)).replace("/var/log/nginx", str(directory))
    site = re.sub(r"^\s*listen \[::\].*$", "", site, flags=re.M)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = re.sub(r"listen 443 ssl( http2)?;", rf"listen 127.0.0.1:{https_port} ssl\1;", site)
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
    assert f"127.0.0.1:{https_port}" in site and f"127.0.0.1:{app_port}" in site
    conf = directory / "nginx.conf"
    conf.write_text(f"""
pid {directory}/nginx.pid;
error_log {directory}/error.log;
daemon off;
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {directory}/body; proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fcgi; uwsgi_temp_path {directory}/uwsgi; scgi_temp_path {directory}/scgi;
    {site}
}}
""")
    return conf


@pytest.fixture
def deployed(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: apt-get install nginx-light (.ci/run installs it)", pytrace=False)
    http_port, https_port, app_port = _free_port(), _free_port(), _free_port()
    cert = _certificate(tmp_path)
    conf = _site(tmp_path, http_port, https_port, app_port)
    checked = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    origin = f"https://127.0.0.1:{https_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANTHU_")}
    env.update({  # deploy/vanthu.env.example's proxy settings; HTTPS on, as in production
        "VANTHU_DATABASE_URL": runtime.database_url(connection.settings_dict),
        "VANTHU_SECRET_KEY": django_settings.SECRET_KEY, "VANTHU_ALLOWED_HOSTS": "127.0.0.1",
        "VANTHU_CSRF_TRUSTED_ORIGINS": origin, "VANTHU_PUBLIC_URL": origin,
        "VANTHU_PROXY_SSL_HEADER": "X-Forwarded-Proto", "VANTHU_TRUSTED_PROXY_HEADER": "HTTP_X_FORWARDED_FOR",
        "VANTHU_SSL_REDIRECT": "0", "VANTHU_HSTS_SECONDS": "300", "VANTHU_LOG_FORMAT": "json",
        "VANTHU_FAST_PASSWORD_HASHER": "1", "VANTHU_2FA_REQUIRED_ROLES": "", "PYTHONWARNINGS": "ignore",
    })
    app = subprocess.Popen([sys.executable, "-m", "vanthu.cli", "serve", "--port", str(app_port), "--workers", "1",
                            "--data-dir", str(tmp_path / "data")], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=(tmp_path / "app.log").open("wb"), start_new_session=True)
    proxy = subprocess.Popen([NGINX, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert app.poll() is None, (tmp_path / "app.log").read_text()[-2000:]
            assert proxy.poll() is None, (tmp_path / "error.log").read_text()[-2000:]
            try:
                if requests.get(f"{origin}/healthz", verify=str(cert), timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the proxied server did not answer"
            time.sleep(0.5)
        yield origin, http_port, https_port, cert
    finally:
        for proc in (proxy, app):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


def test_the_guides_nginx_site_serves_vanthu_over_https(world, deployed):
    origin, http_port, https_port, cert = deployed
    # Plain HTTP goes to HTTPS (monitors keep /healthz over HTTP).
    r = requests.get(f"http://127.0.0.1:{http_port}/login/", allow_redirects=False, timeout=10)
    assert r.status_code == 301 and r.headers["Location"].startswith("https://127.0.0.1/login/")
    assert requests.get(f"http://127.0.0.1:{http_port}/healthz", timeout=10).status_code == 200

    # Ready, HSTS on, nginx's request id in the answer, metrics kept inside.
    r = requests.get(f"{origin}/readyz", verify=str(cert), timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert r.headers["Strict-Transport-Security"].startswith("max-age=300")
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])
    assert requests.get(f"{origin}/metrics", verify=str(cert), timeout=10).status_code == 404

    # A person signs in over HTTPS through the proxy: secure cookies, CSRF, no redirect loop.
    browser = requests.Session()
    page = browser.get(f"{origin}/login/", verify=str(cert), timeout=10)
    assert page.status_code == 200 and page.url == f"{origin}/login/"
    r = browser.post(f"{origin}/login/", data={"username": world.b.clerk.username, "password": "demo",
                                               "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
                     headers={"Referer": f"{origin}/login/"}, allow_redirects=False, verify=str(cert), timeout=10)
    assert r.status_code == 302 and r.headers["Location"] == "/", r.text[:300]
    assert "secure" in r.headers["Set-Cookie"].lower()
    assert browser.get(f"{origin}/", allow_redirects=False, verify=str(cert), timeout=10).status_code == 200

    # Larger than the upload limit (120 MB): nginx answers 413 from the headers alone.
    context = ssl.create_default_context(cafile=str(cert))
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(b"POST /api/v1/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pdf\r\n"
                    b"Content-Length: %d\r\n\r\n" % (130 * 1024 * 1024))
        assert tls.recv(4096).split(b"\r\n", 1)[0].endswith(b"413 Request Entity Too Large")
