"""The public extract in the shape of Interpol's public notices web service (HAL JSON), and
the import of files in that shape.

Paths follow the service: ``/notices/v1/red``, ``/notices/v1/yellow``, ``/notices/v1/un``
and a notice at ``…/{YYYY-NNNNN}``. List pages carry ``total``, ``query`` and
``_embedded.notices``; items and details carry ``_links``. Filters: ``forename``, ``name``,
``nationality``, ``sexId``, ``arrestWarrantCountryId``, ``ageMin``, ``ageMax``, ``page``,
``resultPerPage`` (at most 160, as the service allows).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from normality import normalize
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation
from palermo.audit.service import record as audit
from palermo.errors import Invalid, NotFound
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.models.identity import Agency
from palermo.models.notices import Notice
from palermo.notices import subjects
from palermo.notices.kinds import NoticeKind, NoticeStatus
from palermo.notices.service import VALIDITY_MONTHS, add_event, months_after
from palermo.policy import notices as policy
from palermo.screening.lists.interpol import entry_of, read_notices, self_link, text_of
from palermo.settings import Settings
from palermo.translatable import N_

PATHS = {NoticeKind.red: "red", NoticeKind.yellow: "yellow", NoticeKind.un_special: "un"}
KINDS = {path: kind for kind, path in PATHS.items()}
MAX_PER_PAGE = 160
GENDER_IDS = {"male": "M", "female": "F"}
# Subject properties the service does not carry: left out of an imported subject.
_NOT_PUBLIC = ("notes", "sourceUrl", "topics")


def slug(entity_id: str) -> str:
    return entity_id.replace("/", "-")


def self_href(notice: Notice) -> str:
    assert notice.entity_id is not None
    return f"/notices/v1/{PATHS[notice.kind]}/{slug(notice.entity_id)}"


def _first(props: dict[str, list[str]], name: str) -> str | None:
    values = props.get(name) or []
    return values[0] if values else None


def _names(props: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """(forename, family name) as the service splits them: the parts when the family name
    is known, else the whole name as the family name."""
    family = _first(props, "lastName")
    if family:
        return _first(props, "firstName"), family
    return None, _first(props, "name")  # a forename alone is no family name


def _number(value: str | None) -> float | int:
    if not value:
        return 0  # how the service says "not known"
    number = float(value)
    return int(number) if number.is_integer() else number


def list_item(notice: Notice) -> dict[str, Any]:
    props = (notice.subject or {}).get("properties", {})
    forename, family = _names(props)
    birth = _first(props, "birthDate")
    return {
        "entity_id": notice.entity_id,
        "forename": forename,
        "name": family,
        "date_of_birth": birth.replace("-", "/") if birth else None,
        "nationalities": [c.upper() for c in props.get("nationality", [])] or None,
        "_links": {"self": {"href": self_href(notice)}},
    }


def detail(notice: Notice, requesting_country: str) -> dict[str, Any]:
    props = (notice.subject or {}).get("properties", {})
    record = list_item(notice)
    record.update(
        {
            "sex_id": GENDER_IDS.get(_first(props, "gender") or "", "U"),
            "country_of_birth_id": (_first(props, "birthCountry") or "").upper() or None,
            "place_of_birth": _first(props, "birthPlace"),
            "height": _number(_first(props, "height")),
            "weight": _number(_first(props, "weight")),
            "eyes_colors_id": props.get("eyeColor") or None,
            "hairs_id": props.get("hairColor") or None,
            "languages_spoken_ids": [v.upper() for v in props.get("spokenLanguage", [])] or None,
            "distinguishing_marks": _first(props, "appearance"),
        }
    )
    if notice.kind is NoticeKind.red:
        record["arrest_warrants"] = arrest_warrants(notice, requesting_country)
    return record


def arrest_warrants(notice: Notice, requesting_country: str) -> list[dict[str, Any]]:
    values = notice.particulars
    if isinstance(values.get("arrest_warrants"), list):  # kept as imported
        return list(values["arrest_warrants"])
    return [
        {
            "charge": values.get("charge"),
            "issuing_country_id": requesting_country,
            "charge_translation": values.get("charge_translation") or None,
        }
    ]


# Listing -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    forename: str | None = None
    name: str | None = None
    nationality: str | None = None
    sex_id: str | None = None
    arrest_warrant_country_id: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    page: int = 1
    per_page: int = 20

    def query(self) -> dict[str, Any]:
        """The filters under the service's own parameter names."""
        names = {
            "forename": self.forename,
            "name": self.name,
            "nationality": self.nationality,
            "sexId": self.sex_id,
            "arrestWarrantCountryId": self.arrest_warrant_country_id,
            "ageMin": self.age_min,
            "ageMax": self.age_max,
        }
        return {k: v for k, v in names.items() if v not in (None, "")}


