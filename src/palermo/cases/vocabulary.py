"""The words of a cross-border investigation: who takes part and how, where a joint
investigation team, a task, an action day stand, what evidence and its custody are, which
special investigative techniques need an authorisation, and what an action day achieves."""

from __future__ import annotations

import enum

from palermo.translatable import N_


class CaseStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class MemberRole(enum.StrEnum):
    """The lead runs the case and admits agencies; participants contribute; observers read."""

    lead = "lead"
    participant = "participant"
    observer = "observer"


CONTRIBUTING = frozenset({MemberRole.lead, MemberRole.participant})


class JitStatus(enum.StrEnum):
    """A JIT agreement is drafted, in force once every party signed, and closed with an
    evaluation (Palermo Art. 19; the JIT model agreement of the EU Council, 2017/C 18/01)."""

    draft = "draft"
    in_force = "in_force"
    closed = "closed"


class TaskStatus(enum.StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


TASK_STEPS: dict[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.open: frozenset({TaskStatus.in_progress, TaskStatus.done, TaskStatus.cancelled}),
    TaskStatus.in_progress: frozenset({TaskStatus.done, TaskStatus.cancelled}),
    TaskStatus.done: frozenset(),
    TaskStatus.cancelled: frozenset(),
}


class EvidenceKind(enum.StrEnum):
    digital = "digital"  # a file, stored content-addressed
    physical = "physical"  # an object, described; its custody is logged all the same


class CustodyKind(enum.StrEnum):
    """What the custody log of an item records: every holder, every access, every check."""

    collected = "collected"
    handed_over = "handed_over"  # signed by the agency releasing it
    received = "received"  # countersigned by the agency taking it
    accessed = "accessed"
    verified = "verified"
    integrity_failed = "integrity_failed"
    exported = "exported"


class HandoverStatus(enum.StrEnum):
    pending = "pending"
    received = "received"


class Technique(enum.StrEnum):
    """Special investigative techniques of Palermo Art. 20."""

    controlled_delivery = "controlled_delivery"
    electronic_surveillance = "electronic_surveillance"
    undercover_operation = "undercover_operation"


TECHNIQUE_TITLES = {
    Technique.controlled_delivery: N_("Controlled delivery"),
    Technique.electronic_surveillance: N_("Electronic surveillance"),
    Technique.undercover_operation: N_("Undercover operation"),
}


class ActionStatus(enum.StrEnum):
    """An action day is planned, live while the teams act, and closed with its results."""

    planned = "planned"
    live = "live"
    closed = "closed"


class ResultKind(enum.StrEnum):
    arrest = "arrest"
    search = "search"
    seizure = "seizure"
    victim_safeguarded = "victim_safeguarded"
    asset_frozen = "asset_frozen"


RESULT_TITLES = {
    ResultKind.arrest: N_("Arrests"),
    ResultKind.search: N_("Searches"),
    ResultKind.seizure: N_("Seizures"),
    ResultKind.victim_safeguarded: N_("Victims safeguarded"),
    ResultKind.asset_frozen: N_("Assets frozen"),
}

# Counted results are whole people or places; seizures and frozen assets have a quantity
# in a unit (kg, units, a currency).
COUNTED = frozenset({ResultKind.arrest, ResultKind.search, ResultKind.victim_safeguarded})
