"""Builders for API tests: a client signed in with a bearer token, and reference data."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from kouprey.core import tokens
from kouprey.core.models import User
from kouprey.reference.models import DetectionMethod, Place, TransportMode, Unit
from tests import factories as f


class TokenClient:
    """Calls the API as a script would: ``Authorization: Bearer <key>``, JSON bodies."""

    def __init__(self, user: User | None = None, key: str | None = None) -> None:
        self.key = key if key is not None else (tokens.issue(user, "test") if user else "")
        self.client = Client(enforce_csrf_checks=True)

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data or {}, headers=self._headers())

    def send(self, method: str, path: str, body: Any) -> Any:
        call = getattr(self.client, method.lower())
        return call(path, json.dumps(body, default=str), content_type="application/json",
                    headers=self._headers())

    def post(self, path: str, body: Any) -> Any:
        return self.send("POST", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.send("PUT", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("PATCH", path, body)


def reference_data() -> dict[str, Any]:
    """The places, countries and vocabularies the payload examples name by code."""
    return {
        "kos": f.place(),
        "pnh": f.place("Phnom Penh International Airport", kind=Place.Kind.AIRPORT,
                       locode="KHPNH", iata="PNH"),
        "countries": [f.country(c) for c in ("KH", "VN", "CN", "MZ", "NG", "KE")],
        "gdce": f.agency("gdce"), "fa": f.agency("fa", kind="forestry"),
        "ivory": f.commodity("ivory-raw"), "worked": f.commodity("ivory-worked"),
        "scales": f.commodity("pangolin-scales"),
        "elephant": f.taxon(),
        "kg": Unit.objects.get_or_create(code="kg", defaults={"name": "kilogram",
                                                              "dimension": "mass"})[0],
        "xray": DetectionMethod.objects.get_or_create(code="x-ray",
                                                      defaults={"name": "X-ray"})[0],
        "sea": TransportMode.objects.get_or_create(code="sea", defaults={"name": "Sea"})[0],
    }


def seizure_payload(**fields: Any) -> dict[str, Any]:
    """A whole seizure as a script sends it, every reference given by its code."""
    payload: dict[str, Any] = {
        "date": "2019-12-20", "reference": "API-1", "place": "KHKOS",
        "agencies": ["gdce", "fa"], "detection_method": "x-ray", "transport_mode": "sea",
        "container_number": "MSCU1234567", "description": "Tusks in a timber container",
        "items": [
            {"taxon": "Loxodonta africana", "commodity": "ivory-raw", "pieces": 10,
             "weight_kg": "70", "count_unit": "kg"},
            {"commodity": "ivory-worked", "worked": True, "weight_kg": "7"},
        ],
        "chain": {"origins": [{"country": "MZ", "proportion": "0.6"},
                              {"country": "NG", "proportion": "0.4"}],
                  "export": "KE", "discovery": "KH", "destination": "VN",
                  "transits": [{"country": "KH", "seizure_opportunity": True}]},
        "suspects": [{"name": "Synthetic Courier", "nationality": "VN", "role": "courier",
                      "arrested": True, "synthetic": True}],
        "sources": [{"kind": "article", "reference": "Fictitious Daily, 21 Dec 2019"}],
    }
    payload.update(fields)
    return payload
