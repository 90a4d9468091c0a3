"""State changes on accounts."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanthu.audit.chain import record

from .models import ApiToken, hash_token


@transaction.atomic
def issue_api_token(*, user) -> tuple[str, ApiToken]:
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
    )
    record("api_token_issued", actor=user, obj=token)
    return raw, token
