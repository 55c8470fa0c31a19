"""Permission rules for the cases URLs (see core.policy)."""

POLICY: dict[str, object] = {}