def _contains(value: str | None, wanted: str | None) -> bool:
    if not wanted:
        return True
    return (normalize(wanted) or "") in (normalize(value or "") or "")


def _age(birth: str | None, today: date) -> int | None:
    if not birth:
        return None
    parts = [int(p) for p in birth.split("-")]
    born = date(parts[0], parts[1] if len(parts) > 1 else 7, parts[2] if len(parts) > 2 else 1)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _matches(record: dict[str, Any], f: Filters, today: date) -> bool:
    if not (_contains(record["forename"], f.forename) and _contains(record["name"], f.name)):
        return False
    if f.nationality and f.nationality.upper() not in (record["nationalities"] or []):
        return False
    if f.sex_id and record["sex_id"] != f.sex_id.upper():
        return False
    if f.arrest_warrant_country_id and f.arrest_warrant_country_id.upper() not in {
        w.get("issuing_country_id") for w in record.get("arrest_warrants", [])
    }:
        return False
    if f.age_min is not None or f.age_max is not None:
        birth = record["date_of_birth"]
        age = _age(birth.replace("/", "-") if birth else None, today)
        if age is None:
            return False
        if (f.age_min is not None and age < f.age_min) or (
            f.age_max is not None and age > f.age_max
        ):
            return False
    return True


def _published(session: Session, kind: NoticeKind) -> list[tuple[Notice, str]]:
    rows = session.execute(
        select(Notice, Agency.country)
        .join(Agency, Agency.id == Notice.requesting_agency_id)
        .where(policy.public(), Notice.kind == kind)
        .order_by(Notice.published_at.desc(), Notice.entity_id)
    )
    return [(notice, country) for notice, country in rows]


def page(session: Session, path: str, filters: Filters, *, today: date) -> dict[str, Any]:
    """One list page of the public extract of a kind, filtered as the service filters."""
    kind = KINDS.get(path)
    if kind is None:
        raise NotFound(
            N_("no public notices of kind %(path)s; kinds: red, yellow, un"), path=repr(path)
        )
    if not 1 <= filters.per_page <= MAX_PER_PAGE:
        raise Invalid(N_("resultPerPage must be 1 to %(max_per_page)s"), max_per_page=MAX_PER_PAGE)
    if filters.page < 1:
        raise Invalid(N_("page starts at 1"))
    found = [
        (n, record)
        for n, country in _published(session, kind)
        if _matches(record := detail(n, country), filters, today)
    ]
    start = (filters.page - 1) * filters.per_page
    base = f"/notices/v1/{path}"
    last = max(1, math.ceil(len(found) / filters.per_page))

    def link(number: int) -> dict[str, str]:
        params = {**filters.query(), "page": number, "resultPerPage": filters.per_page}
        return {"href": f"{base}?{urlencode(params)}"}

    links = {"self": link(filters.page), "first": link(1), "last": link(last)}
    if filters.page > 1:
        links["previous"] = link(filters.page - 1)
    if filters.page < last:
        links["next"] = link(filters.page + 1)
    return {
        "total": len(found),
        "query": {**filters.query(), "page": filters.page, "resultPerPage": filters.per_page},
        "_embedded": {
            "notices": [list_item(n) for n, _ in found[start : start + filters.per_page]]
        },
        "_links": links,
    }


def one(session: Session, path: str, entity_slug: str) -> dict[str, Any]:
    kind = KINDS.get(path)
    entity_id = entity_slug.replace("-", "/", 1)
    for notice, country in _published(session, kind) if kind else []:
        if notice.entity_id == entity_id:
            return detail(notice, country)
    raise NotFound(N_("no public notice %(entity_slug)s"), entity_slug=entity_slug)


