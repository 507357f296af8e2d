"""The request form's fields and the request they describe: the subject's fields and the
FtM properties they fill, the type's particulars converted from what was typed (numbers,
ticked boxes; empty means "not given"), and where each finding of the checks is shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from palermo.models.base import utcnow
from palermo.notices import checks, service
from palermo.notices.checks import Finding
from palermo.notices.kinds import (
    FIELDS,
    KIND_TITLES,
    SUBJECT_SCHEMATA,
    FieldType,
    NoticeKind,
    field_of,
)
from palermo.notices.schemas import NoticeIn, NoticeOut
from palermo.translatable import N_
from palermo.web.notices.common import problems

PERSON = ("Person",)
LEGAL = ("Organization", "Company", "LegalEntity")
CRAFT = ("Vehicle", "Vessel")
# The kinds whose requester may let the notice into the public extract (UN: always public).
MAY_BE_PUBLIC = frozenset({NoticeKind.red, NoticeKind.yellow})
# Where a finding without a field of its own is shown in the form.
RULE_PLACES = (
    ("subject.", "subject"),
    ("red.identity", "subject"),
    ("visibility.recipients", "recipients"),
    ("visibility.public", "public_extract"),
)
# Where a validation error of NoticeIn is shown, and the label it is told under.
PAYLOAD_PLACES = {"countries": "recipients", "agencies": "recipients"}
PAYLOAD_LABELS = {
    "title": "Title",
    "subject": "Subject",
    "countries": "Recipient countries",
    "agencies": "Recipient agencies",
    "exception_reasons": "Reasons for an exception",
}


@dataclass(frozen=True)
class SubjectField:
    """A field of the subject part of the form, and the FtM property it fills in each
    schema that takes it."""

    name: str
    label: str
    props: dict[str, str]
    placeholder: str = ""
    options: tuple[str, ...] = ()
    long: bool = False

    @property
    def shown_for(self) -> str:
        """Whose fields these are: a person's, an organisation's or craft's, or all."""
        if set(self.props) == {"Person"}:
            return "person"
        return "others" if "Person" not in self.props else "all"


def _same(prop: str, schemata: tuple[str, ...]) -> dict[str, str]:
    return dict.fromkeys(schemata, prop)


SUBJECT_FIELDS = (
    SubjectField("subject_name", N_("Full name"), _same("name", PERSON + LEGAL + CRAFT)),
    SubjectField("first_name", N_("First name"), _same("firstName", PERSON)),
    SubjectField("last_name", N_("Last name"), _same("lastName", PERSON)),
    SubjectField(
        "birth_date",
        N_("Date of birth"),
        _same("birthDate", PERSON),
        N_("YYYY, YYYY-MM or YYYY-MM-DD"),
    ),
    SubjectField(
        "gender", N_("Gender"), _same("gender", PERSON), options=("male", "female", "other")
    ),
    SubjectField(
        "nationality", N_("Nationality"), _same("nationality", PERSON), N_("ISO code, e.g. DE")
    ),
    SubjectField("id_number", N_("Identity card number"), _same("idNumber", PERSON)),
    SubjectField("passport_number", N_("Passport number"), _same("passportNumber", PERSON)),
    SubjectField("birth_place", N_("Place of birth"), _same("birthPlace", PERSON)),
    SubjectField("appearance", N_("Distinguishing marks"), _same("appearance", PERSON), long=True),
    SubjectField(
        "country",
        N_("Country (jurisdiction or flag)"),
        {**_same("jurisdiction", LEGAL), "Vehicle": "country", "Vessel": "flag"},
        N_("ISO code, e.g. PA"),
    ),
    SubjectField(
        "registration_number", N_("Registration number"), _same("registrationNumber", LEGAL + CRAFT)
    ),
)
TEXT_FIELDS = ("title", "subject_schema", "countries", "agencies", "exception_reasons")
FLAGS = ("public_extract", "exception_requested")


# From the form to the request ----------------------------------------------------------------
def particular_key(name: str) -> str:
    """The form's name for a particular (kept apart from the form's own fields)."""
    return f"p_{name}"


def blank_form(kind: NoticeKind) -> dict[str, Any]:
    form: dict[str, Any] = dict.fromkeys(TEXT_FIELDS + tuple(f.name for f in SUBJECT_FIELDS), "")
    form.update(dict.fromkeys(FLAGS, False))
    for spec in FIELDS[kind]:
        form[particular_key(spec.name)] = [] if spec.type is FieldType.choices else ""
    return form


def read_form(kind: NoticeKind, data: FormData) -> dict[str, Any]:
    """What the officer typed, as the form holds it (text as typed, ticked boxes)."""
    form = blank_form(kind)
    for name, value in form.items():
        if isinstance(value, bool):
            form[name] = bool(data.get(name))
        elif isinstance(value, list):
            form[name] = [v for v in data.getlist(name) if isinstance(v, str)]
        else:
            typed = data.get(name)
            form[name] = typed if isinstance(typed, str) else ""
    return form


def _codes(text: str) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", text.upper()) if c]


def _values(text: str) -> list[str]:
    """Several values of one property are separated by semicolons."""
    return [v.strip() for v in text.split(";") if v.strip()]


def _particular(spec_type: FieldType, raw: Any) -> Any:
    """The value as the checks read it; None for "not given". Malformed values pass as typed
    so that the checks say what is wrong with them."""
    if spec_type is FieldType.choices:
        return [v for v in raw if v] or None
    text = raw.strip()
    if not text:
        return None
    if spec_type is FieldType.months:
        return int(text) if text.isascii() and text.isdigit() else text
    if spec_type is FieldType.flag:
        return True
    if spec_type is FieldType.countries:
        return _codes(text)
    return text


