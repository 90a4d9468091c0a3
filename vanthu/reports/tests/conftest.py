from vanthu.testing.fixtures import api_as, world  # noqa: F401
