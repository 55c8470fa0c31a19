"""Permission rules for the indicators URLs (see core.policy)."""

POLICY: dict[str, object] = {
    "indicators:table": "view",
    "indicators:records": "view",
}
