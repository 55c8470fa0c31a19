"""Permission rules for the seizures URLs (see core.policy)."""

POLICY: dict[str, object] = {}
