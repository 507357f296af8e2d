"""The envelope's vocabularies and the rule that restrictions only ever tighten.

Sources: LED Art. 6 (data-subject categories) and Art. 7 (facts and assessments); Europol
Regulation Art. 29 (evaluation codes); SIENA handling codes H0–H3; FIRST TLP 2.0.
"""

from __future__ import annotations

import enum

from palermo.translatable import N_


class SubjectCategory(enum.StrEnum):
    suspect = "suspect"
    convicted = "convicted"
    victim = "victim"
    witness = "witness"
    contact = "contact"  # contacts and associates
    informant = "informant"


class Nature(enum.StrEnum):
    fact = "fact"
    assessment = "assessment"


class SourceReliability(enum.StrEnum):
    A = "A"  # no doubt about authenticity, trustworthiness and competence
    B = "B"  # mostly reliable
    C = "C"  # mostly not reliable
    X = "X"  # cannot be assessed


class InformationAccuracy(enum.StrEnum):
    known_true = "1"
    known_to_source = "2"
    corroborated = "3"
    not_assessed = "4"


class HandlingCode(enum.StrEnum):
    H0 = "H0"  # use only to prevent and combat crime
    H1 = "H1"  # not to be disclosed in judicial proceedings without the provider's permission
    H2 = "H2"  # not to be disseminated without the provider's permission
    H3 = "H3"  # other restrictions, stated in free text


HANDLING_MEANING = {
    HandlingCode.H0: N_("Use only to prevent and combat crime"),
    HandlingCode.H1: N_("Not to be used in judicial proceedings without the provider's permission"),
    HandlingCode.H2: N_("Not to be disseminated without the provider's permission"),
    HandlingCode.H3: N_("Other restrictions apply (see the note)"),
}


class Tlp(enum.StrEnum):
    clear = "CLEAR"
    green = "GREEN"
    amber = "AMBER"
    amber_strict = "AMBER+STRICT"
    red = "RED"


class Purpose(enum.StrEnum):
    """Why data is processed (cf. Interpol RPD Art. 10); mandatory on every record and query."""

    criminal_investigation = "criminal_investigation"
    crime_prevention = "crime_prevention"
    criminal_analysis = "criminal_analysis"
    locate_person = "locate_person"
    identify_person = "identify_person"
    border_management = "border_management"
    financial_intelligence = "financial_intelligence"
    asset_recovery = "asset_recovery"
    counter_terrorism = "counter_terrorism"
    judicial_cooperation = "judicial_cooperation"


PURPOSE_TITLES = {
    Purpose.criminal_investigation: N_("Criminal investigation"),
    Purpose.crime_prevention: N_("Crime prevention"),
    Purpose.criminal_analysis: N_("Criminal analysis"),
    Purpose.locate_person: N_("Locate a person"),
    Purpose.identify_person: N_("Identify a person"),
    Purpose.border_management: N_("Border management"),
    Purpose.financial_intelligence: N_("Financial intelligence"),
    Purpose.asset_recovery: N_("Asset recovery"),
    Purpose.counter_terrorism: N_("Counter-terrorism"),
    Purpose.judicial_cooperation: N_("Judicial cooperation"),
}


class ShareScope(enum.StrEnum):
    agency = "agency"
    country = "country"
    everyone = "everyone"  # every law-enforcement agency of the platform (not private partners)


class AccessLevel(enum.StrEnum):
    full = "full"
    hit_only = "hit_only"  # reference and owner only; details on request to the owner


class RecordStatus(enum.StrEnum):
    active = "active"
    blocked = "blocked"  # past delete-by without a decision: kept, but out of use
    erased = "erased"  # content deleted; the row remains as a tombstone for the audit trail


# Rank of each label: a higher rank is a tighter restriction.
HANDLING_RANK = {HandlingCode.H0: 0, HandlingCode.H1: 1, HandlingCode.H2: 2, HandlingCode.H3: 3}
TLP_RANK = {Tlp.clear: 0, Tlp.green: 1, Tlp.amber: 2, Tlp.amber_strict: 3, Tlp.red: 4}
