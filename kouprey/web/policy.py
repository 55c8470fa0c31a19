"""Permission rules for the site-wide URLs (see core.policy)."""

from kouprey.core.policy import PUBLIC, SIGNED_IN

POLICY: dict[str, object] = {
    "home": SIGNED_IN,
    "login": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
}
