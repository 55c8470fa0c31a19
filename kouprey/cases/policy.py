"""Permission rules for the cases URLs (see core.policy).

The rule opens the page to a role; which case is reached is decided by ``restrict()``
(another organisation's case answers 404, a case the user may only read answers 404 on edit).
"""

from kouprey.core.permissions import ADD, CHANGE, VIEW

POLICY: dict[str, object] = {
    "cases:list": VIEW,
    "cases:detail": VIEW,
    "cases:seizure_choices": VIEW,
    "cases:create": ADD,
    "cases:edit": CHANGE,
    "cases:add_event": CHANGE,
}
