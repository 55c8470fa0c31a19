"""`kouprey check`: data consistency rules, gathered from each app's ``checks.py``.

Each Kouprey app may have a ``checks.py`` with ``CHECKS``, a list of functions that take the
user whose records are checked and yield ``Problem``s. A rule reads through
``restrict(user, "view")`` and is written as one query (no loop over every record), so a check
of a large database stays quick. A problem names its record (reference or number, and id) and
its rule; errors make the command exit non-zero, warnings do not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from kouprey.core.models import User

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    rule: str  # a stable id, e.g. "verdict_without_charge"
    severity: str  # ERROR or WARNING
    model: str  # "seizure", "case" ...
    record_id: int
    reference: str  # how people know the record: reference, case number, title
    message: str

    @property
    def record(self) -> str:
        return f"{self.model} {self.reference or '#' + str(self.record_id)} (id {self.record_id})"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "record": self.record}


Check = Callable[["User"], Iterable[Problem]]


def all_checks() -> list[Check]:
    found: list[Check] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("kouprey."):
            continue
        try:
            module = import_module(f"{config.name}.checks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.checks":
                raise
            continue
        found.extend(getattr(module, "CHECKS", []))
    return found


def all_records_reader() -> User:
    """An unsaved superuser: the administrator's view of every record (for the CLI).

    It passes through ``restrict()`` like any user, so reading stays on the one path.
    """
    from kouprey.core.models import User

    return User(username="kouprey", is_superuser=True, is_active=True)


def run_checks(user: User | None = None) -> list[Problem]:
    """Every problem in the records ``user`` may see (None: every record), errors first."""
    user = user if user is not None else all_records_reader()
    problems = [p for check in all_checks() for p in check(user)]
    return sorted(problems, key=lambda p: (p.severity != ERROR, p.rule, p.model, p.record_id))
