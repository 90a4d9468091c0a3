"""Each test gets a checkpoint store and an audit key of its own: a checkpoint left by one test
would otherwise be compared with the next test's (rolled back, different) chain."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def audit_anchors(settings, tmp_path):
    store = tmp_path / "audit-store"
    settings.STORAGES = {**settings.STORAGES, "audit": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                        "OPTIONS": {"location": str(store)}}}
    settings.VANTHU_AUDIT_KEY_FILE = tmp_path / "audit_key.pem"
    return store
