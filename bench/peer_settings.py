"""The DRF peer's settings as the benchmark serves them, copied beside its ``peer`` package.

Its own settings know only SQLite: PEER_DATABASE_URL puts it on PostgreSQL, with persistent
connections as the example project has, so that both sides pay the same for a connection.
"""

import os
from urllib.parse import urlsplit

from peer.settings import *  # noqa: F403

if url := os.environ.get("PEER_DATABASE_URL"):
    parts = urlsplit(url)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/"),
            "USER": parts.username,
            "HOST": parts.hostname,
            "PORT": parts.port,
            "CONN_MAX_AGE": 60,
        }
    }
# Seeding hashes each user's password: a fast hasher keeps 100 users from taking a minute.
# Nobody logs in with a password while the benchmark measures (its token is made in a shell).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
