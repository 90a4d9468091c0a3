"""pytest plugin loaded with -p before Django settings are read: test-only environment."""

import os
import tempfile

os.environ.setdefault("VANTHU_FAST_PASSWORD_HASHER", "1")
os.environ.setdefault("VANTHU_DATA_DIR", tempfile.mkdtemp(prefix="vanthu-test-"))
