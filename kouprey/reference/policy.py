"""Permission rules for the reference URLs (see core.policy): every signed-in user reads
reference data."""

from kouprey.core.policy import SIGNED_IN

POLICY: dict[str, object] = {
    "reference:place_options": SIGNED_IN,
}
