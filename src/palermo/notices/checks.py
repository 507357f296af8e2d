"""The automatic checks of a notice request, each a named rule with a passing and a failing
outcome: the request form runs them as the officer types, submission refuses a request
with errors, and the reviewer sees every finding before deciding.

Rules (RPD Art. 83 for Red Notices; see `../shared/STANDARDS.md`):
- ``fields.*``: each type's required fields, well-formed (dates, months, ICCS codes…);
- ``subject.*``: the subject is a valid FtM entity of a schema the type takes;
- ``red.identity``: name, date of birth and one more identifier;
- ``red.judicial_data``: a warrant or judgment dated in the past;
- ``red.threshold``: prosecution ≥ 24 months' maximum penalty, sentence ≥ 6 months imposed
  or remaining — or a secretariat exception requested with reasons;
- ``red.excluded_matter``: behavioural or cultural norms, family or private matters,
  administrative violations and private disputes are excluded (the last three unless linked
  to serious or organised crime);
- ``red.indicators``: words in the facts that suggest an excluded matter (for the reviewer);
- ``visibility.*``: diffusions name recipients; Silver Notices and restricted notices never
  enter the public extract;
- ``duplicate.wanted``: the subject already matches a published notice or a wanted person.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from followthemoney import registry
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from palermo.errors import Invalid
from palermo.models.notices import Notice
from palermo.models.screening import ListEntry
from palermo.notices.kinds import (
    FIELDS,
    KIND_TITLES,
    MATTER_TITLES,
    PUBLIC_KINDS,
    SUBJECT_OPTIONAL,
    SUBJECT_SCHEMATA,
    FieldType,
    NoticeKind,
    NoticeStatus,
)
from palermo.offences import iccs
from palermo.records.entities import EntityData, parse_entity
from palermo.screening.scoring import ScreeningQuery, best_matches
from palermo.screening.service import current_index
from palermo.translatable import N_, Texts, written

PROSECUTION_MONTHS = 24
SENTENCE_MONTHS = 6
# Identifiers of which a Red Notice needs at least one besides name and date of birth.
EXTRA_IDENTIFIERS = ("nationality", "idNumber", "passportNumber", "birthPlace", "appearance")
# Words that often reveal a private, family or administrative matter or a matter of
# behavioural norms; only flagged for the reviewer, never refused on their own.
INDICATORS = re.compile(
    r"\b(adulter\w*|apostas\w*|blasphem\w*|homosexual\w*|custody|alimony|child support|"
    r"maintenance arrears|divorce|dowry|unpaid (?:debt|rent|loan)|bounced cheque|"
    r"dishonou?red cheque|breach of contract|visa overstay|overstay\w*|traffic|"
    r"dress code|defamation|insult\w*|desertion|tax arrears)\b",
    re.IGNORECASE,
)
DUPLICATE_SCORE = 0.8

# What the checks say, stored in English with the request and shown in the reader's language
# in the workspace (see `palermo.translatable.Texts`).
NO_SUCH_FIELD = N_("a %(kind)s has no field %(name)s")
REQUIRED = N_("%(label)s is required for a %(kind)s")
MALFORMED = N_("%(label)s: %(problem)s")
NEEDS_SUBJECT = N_("a %(kind)s needs its subject")
NO_SUBJECT = N_("a %(kind)s has no subject")
WRONG_SCHEMA = N_("the subject of a %(kind)s is a %(schemata)s, not a %(schema)s")
NEEDS_IDENTITY = N_("a Red Notice needs the subject's name and date of birth")
NEEDS_IDENTIFIER = N_(
    "a Red Notice needs one more identifier besides name and date of birth: nationality, "
    "identity or passport number, place of birth or description"
)
FUTURE_WARRANT = N_("the warrant or judgment is dated in the future (%(date)s)")
INDICATED = N_(
    "the facts mention %(words)s: make sure the matter is not a private, family, "
    "administrative or behavioural one"
)
# Under the threshold: as such, without an exception's reasons, with an exception asked for.
UNDER_PROSECUTION = {
    "": N_(
        "the offence is punishable by %(months)s months at most; a Red Notice for prosecution "
        "needs at least %(minimum)s months (RPD Art. 83)"
    ),
    "reasons": N_(
        "the offence is punishable by %(months)s months at most; a Red Notice for prosecution "
        "needs at least %(minimum)s months (RPD Art. 83); an exception request needs its reasons"
    ),
    "exception": N_(
        "the offence is punishable by %(months)s months at most; a Red Notice for prosecution "
        "needs at least %(minimum)s months (RPD Art. 83); the requester asks the secretariat "
        "for an exception"
    ),
}
UNDER_SENTENCE = {
    "": N_(
        "the sentence imposed or remaining is under %(minimum)s months; a Red Notice to serve a "
        "sentence needs at least that (RPD Art. 83)"
    ),
    "reasons": N_(
        "the sentence imposed or remaining is under %(minimum)s months; a Red Notice to serve a "
        "sentence needs at least that (RPD Art. 83); an exception request needs its reasons"
    ),
    "exception": N_(
        "the sentence imposed or remaining is under %(minimum)s months; a Red Notice to serve a "
        "sentence needs at least that (RPD Art. 83); the requester asks the secretariat for an "
        "exception"
    ),
}
EXCLUDED_MATTER = N_("%(matter)s cannot ground a Red Notice (RPD Art. 83)")
LINKED_MATTER = N_(
    "%(matter)s linked to serious or organised crime: the reviewer must confirm the link"
)
UNLINKED_MATTER = N_(
    "%(matter)s cannot ground a Red Notice unless linked to serious or organised crime "
    "(RPD Art. 83)"
)
NO_RECIPIENTS = N_("a diffusion goes to chosen countries or agencies: name at least one")
BAD_RECIPIENTS = N_("recipient countries must be ISO 3166-1 alpha-2 codes, not %(codes)s")
SILVER_NOT_PUBLIC = N_("a Silver Notice is never public")
NOT_PUBLIC_KIND = N_(
    "only Red and Yellow Notices (and UN Special Notices) enter the public extract"
)
RESTRICTED_NOT_PUBLIC = N_("a notice restricted to some countries or agencies cannot be public")
MATCHES_NOTICES = N_("the subject matches published notices: %(notices)s")
MATCHES_WANTED = N_("the subject matches Interpol public notices %(references)s")
FINDINGS = Texts(
    NO_SUCH_FIELD,
    REQUIRED,
    MALFORMED,
    NEEDS_SUBJECT,
    NO_SUBJECT,
    WRONG_SCHEMA,
    NEEDS_IDENTITY,
    NEEDS_IDENTIFIER,
    FUTURE_WARRANT,
    INDICATED,
    *UNDER_PROSECUTION.values(),
    *UNDER_SENTENCE.values(),
    EXCLUDED_MATTER,
    LINKED_MATTER,
    UNLINKED_MATTER,
    NO_RECIPIENTS,
    BAD_RECIPIENTS,
    SILVER_NOT_PUBLIC,
    NOT_PUBLIC_KIND,
    RESTRICTED_NOT_PUBLIC,
    MATCHES_NOTICES,
    MATCHES_WANTED,
)
# What `MALFORMED` says of a field's value.
NOT_TEXT = N_("must be text")
TOO_LONG = N_("is longer than 5,000 characters")
NOT_A_DATE = N_("must be a date (YYYY-MM-DD)")
NOT_THAT_DATE = N_("%(value)s is not a date (YYYY-MM-DD)")
IMPLAUSIBLE_DATE = N_("%(value)s is not a plausible date")
NOT_MONTHS = N_("must be a whole number of months (0 to 1200; life: 1200)")
UNKNOWN_ICCS = N_("unknown ICCS code %(value)s")
NOT_AN_OPTION = N_("must be one of %(options)s")
NOT_OPTIONS = N_("must be a list of %(options)s")
NOT_A_FLAG = N_("must be true or false")
NOT_COUNTRIES = N_("not ISO country codes: %(codes)s")
PROBLEMS = Texts(
    NOT_TEXT,
    TOO_LONG,
    NOT_A_DATE,
    NOT_THAT_DATE,
    IMPLAUSIBLE_DATE,
    NOT_MONTHS,
    UNKNOWN_ICCS,
    NOT_AN_OPTION,
    NOT_OPTIONS,
    NOT_A_FLAG,
    NOT_COUNTRIES,
)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" blocks submission and publication; "warning" needs the reviewer
    message: str
    field: str | None = None
    # Ids of the matching notices (duplicates), told only to those who may see them.
    notices: list[str] = dataclass_field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Request:
    """What the checks read: the request as drafted (or as typed into the form)."""

    kind: NoticeKind
    diffusion: bool
    subject: dict[str, Any] | None
    particulars: dict[str, Any]
    countries: list[str]
    agencies: list[str]
    public_extract: bool
    exception_requested: bool
    exception_reasons: str | None


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def check(request: Request, *, today: date) -> list[Finding]:
    """Every rule that needs no database: the live form's checks."""
    found = _fields(request, today)
    subject = _subject(request, found)
    if request.kind is NoticeKind.red:
        found.extend(_red(request, subject, today))
    found.extend(_visibility(request))
    return found


