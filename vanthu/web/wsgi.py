"""The WSGI application `vanthu serve` runs: Django behind the body guard (see server.py)."""

from __future__ import annotations

from vanthu.wsgi import application as django_application

from .server import BodyGuard

application = BodyGuard(django_application)
