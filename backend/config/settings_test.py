"""Test settings: the distributed form against the real local PostgreSQL and Redis."""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/automateos")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("AUTOMATEOS_ALLOW_PRIVATE_NETWORKS", "true")
os.environ.setdefault("AUTOMATEOS_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault(
    "AUTOMATEOS_ENCRYPTION_KEYS",
    "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
)

from backend.config.settings import *  # noqa: F403

DEBUG = False  # a developer's .env may say true; tests must see production behaviour
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
