"""The one place that knows when a production installation runs without HTTPS.

`VANTHU_HTTPS=0` with DEBUG off means a plain-HTTP intranet: passwords, session cookies and
documents cross the network unencrypted. That is allowed, but never silently: every process that
starts Django (`vanthu serve` and its gunicorn workers, `vanthu worker`, `vanthu demo`, a WSGI
server started by hand) logs a warning from `SecurityConfig.ready()`, and
`vanthu manage check --deploy` reports it as vanthu.security.W001.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.checks import Tags, Warning, register

logger = logging.getLogger("vanthu.security")

PLAIN_HTTP = (
    "VANTHU_HTTPS=0: serving plain HTTP, so passwords, session cookies and documents cross the "
    "network unencrypted, and secure cookies, HSTS and the HTTPS redirect are off. Use it only on "
    "a trusted internal network; unset it (HTTPS is the default) once TLS is in place."
)
W001 = "vanthu.security.W001"


def plain_http() -> bool:
    """True when a production installation (DEBUG off) was told explicitly to serve plain HTTP."""
    return not settings.DEBUG and not settings.HTTPS


@register(Tags.security, deploy=True)
def check_https(app_configs, **kwargs) -> list[Warning]:
    if not plain_http():
        return []
    return [Warning(PLAIN_HTTP, hint="Set up TLS (or a TLS-terminating proxy with VANTHU_PROXY_SSL_HEADER) "
                    "and remove VANTHU_HTTPS=0.", id=W001)]


def log_if_plain_http() -> None:
    if plain_http():
        logger.warning(PLAIN_HTTP)