def particulars_of(kind: NoticeKind, form: dict[str, Any]) -> dict[str, Any]:
    found = {
        spec.name: _particular(spec.type, form[particular_key(spec.name)]) for spec in FIELDS[kind]
    }
    return {name: value for name, value in found.items() if value is not None}


def _subject_schema(kind: NoticeKind, form: dict[str, Any]) -> str | None:
    schemata = SUBJECT_SCHEMATA[kind]
    if schemata is None:
        return None
    return form["subject_schema"] if form["subject_schema"] in schemata else schemata[0]


def subject_of(kind: NoticeKind, form: dict[str, Any]) -> dict[str, Any] | None:
    """The subject as an FtM entity; None when nothing of it was given."""
    schema = _subject_schema(kind, form)
    if schema is None:
        return None
    properties: dict[str, list[str]] = {}
    for field in SUBJECT_FIELDS:
        prop = field.props.get(schema)
        if prop and _values(form[field.name]):
            properties[prop] = _values(form[field.name])
    if schema == "Person" and "name" not in properties:
        # A person's name is required by FtM: the first and last names make it up.
        full = " ".join(properties.get("firstName", [])[:1] + properties.get("lastName", [])[:1])
        if full:
            properties["name"] = [full]
    return {"schema": schema, "properties": properties} if properties else None


def with_unshown(
    subject: dict[str, Any] | None, stored: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The edited subject, keeping the stored properties the form does not show (aliases,
    notes… from a draft made through the API): editing in the form never drops them."""
    if not subject or not stored or stored.get("schema") != subject["schema"]:
        return subject
    shown = {f.props.get(subject["schema"]) for f in SUBJECT_FIELDS}
    kept = {p: v for p, v in stored.get("properties", {}).items() if p not in shown}
    return {**subject, "properties": {**kept, **subject["properties"]}}


def default_title(kind: NoticeKind, diffusion: bool, subject: dict[str, Any] | None) -> str:
    title = KIND_TITLES[kind] + (" diffusion" if diffusion else "")
    names = (subject or {}).get("properties", {}).get("name") or []
    return f"{title}: {names[0]}" if names else title


def notice_in(kind: NoticeKind, diffusion: bool, form: dict[str, Any]) -> NoticeIn:
    """The request the form describes (ValidationError if its shape is wrong)."""
    subject = subject_of(kind, form)
    return NoticeIn.model_validate(
        {
            "kind": kind,
            "diffusion": diffusion,
            "title": form["title"].strip() or default_title(kind, diffusion, subject),
            "subject": subject,
            "particulars": particulars_of(kind, form),
            "countries": _codes(form["countries"]),
            "agencies": _codes(form["agencies"]),
            "public_extract": form["public_extract"],
            "exception_requested": form["exception_requested"],
            "exception_reasons": form["exception_reasons"].strip() or None,
        }
    )


def form_of(notice: NoticeOut) -> dict[str, Any]:
    """A stored draft, as the form shows it for editing."""
    form = blank_form(notice.kind)
    subject = notice.subject or {}
    schema = subject.get("schema", "")
    properties = subject.get("properties", {})
    form["subject_schema"] = schema
    for field in SUBJECT_FIELDS:
        prop = field.props.get(schema)
        form[field.name] = "; ".join(properties.get(prop, [])) if prop else ""
    for spec in FIELDS[notice.kind]:
        value = notice.particulars.get(spec.name)
        if value is None:
            continue
        if spec.type is FieldType.choices:
            form[particular_key(spec.name)] = list(value)
        elif spec.type is FieldType.countries:
            form[particular_key(spec.name)] = ", ".join(value)
        elif spec.type is FieldType.flag:
            form[particular_key(spec.name)] = "1" if value else ""
        else:
            form[particular_key(spec.name)] = str(value)
    form.update(
        title=notice.title,
        countries=", ".join(notice.countries),
        agencies=", ".join(notice.agencies),
        public_extract=notice.public_extract,
        exception_requested=notice.exception_requested,
        exception_reasons=notice.exception_reasons or "",
    )
    return form


# Findings -------------------------------------------------------------------------------------
def findings_of(kind: NoticeKind, diffusion: bool, form: dict[str, Any]) -> list[Finding]:
    """The automatic checks of what the form holds (duplicates are looked for on submission);
    a request of the wrong shape is told as such first."""
    try:
        payload = notice_in(kind, diffusion, form)
    except ValidationError as error:
        return [
            Finding("form", "error", str(message), field=PAYLOAD_PLACES.get(name, name) or None)
            for name, message in problems(error, PAYLOAD_LABELS)
        ]
    return checks.check(service.request_of(payload), today=utcnow().date())


def place_of(kind: NoticeKind, finding: Finding) -> str | None:
    """The form element a finding is shown beside (None: only in the summary)."""
    if finding.field:
        return particular_key(finding.field) if field_of(kind, finding.field) else finding.field
    return next((place for prefix, place in RULE_PLACES if finding.rule.startswith(prefix)), None)


def places(kind: NoticeKind, diffusion: bool) -> list[str]:
    """Every place of the form where findings are shown."""
    found = ["title"]
    if SUBJECT_SCHEMATA[kind] is not None:
        found.append("subject")
    found += [particular_key(spec.name) for spec in FIELDS[kind]]
    found.append("recipients")
    if kind in MAY_BE_PUBLIC and not diffusion:
        found.append("public_extract")
    if kind is NoticeKind.red:
        found.append("exception_reasons")
    return found
