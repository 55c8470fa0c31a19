"""Permission rules for the seizures URLs (see core.policy)."""

POLICY: dict[str, object] = {
    "seizures:list": "view",
    "seizures:detail": "view",
    "seizures:create": {"GET": "add", "POST": "add"},
    "seizures:import": {"GET": "import", "POST": "import"},
    "seizures:edit": {"GET": "change", "POST": "change"},
    "seizures:delete": {"GET": "delete", "POST": "delete"},
}
