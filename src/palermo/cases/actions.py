"""Action days: a coordinated operation in several countries at once. The lead plans it —
who leads in each country, at what local time, against which targets —, starts it, the
teams report arrests, searches, seizures, victims safeguarded and assets frozen on a live
board, and the lead closes it with the results per country and in total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.cases.membership import agency_named, current_member
from palermo.cases.timeline import (
    ACTION_CLOSED,
    ACTION_PLANNED,
    ACTION_RESULTS,
    ACTION_STARTED,
    ACTION_TARGET,
    changed,
)
from palermo.cases.vocabulary import (
    CONTRIBUTING,
    COUNTED,
    RESULT_TITLES,
    ActionStatus,
    ResultKind,
)
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.identity.principal import Principal
from palermo.identity.service import country_code
from palermo.models.cases import (
    ActionCountry,
    ActionDay,
    ActionResult,
    ActionTarget,
    Case,
)
from palermo.models.identity import Agency
from palermo.policy import cases as policy
from palermo.translatable import N_, written

MILLI = 1000
PEOPLE_AND_PLACES = "count"


@dataclass(frozen=True)
class CountryPlan:
    country: str
    agency_code: str
    local_time: datetime  # naive: the wall-clock time where the teams act
    timezone: str  # IANA, e.g. "Europe/Amsterdam"


def zone(name: str) -> ZoneInfo:
    if name not in available_timezones():
        raise Invalid(
            N_("unknown time zone %(name)s: use an IANA name such as Europe/Madrid"),
            name=repr(name),
        )
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        raise Invalid(N_("unknown time zone %(name)s"), name=repr(name)) from None


def plan(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    name: str,
    countries: Sequence[CountryPlan],
    now: datetime,
) -> ActionDay:
    """The lead plans an action day: in each country an agency of that country, a
    contributing member, leads the teams at a local time."""
    lead = policy.lead(session, principal, case)
    if not countries:
        raise Invalid(N_("an action day acts in one country at least"))
    day = ActionDay(case_id=case.id, name=name, status=ActionStatus.planned, created_at=now)
    session.add(day)
    session.flush()
    seen: set[str] = set()
    for entry in countries:
        country = country_code(entry.country)
        if country in seen:
            raise Invalid(N_("%(country)s is planned twice"), country=country)
        seen.add(country)
        agency = _national_lead(session, case, entry.agency_code, country)
        if entry.local_time.tzinfo is not None:
            raise Invalid(N_("give the planned time as the local wall-clock time, with its zone"))
        planned = entry.local_time.replace(tzinfo=zone(entry.timezone)).astimezone(UTC)
        session.add(
            ActionCountry(
                action_day_id=day.id,
                country=country,
                agency_id=agency.id,
                planned_at=planned,
                timezone=entry.timezone,
            )
        )
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action="cases.action_plan",
        summary=written(ACTION_PLANNED, name=repr(name), countries=", ".join(sorted(seen))),
        now=now,
        object_ids=[day.id],
    )
    session.flush()
    return day


def _national_lead(session: Session, case: Case, code: str, country: str) -> Agency:
    agency = agency_named(session, code)
    member = current_member(session, case, agency)
    if member is None or member.role not in CONTRIBUTING:
        raise Invalid(
            N_("%(code)s is not a contributing member of %(reference)s"),
            code=agency.code,
            reference=case.reference,
        )
    if agency.country != country:
        raise Invalid(
            N_("%(code)s is an agency of %(country)s, not of %(country2)s"),
            code=agency.code,
            country=agency.country,
            country2=country,
        )
    return agency


def action_day_of(session: Session, case: Case, day_id: object) -> ActionDay:
    day = session.scalar(
        select(ActionDay).where(ActionDay.case_id == case.id, ActionDay.id == day_id)
    )
    if day is None:
        raise NotFound(N_("no such action day in this case"))
    return day


def countries_of(session: Session, day: ActionDay) -> list[ActionCountry]:
    return list(
        session.scalars(
            select(ActionCountry)
            .where(ActionCountry.action_day_id == day.id)
            .order_by(ActionCountry.planned_at, ActionCountry.country)
        )
    )


def _country(session: Session, day: ActionDay, country: str) -> ActionCountry:
    found = session.get(ActionCountry, (day.id, country_code(country)))
    if found is None:
        raise Invalid(
            N_("the action day %(day)s does not act in %(country)s"),
            day=repr(day.name),
            country=country,
        )
    return found


def add_target(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    day: ActionDay,
    country: str,
    label: str,
    record_id: str | None,
    now: datetime,
) -> ActionTarget:
    member = policy.contributor(session, principal, case)
    if day.status is ActionStatus.closed:
        raise Conflict(N_("the action day %(day)s is closed"), day=repr(day.name))
    where = _country(session, day, country)
    if record_id is not None:
        policy.require_record(session, principal, record_id, now)
    target = ActionTarget(
        action_day_id=day.id, country=where.country, label=label, record_id=record_id
    )
    session.add(target)
    session.flush()
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.action_target",
        summary=written(ACTION_TARGET, country=where.country, name=repr(day.name), label=label),
        now=now,
        object_ids=[target.id],
    )
    return target


def targets(session: Session, day: ActionDay) -> list[ActionTarget]:
    return list(
        session.scalars(
            select(ActionTarget)
            .where(ActionTarget.action_day_id == day.id)
            .order_by(ActionTarget.country, ActionTarget.label)
        )
    )


def _move(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    day: ActionDay,
    to: ActionStatus,
    now: datetime,
) -> ActionDay:
    lead = policy.lead(session, principal, case)
    before = {ActionStatus.live: ActionStatus.planned, ActionStatus.closed: ActionStatus.live}[to]
    if day.status is not before:
        raise Conflict(
            N_("the action day %(day)s is %(status)s, not %(before)s"),
            day=repr(day.name),
            status=day.status.value,
            before=before.value,
        )
    day.status = to
    if to is ActionStatus.live:
        day.started_at = now
    else:
        day.closed_at = now
    changed(
        session,
        case,
        principal=principal,
        agency_id=lead.agency_id,
        action=f"cases.action_{'start' if to is ActionStatus.live else 'close'}",
        summary=written(
            ACTION_STARTED if to is ActionStatus.live else ACTION_CLOSED, name=repr(day.name)
        ),
        now=now,
        object_ids=[day.id],
    )
    session.flush()
    return day


def start(
    session: Session, *, principal: Principal, case: Case, day: ActionDay, now: datetime
) -> ActionDay:
    return _move(session, principal=principal, case=case, day=day, to=ActionStatus.live, now=now)


def close(
    session: Session, *, principal: Principal, case: Case, day: ActionDay, now: datetime
) -> ActionDay:
    return _move(session, principal=principal, case=case, day=day, to=ActionStatus.closed, now=now)


def to_milli(quantity: Decimal | int | str, kind: ResultKind) -> int:
    try:
        value = Decimal(str(quantity))
    except InvalidOperation:
        raise Invalid(
            N_("quantity %(quantity)s is not a number"), quantity=repr(quantity)
        ) from None
    if not value.is_finite() or value <= 0:
        raise Invalid(N_("quantity %(quantity)s must be positive"), quantity=quantity)
    if kind in COUNTED and value != value.to_integral_value():
        raise Invalid(
            N_("%(result_titles)s are counted in whole numbers"),
            result_titles=RESULT_TITLES[kind].lower(),
        )
    milli = value * MILLI
    if milli != milli.to_integral_value():
        raise Invalid(N_("quantity %(quantity)s has more than three decimals"), quantity=quantity)
    if milli >= 10**15:
        raise Invalid(N_("quantity %(quantity)s is too large"), quantity=quantity)
    return int(milli)


def report(
    session: Session,
    *,
    principal: Principal,
    case: Case,
    day: ActionDay,
    country: str,
    kind: ResultKind,
    quantity: Decimal | int | str,
    unit: str | None,
    item: str,
    target_id: object | None,
    note: str,
    now: datetime,
) -> ActionResult:
    """A result on the live board, reported by a contributing member of that country (or
    the lead). Arrests, searches and victims are counted; seizures and frozen assets have
    an item and a unit (kg, units, a currency)."""
    member = policy.contributor(session, principal, case)
    if day.status is not ActionStatus.live:
        raise Conflict(
            N_("the action day %(day)s is %(status)s: results go on a live board"),
            day=repr(day.name),
            status=day.status.value,
        )
    where = _country(session, day, country)
    agency = session.get(Agency, member.agency_id)
    assert agency is not None
    if agency.country != where.country and member.agency_id != case.lead_agency_id:
        raise Forbidden(
            N_("results in %(country)s are reported by its agencies or the lead"),
            country=where.country,
        )
    if kind in COUNTED:
        unit = PEOPLE_AND_PLACES
    elif not unit or not item.strip():
        raise Invalid(
            N_("%(result_titles)s need an item and a unit (kg, units, EUR…)"),
            result_titles=RESULT_TITLES[kind].lower(),
        )
    if target_id is not None:
        target = session.get(ActionTarget, target_id)
        if target is None or target.action_day_id != day.id or target.country != where.country:
            raise Invalid(N_("the target is not one of this action day's in that country"))
    result = ActionResult(
        action_day_id=day.id,
        country=where.country,
        kind=kind,
        item=item.strip(),
        quantity_milli=to_milli(quantity, kind),
        unit=unit_of(unit),
        target_id=target_id,
        note=note,
        agency_id=member.agency_id,
        reported_by=principal.username,
        reported_at=now,
    )
    session.add(result)
    changed(
        session,
        case,
        principal=principal,
        agency_id=member.agency_id,
        action="cases.action_result",
        summary=written(
            ACTION_RESULTS[kind],
            country=where.country,
            quantity=_quantity(result.quantity_milli),
            unit=unit,
            item=item,
        ).strip(),
        now=now,
        object_ids=[day.id],
    )
    session.flush()
    return result


def unit_of(unit: str) -> str:
    """One spelling per unit, so that totals do not split: currencies by their ISO code
    ("eur" is EUR), other units in lower case ("KG" is kg)."""
    unit = unit.strip()
    if pycountry.currencies.get(alpha_3=unit.upper()) is not None:
        return unit.upper()
    return unit.lower()


def _quantity(milli: int) -> str:
    value = Decimal(milli) / MILLI
    return f"{value.normalize():f}"


@dataclass
class Tally:
    """What was achieved: counts of people and places, quantities by item and unit."""

    counts: dict[ResultKind, int] = field(default_factory=lambda: defaultdict(int))
    quantities: dict[tuple[ResultKind, str, str], int] = field(
        default_factory=lambda: defaultdict(int)
    )

    def add(self, result: ActionResult) -> None:
        if result.kind in COUNTED:
            self.counts[result.kind] += result.quantity_milli // MILLI
        else:
            self.quantities[(result.kind, result.item.lower(), result.unit)] += (
                result.quantity_milli
            )

    def quantity(self, kind: ResultKind, item: str, unit: str) -> Decimal:
        return Decimal(self.quantities.get((kind, item.lower(), unit), 0)) / MILLI


@dataclass(frozen=True)
class Results:
    by_country: dict[str, Tally]
    total: Tally


def results(session: Session, day: ActionDay) -> Results:
    """The results per country (every planned one, even with nothing to report) and in total."""
    by_country = {c.country: Tally() for c in countries_of(session, day)}
    total = Tally()
    for result in session.scalars(select(ActionResult).where(ActionResult.action_day_id == day.id)):
        by_country[result.country].add(result)
        total.add(result)
    return Results(by_country=by_country, total=total)


def board(session: Session, day: ActionDay) -> list[ActionResult]:
    """The live board: every result, the latest first."""
    return list(
        session.scalars(
            select(ActionResult)
            .where(ActionResult.action_day_id == day.id)
            .order_by(ActionResult.reported_at.desc())
        )
    )
