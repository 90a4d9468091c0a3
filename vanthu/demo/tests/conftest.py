"""The demo installation both modules read, seeded once for the package.

Seeding is the slow part (a minute); the tests only read, each in its own savepoint, so the
two modules share one seed, made inside a transaction rolled back when the package ends.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from vanthu.demo.seed import seed_demo

DOCUMENTS = 60  # test_seed.py seeds again with the same number and expects nothing new


@pytest.fixture(scope="package")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(password="demo", documents=DOCUMENTS)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Every test reads the seeded database."""
