"""Reference data the pages load once: the places a place field offers as one types.

``place_options`` answers the ``<option>``s of a place ``<datalist>`` (reference.forms)
in the user's language, or with ``?format=json`` the same places as ids and labels. Pages
ask it at an address naming the language and the version of the list (``?lang=..&v=..``,
reference.forms.options_url): a place added or renamed gives the next page a new address,
so the browser may keep an answer for a day (``Cache-Control``) and then asks again with
its ETag (a 304 when nothing changed).
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

from kouprey.reference.forms import PlaceList
from kouprey.reference.models import Place

KEEP_SECONDS = 24 * 3600  # a changed list has a new address (reference.versions)


def place_options(request: HttpRequest) -> HttpResponse:
    places = PlaceList(Place.objects.restrict(request.user))  # type: ignore[arg-type]
    if request.GET.get("format") == "json":
        body = JsonResponse({"places": [{"id": pk, "label": label} for pk, label in
                                        places.items()]},
                            json_dumps_params={"ensure_ascii": False}).content
        content_type = "application/json"
    else:
        body = render_to_string("reference/_place_options.html", {"places": places}).encode()
        content_type = "text/html; charset=utf-8"
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=KEEP_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return get_conditional_response(request, etag=etag, response=response)  # type: ignore[return-value]
