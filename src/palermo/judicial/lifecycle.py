"""A request for judicial cooperation and the steps it goes through (Palermo Arts. 16, 18):
drafted by the requesting central authority, sent to the requested one, acknowledged,
assigned to an executing authority, executed in parts and answered — or, after consultation
with the requesting state, refused on a coded ground with reasons; withdrawn by the
requester at any point before the end."""

from __future__ import annotations

import enum

from palermo.translatable import N_


class RequestKind(enum.StrEnum):
    mla = "mla"
    extradition = "extradition"
    recognition = "recognition"  # of a freezing or confiscation order


KIND_TITLES = {
    RequestKind.mla: N_("Mutual legal assistance"),
    RequestKind.extradition: N_("Extradition"),
    RequestKind.recognition: N_("Recognition of a freezing or confiscation order"),
}


class Measure(enum.StrEnum):
    """What an MLA request asks for (Palermo Art. 18(3), and the JIT of Art. 19)."""

    taking_evidence = "taking_evidence"
    service_of_documents = "service_of_documents"
    search_and_seizure = "search_and_seizure"
    freezing = "freezing"
    bank_records = "bank_records"
    video_hearing = "video_hearing"
    temporary_transfer = "temporary_transfer"  # of a detained person, Art. 18(10)
    jit_setup = "jit_setup"


MEASURE_TITLES = {
    Measure.taking_evidence: N_("Taking evidence or statements"),
    Measure.service_of_documents: N_("Service of judicial documents"),
    Measure.search_and_seizure: N_("Searches and seizures"),
    Measure.freezing: N_("Freezing"),
    Measure.bank_records: N_("Production of bank records"),
    Measure.video_hearing: N_("Hearing by video conference"),
    Measure.temporary_transfer: N_("Temporary transfer of a detained person"),
    Measure.jit_setup: N_("Setting up a joint investigation team"),
}


class Status(enum.StrEnum):
    draft = "draft"
    sent = "sent"
    acknowledged = "acknowledged"
    assigned = "assigned"
    in_execution = "in_execution"
    consultation = "consultation"  # the requested state consults before refusing
    answered = "answered"
    refused = "refused"
    withdrawn = "withdrawn"


FINAL = frozenset({Status.answered, Status.refused, Status.withdrawn})
OPEN = frozenset(Status) - FINAL - {Status.draft}


class Step(enum.StrEnum):
    send = "send"
    acknowledge = "acknowledge"
    assign = "assign"
    execute = "execute"  # a part executed
    answer = "answer"
    consult = "consult"
    resume = "resume"  # consultation settled: the request goes on
    refuse = "refuse"
    withdraw = "withdraw"


class Side(enum.StrEnum):
    """Who takes a step: the requesting central authority, the requested one, or the
    authority executing the request in the requested state."""

    requesting = "requesting"
    requested = "requested"
    executing = "executing"


# step → (the states it starts from, the state it leads to, who may take it)
STEPS: dict[Step, tuple[frozenset[Status], Status | None, frozenset[Side]]] = {
    Step.send: (frozenset({Status.draft}), Status.sent, frozenset({Side.requesting})),
    Step.acknowledge: (
        frozenset({Status.sent}),
        Status.acknowledged,
        frozenset({Side.requested}),
    ),
    Step.assign: (
        frozenset({Status.acknowledged}),
        Status.assigned,
        frozenset({Side.requested}),
    ),
    Step.execute: (
        frozenset({Status.assigned, Status.in_execution}),
        Status.in_execution,
        frozenset({Side.requested, Side.executing}),
    ),
    Step.answer: (
        frozenset({Status.assigned, Status.in_execution}),
        Status.answered,
        frozenset({Side.requested}),
    ),
    Step.consult: (
        frozenset({Status.sent, Status.acknowledged, Status.assigned, Status.in_execution}),
        Status.consultation,
        frozenset({Side.requested}),
    ),
    # Back to where it stood before the consultation (None: the service knows).
    Step.resume: (frozenset({Status.consultation}), None, frozenset({Side.requested})),
    Step.refuse: (
        frozenset({Status.consultation}),
        Status.refused,
        frozenset({Side.requested}),
    ),
    Step.withdraw: (
        frozenset(Status) - FINAL,
        Status.withdrawn,
        frozenset({Side.requesting}),
    ),
}


def steps_from(status: Status) -> list[Step]:
    return [step for step, (sources, _, _) in STEPS.items() if status in sources]


class Ground(enum.StrEnum):
    """Grounds on which a requested state may refuse (Palermo Arts. 16, 18(21), and the
    extradition treaties' usual ones). Fiscal matters are no ground (Arts. 16(15), 18(22)):
    there is deliberately no such member."""

    non_conformity = "non_conformity"
    sovereignty_public_order = "sovereignty_public_order"
    domestic_prohibition = "domestic_prohibition"
    contrary_to_legal_system = "contrary_to_legal_system"
    no_dual_criminality = "no_dual_criminality"
    discriminatory_purpose = "discriminatory_purpose"
    nationality = "nationality"
    political_offence = "political_offence"
    ne_bis_in_idem = "ne_bis_in_idem"
    lapse_of_time = "lapse_of_time"
    death_penalty = "death_penalty"


GROUND_TITLES = {
    Ground.non_conformity: N_("Not made in conformity with the convention (Art. 18(21)(a))"),
    Ground.sovereignty_public_order: N_(
        "Prejudice to sovereignty, security, ordre public or essential interests (Art. 18(21)(b))"
    ),
    Ground.domestic_prohibition: N_(
        "Domestic law prohibits the action for a similar offence at home (Art. 18(21)(c))"
    ),
    Ground.contrary_to_legal_system: N_(
        "Contrary to the legal system of the requested state (Art. 18(21)(d))"
    ),
    Ground.no_dual_criminality: N_("Absence of dual criminality (Arts. 16(1), 18(9))"),
    Ground.discriminatory_purpose: N_(
        "Made to prosecute or punish a person on account of sex, race, religion, nationality, "
        "ethnic origin or political opinions (Art. 16(14))"
    ),
    Ground.nationality: N_(
        "The person is a national: submitted to prosecution at home instead (Art. 16(10))"
    ),
    Ground.political_offence: N_("Political offence (extradition treaties, e.g. ETS 024 Art. 3)"),
    Ground.ne_bis_in_idem: N_("Already finally judged for the same acts (ne bis in idem)"),
    Ground.lapse_of_time: N_("Prosecution or punishment barred by lapse of time"),
    Ground.death_penalty: N_("Death penalty without the assurances asked for"),
}

# Grounds that only an extradition request can be refused on.
EXTRADITION_ONLY = frozenset({Ground.nationality, Ground.political_offence, Ground.death_penalty})