# Fields ---------------------------------------------------------------------------------
def _fields(request: Request, today: date) -> list[Finding]:
    found: list[Finding] = []
    title = KIND_TITLES[request.kind]
    values = request.particulars
    known = {f.name for f in FIELDS[request.kind]}
    for name in sorted(set(values) - known):
        found.append(
            Finding(
                "fields.unknown",
                "error",
                written(NO_SUCH_FIELD, kind=title, name=repr(name)),
                field=name,
            )
        )
    for spec in FIELDS[request.kind]:
        value = values.get(spec.name)
        empty = value is None or value == "" or value == [] or value is False
        needed = spec.required or (
            spec.required_when is not None
            and values.get(spec.required_when[0]) == spec.required_when[1]
        )
        if empty:
            if needed and spec.type is not FieldType.flag:
                found.append(
                    Finding(
                        "fields.required",
                        "error",
                        written(REQUIRED, label=spec.label, kind=title),
                        field=spec.name,
                    )
                )
            continue
        problem = _malformed(spec.type, spec.options, value, today)
        if problem:
            found.append(
                Finding(
                    "fields.format",
                    "error",
                    written(MALFORMED, label=spec.label, problem=problem),
                    field=spec.name,
                )
            )
    return found


def _malformed(kind: FieldType, options: tuple[str, ...], value: Any, today: date) -> str | None:
    if kind in (FieldType.text, FieldType.long_text):
        if not isinstance(value, str):
            return NOT_TEXT
        return TOO_LONG if len(value) > 5000 else None
    if kind is FieldType.date:
        if not isinstance(value, str):
            return NOT_A_DATE
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return written(NOT_THAT_DATE, value=repr(value))
        return None if day.year >= 1900 else written(IMPLAUSIBLE_DATE, value=value)
    if kind is FieldType.months:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1200:
            return NOT_MONTHS
        return None
    if kind is FieldType.iccs:
        if not isinstance(value, str) or value not in iccs():
            return written(UNKNOWN_ICCS, value=repr(value))
        return None
    if kind is FieldType.choice:
        return None if value in options else written(NOT_AN_OPTION, options=", ".join(options))
    if kind is FieldType.choices:
        if not isinstance(value, list) or not value or not set(value) <= set(options):
            return written(NOT_OPTIONS, options=", ".join(options))
        return None
    if kind is FieldType.flag:
        return None if isinstance(value, bool) else NOT_A_FLAG
    if kind is FieldType.countries:
        bad = (
            [v for v in value if registry.country.clean(v) is None]
            if isinstance(value, list)
            else [value]
        )
        return written(NOT_COUNTRIES, codes=", ".join(map(str, bad))) if bad else None
    raise AssertionError(kind)


