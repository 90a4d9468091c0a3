"""pytest plugin loaded with -p before Django settings are read: test-only environment."""

import os
import tempfile

from vanthu import datadir

os.environ.setdefault("VANTHU_FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("VANTHU_DATA_DIR", tempfile.mkdtemp(prefix="vanthu-test-"))
# A file-based SQLite test database (in the per-run data dir), as in production: threads in the
# concurrency tests then share one database, which an in-memory database cannot do.
os.environ.setdefault("VANTHU_TEST_SQLITE_FILE", "1")
os.environ.setdefault("VANTHU_2FA_REQUIRED_ROLES", "")  # tests that want it set a SecurityPolicy row
os.environ.setdefault("VANTHU_SIGNIN_RATE_PER_MINUTE", "0")  # hundreds of sign-ins a minute from 127.0.0.1
# The test client, the live server and the browser speak plain HTTP to 127.0.0.1; the tests of
# the production profile set HTTPS on for themselves.
os.environ.setdefault("VANTHU_HTTPS", "0")


def production_policy() -> dict[str, str]:
    """This environment without the suite's relief from two-factor: for a process that must run
    as an installation does (a benchmark, whose leaders and clerks are enrolled; else it would time
    the redirects to the enrolment page and the API's 403s)."""
    return {k: v for k, v in os.environ.items() if k != "VANTHU_2FA_REQUIRED_ROLES"}


# As a `vanthu` command would: the data dir and its generated secret key (settings only read).
datadir.prepare()
