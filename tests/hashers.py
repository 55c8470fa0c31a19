"""Argon2 with test-cheap parameters (tests/conftest.py puts it first in PASSWORD_HASHERS).

The same algorithm and hash format as production (``argon2$argon2id$...``), so tests still
see Argon2 hashes, but a hash takes microseconds instead of ~0.7 s on a 2-CPU CI machine:
the suite creates and signs in hundreds of users. Production parameters are Django's.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB
    parallelism = 1