# Subject --------------------------------------------------------------------------------
def _subject(request: Request, found: list[Finding]) -> EntityData | None:
    schemata = SUBJECT_SCHEMATA[request.kind]
    title = KIND_TITLES[request.kind]
    if request.subject is None:
        if schemata is not None and request.kind not in SUBJECT_OPTIONAL:
            found.append(Finding("subject.required", "error", written(NEEDS_SUBJECT, kind=title)))
        return None
    if schemata is None:
        found.append(Finding("subject.unexpected", "error", written(NO_SUBJECT, kind=title)))
        return None
    try:
        subject = parse_entity(request.subject)
    except Invalid as error:
        found.append(Finding("subject.invalid", "error", f"subject: {error.message}"))
        return None
    if subject.schema.name not in schemata:
        found.append(
            Finding(
                "subject.schema",
                "error",
                written(
                    WRONG_SCHEMA,
                    kind=title,
                    schemata=" or ".join(schemata),
                    schema=subject.schema.name,
                ),
            )
        )
        return None
    return subject


# Red Notice minimum criteria (RPD Art. 83) -----------------------------------------------
def _red(request: Request, subject: EntityData | None, today: date) -> list[Finding]:
    values = request.particulars
    found: list[Finding] = []
    if subject is not None:
        props = subject.properties
        if not props.get("name") or not props.get("birthDate"):
            found.append(
                Finding(
                    "red.identity",
                    "error",
                    NEEDS_IDENTITY,
                )
            )
        elif not any(props.get(p) for p in EXTRA_IDENTIFIERS):
            found.append(
                Finding(
                    "red.identity",
                    "error",
                    NEEDS_IDENTIFIER,
                )
            )
    warrant_date = values.get("warrant_date")
    if isinstance(warrant_date, str):
        try:
            if date.fromisoformat(warrant_date) > today:
                found.append(
                    Finding(
                        "red.judicial_data",
                        "error",
                        written(FUTURE_WARRANT, date=warrant_date),
                        field="warrant_date",
                    )
                )
        except ValueError:
            pass  # reported by the field check
    found.extend(_threshold(request))
    found.extend(_matter(values))
    text = " ".join(str(values.get(k) or "") for k in ("summary", "charge", "charge_translation"))
    words = sorted({m.group(0).lower() for m in INDICATORS.finditer(text)})
    if words:
        found.append(
            Finding(
                "red.indicators",
                "warning",
                written(INDICATED, words=", ".join(words)),
            )
        )
    return found


