from __future__ import annotations

import pytest

from vanthu.archive.retention import ensure_retention_periods
from vanthu.signatures.signers import forget_signers
from vanthu.signatures.verify import forget_trust


@pytest.fixture(autouse=True)
def _archive_defaults(db):
    ensure_retention_periods()  # a transactional test's flush removes the seeded rows
    forget_signers()
    forget_trust()
    yield
    forget_signers()
    forget_trust()
