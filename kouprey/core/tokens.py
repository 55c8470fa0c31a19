"""API tokens: issue one (shown once), and find the user behind one."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.utils import timezone

from kouprey.core.models import ApiToken, User


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user: User, name: str, expires_at: datetime | None = None) -> str:
    """Create a token for ``user`` and return its key; only its hash is kept."""
    key = "kpy_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_digest(key), prefix=key[:8],
                            expires_at=expires_at)
    return key


def user_for(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key)).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at < timezone.now():
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