def _months(values: dict[str, Any], name: str) -> int | None:
    value = values.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _threshold(request: Request) -> list[Finding]:
    values = request.particulars
    sought = values.get("sought_for")
    if sought == "prosecution":
        penalty = _months(values, "max_penalty_months")
        if penalty is None or penalty >= PROSECUTION_MONTHS:
            return []
        texts, values = UNDER_PROSECUTION, {"months": penalty, "minimum": PROSECUTION_MONTHS}
        where = "max_penalty_months"
    elif sought == "sentence":
        imposed = _months(values, "sentence_imposed_months")
        remaining = _months(values, "sentence_remaining_months")
        if imposed is None or max(imposed, remaining or 0) >= SENTENCE_MONTHS:
            return []
        texts, values = UNDER_SENTENCE, {"minimum": SENTENCE_MONTHS}
        where = "sentence_imposed_months"
    else:
        return []
    if not request.exception_requested:
        return [Finding("red.threshold", "error", written(texts[""], **values), field=where)]
    if not (request.exception_reasons or "").strip():
        return [
            Finding(
                "red.threshold",
                "error",
                written(texts["reasons"], **values),
                field="exception_reasons",
            )
        ]
    return [
        Finding(
            "red.threshold",
            "warning",
            written(texts["exception"], **values),
            field=where,
        )
    ]


