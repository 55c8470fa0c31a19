"""The JSON API (django-ninja): one NinjaAPI, each app adds its router (see core.api_auth)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI

from kouprey.core.api_auth import auth_methods

api = NinjaAPI(
    title="Kouprey API",
    version="1",
    urls_namespace="api",
    auth=auth_methods(),
    docs_url="/docs",
    docs_decorator=login_required,
)
