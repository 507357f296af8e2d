"""The notice types, their statuses and each type's required fields.

One table (`FIELDS`) says what every type asks for: the request form is drawn from it, the
automatic checks read it, and the API documents it. Sources: Interpol's notice types and the
Rules on the Processing of Data (RPD) Art. 83 for Red Notices (`../shared/STANDARDS.md`).
Kept free of imports from the rest of Palermo so the models can use it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from palermo.translatable import N_


class NoticeKind(enum.StrEnum):
    red = "red"  # locate and provisionally arrest pending extradition
    yellow = "yellow"  # missing persons, persons unable to identify themselves
    blue = "blue"  # information on a person's identity, location or activities
    black = "black"  # unidentified bodies
    green = "green"  # warning about a person's criminal activities
    orange = "orange"  # imminent threat
    purple = "purple"  # modi operandi, objects, devices, hiding places
    silver = "silver"  # locate and identify criminal assets (never public)
    un_special = "un_special"  # Interpol–UN Security Council Special Notice (always public)


KIND_TITLES = {
    NoticeKind.red: N_("Red Notice"),
    NoticeKind.yellow: N_("Yellow Notice"),
    NoticeKind.blue: N_("Blue Notice"),
    NoticeKind.black: N_("Black Notice"),
    NoticeKind.green: N_("Green Notice"),
    NoticeKind.orange: N_("Orange Notice"),
    NoticeKind.purple: N_("Purple Notice"),
    NoticeKind.silver: N_("Silver Notice"),
    NoticeKind.un_special: N_("UN Security Council Special Notice"),
}

KIND_PURPOSES = {
    NoticeKind.red: N_("Locate and provisionally arrest a person pending extradition"),
    NoticeKind.yellow: N_(
        "Locate a missing person or identify a person unable to identify themselves"
    ),
    NoticeKind.blue: N_("Collect information about a person's identity, location or activities"),
    NoticeKind.black: N_("Seek information on an unidentified body"),
    NoticeKind.green: N_("Warn about a person's criminal activities"),
    NoticeKind.orange: N_("Warn of an event, person, object or process that is an imminent threat"),
    NoticeKind.purple: N_("Share modi operandi, objects, devices and hiding places of criminals"),
    NoticeKind.silver: N_("Locate and identify assets for seizure or confiscation"),
    NoticeKind.un_special: N_("Alert to persons and entities under UN Security Council sanctions"),
}

# A diffusion goes straight to chosen recipients: no UN Special diffusion exists.
DIFFUSION_KINDS = frozenset(NoticeKind) - {NoticeKind.un_special}
# What the public extract may hold: Red and Yellow if the requester allows, UN always.
PUBLIC_KINDS = frozenset({NoticeKind.red, NoticeKind.yellow, NoticeKind.un_special})


class NoticeStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"  # waiting for a compliance reviewer
    in_review = "in_review"
    published = "published"  # a diffusion: circulated
    refused = "refused"
    suspended = "suspended"
    cancelled = "cancelled"
    withdrawn = "withdrawn"
    expired = "expired"


ENDED = frozenset(
    {NoticeStatus.refused, NoticeStatus.cancelled, NoticeStatus.withdrawn, NoticeStatus.expired}
)


class FieldType(enum.StrEnum):
    text = "text"
    long_text = "long_text"
    date = "date"
    months = "months"
    iccs = "iccs"
    choice = "choice"
    choices = "choices"
    flag = "flag"
    countries = "countries"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: FieldType = FieldType.text
    required: bool = False
    # Required only when another field has this value: ("sought_for", "prosecution").
    required_when: tuple[str, str] | None = None
    options: tuple[str, ...] = ()
    help: str = ""


SUMMARY = Field("summary", N_("Summary of facts"), FieldType.long_text, required=True)
SOUGHT_FOR = ("prosecution", "sentence")
MATTERS = (
    "ordinary_crime",
    "behavioural_norms",
    "family_private",
    "administrative",
    "private_dispute",
)
MATTER_TITLES = {
    "ordinary_crime": N_("A serious ordinary-law crime"),
    "behavioural_norms": N_("An offence against behavioural or cultural norms"),
    "family_private": N_("A family or private matter"),
    "administrative": N_("An administrative violation"),
    "private_dispute": N_("A private dispute"),
}

FIELDS: dict[NoticeKind, tuple[Field, ...]] = {
    NoticeKind.red: (
        SUMMARY,
        Field("sought_for", N_("Sought for"), FieldType.choice, True, options=SOUGHT_FOR),
        Field("offence_iccs", N_("Offence (ICCS code)"), FieldType.iccs, True),
        Field("law_reference", N_("National law provision"), required=True),
        Field("charge", N_("Charge, as in the warrant or judgment"), required=True),
        Field("charge_translation", N_("Charge in English")),
        Field(
            "max_penalty_months",
            N_("Maximum penalty (months)"),
            FieldType.months,
            required_when=("sought_for", "prosecution"),
            help=N_("at least 24 months for a prosecution (RPD Art. 83)"),
        ),
        Field(
            "sentence_imposed_months",
            N_("Sentence imposed (months)"),
            FieldType.months,
            required_when=("sought_for", "sentence"),
        ),
        Field(
            "sentence_remaining_months",
            N_("Sentence remaining (months)"),
            FieldType.months,
            help=N_("at least 6 months imposed or remaining (RPD Art. 83)"),
        ),
        Field(
            "warrant_kind",
            N_("Judicial decision"),
            FieldType.choice,
            True,
            options=("arrest_warrant", "judgment"),
        ),
        Field("warrant_reference", N_("Warrant or judgment reference"), required=True),
        Field("warrant_date", N_("Date of the warrant or judgment"), FieldType.date, True),
        Field("issuing_authority", N_("Issuing judicial authority"), required=True),
        Field("matter", N_("The matter is"), FieldType.choice, True, options=MATTERS),
        Field(
            "organised_crime_link",
            N_("Linked to serious or organised crime"),
            FieldType.flag,
            help=N_("lifts the exclusion of private and administrative matters (RPD Art. 83)"),
        ),
    ),
    NoticeKind.yellow: (
        SUMMARY,
        Field(
            "category",
            N_("The person is"),
            FieldType.choice,
            True,
            options=("missing", "unable_to_identify"),
        ),
        Field(
            "date_missing",
            N_("Missing since"),
            FieldType.date,
            required_when=("category", "missing"),
        ),
        Field("place_missing", N_("Last seen at"), required_when=("category", "missing")),
        Field("circumstances", N_("Circumstances"), FieldType.long_text, True),
    ),
    NoticeKind.blue: (
        SUMMARY,
        Field("reason", N_("Information sought"), FieldType.long_text, True),
        Field("offence_iccs", N_("Related offence (ICCS code)"), FieldType.iccs),
    ),
    NoticeKind.black: (
        SUMMARY,
        Field("date_found", N_("Date found"), FieldType.date, True),
        Field("place_found", N_("Place found"), required=True),
        Field("identifying_marks", N_("Identifying marks"), FieldType.long_text, True),
        Field("estimated_age", N_("Estimated age")),
        Field("cause_of_death", N_("Cause of death")),
    ),
    NoticeKind.green: (
        SUMMARY,
        Field("offence_iccs", N_("Offence (ICCS code)"), FieldType.iccs, True),
        Field("activities", N_("Criminal activities"), FieldType.long_text, True),
        Field("threat_assessment", N_("Why a repetition is feared"), FieldType.long_text, True),
    ),
    NoticeKind.orange: (
        SUMMARY,
        Field(
            "threat_kind",
            N_("The threat is"),
            FieldType.choice,
            True,
            options=("person", "object", "event", "process"),
        ),
        Field("threat", N_("Nature of the threat"), FieldType.long_text, True),
        Field("place", N_("Where")),
        Field("valid_until", N_("Threat expected until"), FieldType.date),
    ),
    NoticeKind.purple: (
        SUMMARY,
        Field("offence_iccs", N_("Offence (ICCS code)"), FieldType.iccs, True),
        Field("modus_operandi", N_("Modus operandi"), FieldType.long_text, True),
        Field("objects", N_("Objects and devices"), FieldType.long_text),
        Field("concealment", N_("Hiding places and concealment methods"), FieldType.long_text),
    ),
    NoticeKind.silver: (
        SUMMARY,
        Field("assets", N_("Assets sought"), FieldType.long_text, True),
        Field("asset_countries", N_("Countries where assets may be"), FieldType.countries),
        Field("location_hints", N_("Location hints"), FieldType.long_text),
        Field("offence_iccs", N_("Predicate offence (ICCS code)"), FieldType.iccs, True),
        Field("law_reference", N_("National law provision"), required=True),
    ),
    NoticeKind.un_special: (
        SUMMARY,
        Field("un_reference", N_("UN list reference"), required=True, help=N_("e.g. QDi.001")),
        Field("committee", N_("Sanctions committee"), required=True),
        Field(
            "measures",
            N_("Sanctions measures"),
            FieldType.choices,
            True,
            options=("asset_freeze", "travel_ban", "arms_embargo"),
        ),
    ),
}

# Which FtM schemata a type's subject may be; None: the type has no subject.
SUBJECT_SCHEMATA: dict[NoticeKind, tuple[str, ...] | None] = {
    NoticeKind.red: ("Person",),
    NoticeKind.yellow: ("Person",),
    NoticeKind.blue: ("Person",),
    NoticeKind.black: ("Person",),
    NoticeKind.green: ("Person", "Organization", "Company", "LegalEntity"),
    NoticeKind.orange: ("Person", "Organization", "Company", "LegalEntity", "Vehicle", "Vessel"),
    NoticeKind.purple: None,
    NoticeKind.silver: ("Person", "Organization", "Company", "LegalEntity"),
    NoticeKind.un_special: ("Person", "Organization", "LegalEntity"),
}
# Types whose subject may be left out of the request.
SUBJECT_OPTIONAL = frozenset({NoticeKind.orange})


def field_of(kind: NoticeKind, name: str) -> Field | None:
    return next((f for f in FIELDS[kind] if f.name == name), None)