def _matter(values: dict[str, Any]) -> list[Finding]:
    matter = values.get("matter")
    if matter in (None, "ordinary_crime") or matter not in MATTER_TITLES:
        return []
    title = MATTER_TITLES[matter].lower()
    if matter == "behavioural_norms":
        return [
            Finding(
                "red.excluded_matter",
                "error",
                written(EXCLUDED_MATTER, matter=title),
                field="matter",
            )
        ]
    if values.get("organised_crime_link") is True:
        return [
            Finding(
                "red.excluded_matter",
                "warning",
                written(LINKED_MATTER, matter=title),
                field="matter",
            )
        ]
    return [
        Finding(
            "red.excluded_matter",
            "error",
            written(UNLINKED_MATTER, matter=title),
            field="matter",
        )
    ]


# Visibility -----------------------------------------------------------------------------
def _visibility(request: Request) -> list[Finding]:
    found: list[Finding] = []
    restricted = bool(request.countries or request.agencies)
    if request.diffusion and not restricted:
        found.append(
            Finding(
                "visibility.recipients",
                "error",
                NO_RECIPIENTS,
            )
        )
    bad = [c for c in request.countries if registry.country.clean(c) is None or len(c) != 2]
    if bad:
        found.append(
            Finding(
                "visibility.recipients",
                "error",
                written(BAD_RECIPIENTS, codes=", ".join(bad)),
            )
        )
    if request.public_extract:
        if request.kind is NoticeKind.silver:
            found.append(Finding("visibility.public", "error", SILVER_NOT_PUBLIC))
        elif request.kind not in PUBLIC_KINDS or request.diffusion:
            found.append(
                Finding(
                    "visibility.public",
                    "error",
                    NOT_PUBLIC_KIND,
                )
            )
        elif restricted:
            found.append(
                Finding(
                    "visibility.public",
                    "error",
                    RESTRICTED_NOT_PUBLIC,
                )
            )
    return found


# Duplicates through screening --------------------------------------------------------------
def duplicates(session: Session, request: Request, *, exclude: uuid.UUID | None) -> list[Finding]:
    """Published notices and wanted persons the subject already matches (by screening).

    The finding names the matching notices by id; who may read them is decided when the
    finding is shown."""
    if request.subject is None:
        return []
    try:
        subject = parse_entity(request.subject)
    except Invalid:
        return []
    names = subject.properties.get("name") or []
    if not names:
        return []
    try:
        query = ScreeningQuery.of(
            names[0],
            schema=subject.schema.name,
            birth_date=next(iter(subject.properties.get("birthDate", [])), None),
        )
    except Invalid:
        return []
    index = current_index(session)
    page = index.candidates(query, schemas=[subject.schema.name], limit=50)
    matched = [
        e.record_id
        for e, m in best_matches(query, [c.entry for c in page.candidates], limit=50)
        if m.score >= DUPLICATE_SCORE
    ]
    if not matched:
        return []
    notices = session.execute(
        select(Notice.id, Notice.kind, Notice.entity_id).where(
            Notice.subject_record_id.in_(matched),
            Notice.status == NoticeStatus.published,
            Notice.id != exclude if exclude else true(),
        )
    ).all()
    wanted = session.scalars(
        select(ListEntry.reference).where(
            ListEntry.record_id.in_(matched),
            ListEntry.source == "interpol",
            ListEntry.retired_at.is_(None),
        )
    ).all()
    found = []
    if notices:
        named = ", ".join(f"{KIND_TITLES[k]} {e}" for _, k, e in notices)
        found.append(
            Finding(
                "duplicate.wanted",
                "warning",
                written(MATCHES_NOTICES, notices=named),
                notices=[str(i) for i, _, _ in notices],
            )
        )
    if wanted:
        found.append(
            Finding(
                "duplicate.wanted",
                "warning",
                written(MATCHES_WANTED, references=", ".join(sorted(wanted))),
            )
        )
    return found
