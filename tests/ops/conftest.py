"""Fixtures of the ops tests."""

from tests.ops.helpers import redis_url  # noqa: F401  (a fixture: a real redis-server)
