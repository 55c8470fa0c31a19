"""The JSON API (django-ninja) under /api/: one NinjaAPI, each app adds its router.

Authentication and the URL policy: core.api_auth; the routes' rules: core.api_policy;
payload codes, errors and pagination: core.api_support. Documentation: docs/api.md, and
the OpenAPI page at /api/docs (signed-in users only).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from ninja.openapi.docs import Swagger

from kouprey.cases.api import router as cases_router
from kouprey.core.api_auth import auth_methods, docs_access
from kouprey.core.api_support import PayloadError, from_validation_error, location, ref_out
from kouprey.seizures.api import router as seizures_router


class KoupreyDocs(Swagger):
    """The Swagger page inside Kouprey: a phone-width viewport, the site's icon and a link
    back (web/api_docs.html, ninja's own page otherwise unchanged)."""

    template = "web/api_docs.html"


api = NinjaAPI(
    title="Kouprey API",
    version="1",
    description="Seizures and cases, with the same filters and permissions as the pages. "
                "Authenticate with `Authorization: Bearer <token>` (`kouprey token create`) "
                "or a signed-in session. See docs/api.md.",
    urls_namespace="api",
    auth=auth_methods(),
    docs=KoupreyDocs(),
    docs_url="/docs",
    docs_decorator=docs_access,
)


@api.exception_handler(PayloadError)
def payload_error(request: HttpRequest, exc: PayloadError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(DjangoValidationError)
def django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return payload_error(request, from_validation_error(exc))


@api.exception_handler(ValidationError)
def request_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A body or query that does not fit the schema: the same shape as every other 422."""
    errors = [{"field": location(e.get("loc", ())), "message": e.get("msg", str(e))}
              for e in exc.errors]
    return payload_error(request, PayloadError(errors))


class IndexOut(Schema):
    user: str
    organisation: dict[str, Any] | None
    role: str
    links: dict[str, str]


@api.get("/", url_name="index", response=IndexOut, summary="Who you are, and where to go")
def index(request: HttpRequest) -> dict[str, Any]:
    """Check a token: the user it signs in as, and the API's main addresses."""
    user: Any = request.user
    return {
        "user": user.username, "organisation": ref_out(user.organisation), "role": user.role,
        "links": {"seizures": reverse("api:seizure_list"), "cases": reverse("api:case_list"),
                  "docs": reverse("api:openapi-view"),
                  "openapi": reverse("api:openapi-json")},
    }


api.add_router("/seizures/", seizures_router)
api.add_router("/cases/", cases_router)
