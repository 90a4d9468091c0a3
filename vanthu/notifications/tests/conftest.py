from __future__ import annotations

import pytest
from django.test import override_settings

from vanthu.notifications import kinds

from .smtp import SmtpServer


@pytest.fixture(autouse=True)
def _test_kinds():
    kinds.register("test_event", "Sự kiện thử nghiệm")
    kinds.register("test_urgent", "Việc gấp thử nghiệm", default=kinds.Channel.EMAIL)
    yield
    for code in ("test_event", "test_urgent"):
        kinds._KINDS.pop(code, None)


@pytest.fixture
def smtp():
    """A real SMTP server on a loopback port, and VanThu's e-mail pointed at it."""
    server = SmtpServer()
    server.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_TIMEOUT=5, VANTHU_EMAIL_ENABLED=True,
        DEFAULT_FROM_EMAIL="Văn phòng Đảng ủy Khối <vanthu@dangbokhoi.test>", VANTHU_PUBLIC_URL="https://vanthu.test",
    ):
        yield server
    server.stop()