def extract(session: Session) -> list[dict[str, Any]]:
    """Every notice of the public extract as detail records (for export and round trips)."""
    return [detail(n, c) for kind in PATHS for n, c in _published(session, kind)]


# Import ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    imported: int
    skipped: int  # already held (same entity_id)


def import_file(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    path: Path,
    agency_code: str,
    kind: NoticeKind | None,
    now: datetime,
) -> ImportReport:
    """Load published notices from a file in the service's shape, all or none.

    They were reviewed and published by their issuer: they arrive published, with that
    provenance in their history, and their subjects enter screening."""
    agency = directory.agency_by_code(session, agency_code)
    if agency is None or agency.id not in principal.acting_agency_ids:
        raise Invalid(
            N_("%(agency_code)s is not an agency hosted on this node"),
            agency_code=repr(agency_code),
        )
    held = set(session.scalars(select(Notice.entity_id).where(Notice.entity_id.is_not(None))))
    imported = skipped = 0
    for where, raw in read_notices(path):
        entry = entry_of(where, raw)  # validates the record and reads its person
        if entry.reference in held:
            skipped += 1
            continue
        held.add(entry.reference)
        notice_kind = kind or _kind_of(raw, where)
        _import_one(session, principal, settings, agency, notice_kind, entry, raw, path, now)
        imported += 1
    audit(
        session,
        action="notice.import",
        operation=Operation.collection,
        principal=principal,
        detail={"file": path.name, "agency": agency.code, "imported": imported, "skipped": skipped},
    )
    return ImportReport(imported=imported, skipped=skipped)


def _kind_of(raw: dict[str, Any], where: str) -> NoticeKind:
    href = self_link(raw)
    for kind, segment in PATHS.items():
        if f"/notices/v1/{segment}/" in href:
            return kind
    raise Invalid(
        N_("%(where)s: the notice's type is not in its self link; give it (--kind)"), where=where
    )


def _import_one(
    session: Session,
    principal: Principal,
    settings: Settings,
    agency: Agency,
    kind: NoticeKind,
    entry: Any,
    raw: dict[str, Any],
    path: Path,
    now: datetime,
) -> None:
    properties = {k: v for k, v in entry.entity["properties"].items() if k not in _NOT_PUBLIC}
    properties.update(_extra(raw, where=entry.reference))
    subject = {"schema": "Person", "properties": properties}
    particulars: dict[str, Any] = {"summary": f"Imported from {path.name}"}
    if kind is NoticeKind.red:
        particulars["arrest_warrants"] = [
            {
                "charge": text_of(w, "charge", entry.reference) or None,
                "issuing_country_id": text_of(w, "issuing_country_id", entry.reference) or None,
                "charge_translation": text_of(w, "charge_translation", entry.reference) or None,
            }
            for w in raw.get("arrest_warrants") or []
        ]
    caption = " ".join(p for p in (raw.get("forename"), raw.get("name")) if p)
    notice = Notice(
        id=uuid.uuid4(),
        kind=kind,
        diffusion=False,
        status=NoticeStatus.published,
        entity_id=entry.reference,
        requesting_agency_id=agency.id,
        requested_by=principal.username,
        title=(caption or entry.reference)[:300],  # the length of its column
        subject=subject,
        particulars=particulars,
        public_extract=kind is not NoticeKind.un_special,
        findings=[],
        review={"imported": path.name, "reviewed_by": "the issuing secretariat"},
        created_at=now,
        published_at=now,
        expires_at=months_after(now, VALIDITY_MONTHS),
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    add_event(
        session,
        notice,
        principal.username,
        agency.code,
        "import",
        None,
        f"published by its issuer; imported from {path.name}",
        now,
    )
    subjects.publish(session, principal, notice, settings, now)


def _extra(raw: dict[str, Any], *, where: str) -> dict[str, list[str]]:
    """Detail fields the watch-list reading does not keep: eye and hair colours."""
    extra: dict[str, list[str]] = {}
    for key, prop in (("eyes_colors_id", "eyeColor"), ("hairs_id", "hairColor")):
        values = raw.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise Invalid(N_("%(where)s: %(key)s must be an array of text"), where=where, key=key)
        if values:
            extra[prop] = values
    return extra
