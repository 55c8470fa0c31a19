"""Permission rules for the indicators URLs (see core.policy)."""

POLICY: dict[str, object] = {}
