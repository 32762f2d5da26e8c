"""Marks several test files share."""

import pytest
from django.db import connection

# A test that needs several connections writing at once, with row locks.
needs_postgresql_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: concurrent connections and row locks (SQLite's "
    "in-memory test database cannot be shared by several writers); "
    "CI's PostgreSQL run executes it",
)
