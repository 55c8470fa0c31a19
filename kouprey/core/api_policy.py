"""Permission rules for the API's routes (namespace ``api``), merged by core.policy.

A route with several methods has one rule per method. The API's own pages (the OpenAPI
documentation and schema) need a signed-in user, like every page.
"""

from __future__ import annotations

from kouprey.core.permissions import ADD, CHANGE, VIEW
from kouprey.core.policy import SIGNED_IN

POLICY: dict[str, object] = {
    "api:index": SIGNED_IN,
    "api:api-root": SIGNED_IN,
    "api:openapi-json": SIGNED_IN,
    "api:openapi-view": SIGNED_IN,
    "api:seizure_list": {"GET": VIEW, "POST": ADD},
    "api:seizure_detail": {"GET": VIEW, "PUT": CHANGE, "PATCH": CHANGE},
    "api:case_list": {"GET": VIEW, "POST": ADD},
    "api:case_detail": {"GET": VIEW, "PUT": CHANGE, "PATCH": CHANGE},
}
