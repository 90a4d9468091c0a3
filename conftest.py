"""Fixtures shared by every app's tests (the test environment is set by vanthu.testing.env)."""

pytest_plugins = ["vanthu.testing.fixtures", "vanthu.testing.s3"]
