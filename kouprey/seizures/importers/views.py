"""The import page (``/seizures/import/``): upload, check (dry run), then import.

An upload larger than ``MAX_UPLOAD_MB`` is refused before its body is read: the view is
CSRF-exempt on the outside so that nothing parses the body before the size check and the
counting upload handler are in place, and CSRF-protected inside. A file that passed the
check is kept under the data directory (``uploads/``, named by a random token and the
user's id) until the user imports it or a day passes, so it need not be uploaded twice.
The page has a JSON twin (``?format=json``) with the same result.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from kouprey.core.importing import FileRejected
from kouprey.core.models import AuditEntry, ColumnMapping
from kouprey.indicators import store
from kouprey.seizures.importers import import_seizures
from kouprey.seizures.mappings import (
    ITEM_FIELDS,
    SEIZURE_FIELDS,
    SOURCE_FIELDS,
    SUSPECT_FIELDS,
    builtin_mappings,
)
from kouprey.web import lists

# The result links to the list of the seizures it imported (?ids=) up to this many; beyond,
# the URL would be too long and the result links to the whole list.
MAX_IDS_IN_URL = 1000
TICKET = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_SECONDS = 24 * 3600
SUFFIXES = {".csv", ".xlsx"}


def _limit() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


class LimitedUpload(TemporaryFileUploadHandler):
    """Stops reading an upload once it passes the limit (also when no length was sent)."""

    too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > _limit():
            self.too_big = True
            raise StopUpload(connection_reset=True)
        return super().receive_data_chunk(raw_data, start)  # type: ignore[no-any-return]


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():
        if old.is_file() and now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _kept(user_id: int, ticket: str) -> Path | None:
    if not TICKET.match(ticket):
        return None
    for suffix in SUFFIXES:
        path = _folder() / f"{user_id}-{ticket}{suffix}"
        if path.is_file():
            return path
    return None


def _keep(request: HttpRequest, upload: Any) -> tuple[Path, str]:
    suffix = Path(upload.name or "").suffix.lower()
    ticket = secrets.token_urlsafe(24)
    path = _folder() / f"{request.user.pk}-{ticket}{suffix if suffix in SUFFIXES else '.csv'}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path, ticket


def mapping_names(org_id: int | None) -> list[str]:
    saved = ColumnMapping.objects.filter(target="seizures").filter(
        owner_org_id=org_id) | ColumnMapping.objects.filter(target="seizures",
                                                             owner_org__isnull=True)
    return [*builtin_mappings(), *sorted({m.name for m in saved})]


@csrf_exempt
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > _limit():
            return _answer(request, {"error": _too_big()}, status=413)
        handler = LimitedUpload(request)
        request.upload_handlers = [handler]
        request.kouprey_upload = handler  # type: ignore[attr-defined]
    return _import_page(request)


def _too_big() -> str:
    return _("The file is larger than %(limit)s MB (KOUPREY_MAX_UPLOAD_MB).") % {
        "limit": settings.MAX_UPLOAD_MB}


@csrf_protect
def _import_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _answer(request, {})
    user: Any = request.user
    mapping = request.POST.get("mapping") or "default"
    dry_run = request.POST.get("action") != "import"
    ticket = request.POST.get("token", "")  # names a file kept after a clean check
    path = _kept(user.pk, ticket) if ticket else None
    if path is None:
        upload = request.FILES.get("file")
        if getattr(getattr(request, "kouprey_upload", None), "too_big", False):
            return _answer(request, {"error": _too_big()}, status=413)
        if upload is None:
            return _answer(request, {"error": _("Choose a CSV or XLSX file.")}, status=400)
        path, ticket = _keep(request, upload)
    last_entry = _last_audit_id()
    try:
        result = import_seizures(path, mapping=mapping, user=user, dry_run=dry_run)
    except (FileRejected, LookupError, PermissionError, ValueError) as exc:
        path.unlink(missing_ok=True)
        return _answer(request, {"error": str(exc), "mapping": mapping}, status=400)
    if not dry_run or not result.ok:
        path.unlink(missing_ok=True)
        ticket = ""
    context = {"result": result, "mapping": mapping, "token": ticket,
               "counts": list(result.children.items()),
               # The months it wrote recounted now, not by the next reader of the indicators.
               "indicators": store.bring_up_to_date() if result.committed else None,
               "imported_ids": _imported_ids(user, last_entry) if result.committed
               and result.created else []}
    return _answer(request, context, status=200 if result.ok else 400)


def _last_audit_id() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _imported_ids(user: Any, after: int) -> list[int]:
    """The seizures this import wrote, from its audit entries (one per seizure, written in
    the import's transaction after ``after``); [] when too many to name in a link."""
    ids = [int(pk) for pk in AuditEntry.objects.filter(
        pk__gt=after, actor=user, action=AuditEntry.Action.IMPORT, model="seizures.seizure",
    ).order_by("pk").values_list("object_id", flat=True)[:MAX_IDS_IN_URL + 1]]
    return ids if len(ids) <= MAX_IDS_IN_URL else []


def columns() -> list[tuple[str, str, tuple[str, ...]]]:
    """The columns the default mapping reads, by part of the record: (key, title, names)."""
    return [("seizure", _("The seizure (its first row)"), SEIZURE_FIELDS),
            ("item", _("An item (one per row)"), ITEM_FIELDS),
            ("suspect", _("A suspect (one per row)"), SUSPECT_FIELDS),
            ("source", _("A source (one per row)"), SOURCE_FIELDS)]


def _answer(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    user: Any = request.user
    names = mapping_names(user.organisation_id)
    if lists.output_format(request) == "json":
        result = context.get("result")
        return JsonResponse({
            "mappings": names, "max_upload_mb": settings.MAX_UPLOAD_MB,
            "error": context.get("error"), "token": context.get("token") or None,
            "result": result.as_dict() if result is not None else None,
            "indicators": context.get("indicators"),
            "imported_ids": context.get("imported_ids") or None,
            "columns": {key: list(names) for key, _title, names in columns()},
        }, status=status)
    context.update(mappings=names, max_upload_mb=settings.MAX_UPLOAD_MB, columns=columns(),
                   header=",".join(n for _k, _t, names in columns() for n in names))
    context.setdefault("mapping", "default")
    return render(request, "seizures/import.html", context, status=status)
