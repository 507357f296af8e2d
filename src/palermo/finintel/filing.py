"""A report as a reporting entity files it, whatever the format (goAML XML, CSV, JSON):
what the intake parsers produce and the reporting service stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from palermo.errors import Invalid
from palermo.translatable import N_

# The kinds of report an FIU receives (goAML report codes; FIUs add their own).
REPORT_KINDS = {
    "STR": N_("Suspicious transaction report"),
    "SAR": N_("Suspicious activity report"),
    "CTR": N_("Cash transaction report"),
    "DPMSR": N_("Dealers in precious metals and stones report"),
    "AIF": N_("Additional information file"),
}


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (an element path such as
    `/report/transaction[2]/amount_local`, or `line 7, column amount`), which rule, the value."""

    path: str
    rule: str
    message: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "rule": self.rule, "message": self.message, "value": self.value}


class ReportRejected(Invalid):
    """A refused file: every problem found, nothing stored."""

    code = "report_rejected"

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"report refused: {first.path}: {first.message}{more}",
            details=[p.as_dict() for p in problems],
        )
        self.problems = problems


@dataclass(frozen=True)
class Transfer:
    """One reported transaction between two accounts (or cash in or out: no account)."""

    number: str  # the reporter's transaction number, unique within the report
    time: datetime  # UTC-aware
    amount: float  # in `currency`, > 0
    currency: str  # ISO 4217
    source: str | None  # an account key of `Filing.entities` (None: cash paid in)
    target: str | None  # an account key (None: cash taken out)
    source_country: str | None = None  # ISO 3166-1 alpha-2
    target_country: str | None = None
    channel: str | None = None  # goAML transmode code, e.g. CASH, ELCFT
    description: str | None = None


@dataclass(frozen=True)
class Filing:
    """A parsed, valid report. `entities` are FtM entity dicts ({"id", "schema",
    "properties"}) with ids local to the report; persons who are the report's subjects
    (the reporter's clients, the parties of an activity report) are listed in `subjects`."""

    reference: str  # the reporter's own reference (goAML entity_reference): unique per reporter
    kind: str  # a key of REPORT_KINDS
    reporter_id: str  # goAML rentity_id: the reporting entity's registration with the FIU
    submitted_at: datetime
    currency: str  # the report's local currency
    reason: str
    action: str | None = None
    branch: str | None = None
    indicators: tuple[str, ...] = ()
    entities: tuple[dict[str, Any], ...] = ()
    subjects: frozenset[str] = frozenset()
    transfers: tuple[Transfer, ...] = ()
    format: str = "goaml"  # goaml, csv, json
    extra: dict[str, Any] = field(default_factory=dict)
