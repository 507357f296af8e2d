"""Special investigative techniques: activity is logged only inside a valid authorisation,
and the agency acting under one is warned before it expires."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from palermo.cases import membership, techniques
from palermo.cases.vocabulary import Technique
from palermo.errors import Forbidden, Invalid
from palermo.models.audit import AuditEvent
from palermo.models.cases import Authorisation, Case
from palermo.models.records import Notification
from palermo.models.tasks import Task
from tests.cases.conftest import NOW, TODAY, Team


@pytest.fixture
def case(team: Team) -> Case:
    return team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})


def authorise(
    team: Team,
    case: Case,
    *,
    by: str = "nl",
    technique: Technique = Technique.controlled_delivery,
    valid_from: date = date(2026, 5, 1),
    valid_until: date = date(2026, 6, 30),
    jurisdictions: tuple[str, ...] = ("NL", "DE"),
    reference: str = "RC-ROT-2026/118",
) -> Authorisation:
    return techniques.record_authorisation(
        team.db,
        principal=team[by],
        case=case,
        technique=technique,
        reference=reference,
        authority="Rechter-commissaris, Rechtbank Rotterdam",
        scope="Container MSKU 7781234 from Paramaribo to Rotterdam and on to Hamburg",
        valid_from=valid_from,
        valid_until=valid_until,
        jurisdictions=jurisdictions,
        now=NOW,
    )


def test_activity_inside_the_authorisation_is_logged(team: Team, case: Case) -> None:
    held = authorise(team, case)
    activity = techniques.log_activity(
        team.db,
        principal=team["nl"],
        case=case,
        authorisation=held,
        on=date(2026, 5, 20),
        country="DE",
        description="Container followed by road from Venlo to Hamburg",
        now=NOW,
    )
    assert activity.country == "DE"
    assert [a.description for a in techniques.activities(team.db, held)] == [
        "Container followed by road from Venlo to Hamburg"
    ]


@pytest.mark.parametrize(
    ("on", "country", "reason"),
    [
        (date(2026, 4, 30), "NL", "holds from 2026-05-01"),
        (date(2026, 5, 20), "BE", "does not hold in BE"),
        (date(2026, 6, 3), "NL", "in the future"),
    ],
)
def test_activity_outside_the_authorisation_is_refused_and_the_refusal_audited(
    team: Team, case: Case, on: date, country: str, reason: str
) -> None:
    held = authorise(team, case, valid_until=date(2026, 12, 31))
    with pytest.raises((Forbidden, Invalid), match=reason):
        techniques.log_activity(
            team.db,
            principal=team["nl"],
            case=case,
            authorisation=held,
            on=on,
            country=country,
            description="Observation",
            now=NOW,
        )
    refusal = team.db.scalars(select(AuditEvent).where(AuditEvent.action == "cases.activity")).one()
    assert refusal.outcome == "failure"
    assert reason in refusal.detail["reason"]
    assert techniques.activities(team.db, held) == []


def test_after_expiry_or_revocation_nothing_more_is_logged(team: Team, case: Case) -> None:
    expired = authorise(team, case, valid_until=date(2026, 5, 31), reference="A-1")
    with pytest.raises(Forbidden, match="expired on 2026-05-31"):
        techniques.log_activity(
            team.db,
            principal=team["nl"],
            case=case,
            authorisation=expired,
            on=TODAY,
            country="NL",
            description="Observation",
            now=NOW,
        )
    revoked = authorise(team, case, valid_until=date(2026, 9, 30), reference="A-2")
    techniques.revoke(
        team.db, principal=team["nl"], case=case, authorisation=revoked, on=TODAY, now=NOW
    )
    with pytest.raises(Forbidden, match="revoked on"):
        techniques.log_activity(
            team.db,
            principal=team["nl"],
            case=case,
            authorisation=revoked,
            on=TODAY,
            country="NL",
            description="Observation",
            now=NOW,
        )


def test_only_the_holder_logs_under_its_authorisation(team: Team, case: Case) -> None:
    held = authorise(team, case)
    with pytest.raises(Forbidden, match="held by another agency"):
        techniques.log_activity(
            team.db,
            principal=team["de"],
            case=case,
            authorisation=held,
            on=date(2026, 5, 20),
            country="DE",
            description="Observation",
            now=NOW,
        )


def test_the_holder_is_warned_before_expiry_once(team: Team, case: Case) -> None:
    soon = authorise(team, case, valid_until=TODAY + timedelta(days=10), reference="SOON")
    authorise(team, case, valid_until=TODAY + timedelta(days=60), reference="LATER")
    gone = authorise(team, case, valid_until=TODAY - timedelta(days=3), reference="GONE")
    german = authorise(team, case, by="de", valid_until=TODAY + timedelta(days=5), reference="DE-1")
    due = techniques.expiring(team.db, team["nl"], within_days=14, today=TODAY)
    assert [(d.authorisation.reference, d.days_left) for d in due] == [("GONE", -3), ("SOON", 10)]
    assert due[0].expired
    assert not due[1].expired
    assert [
        d.authorisation
        for d in techniques.expiring(team.db, team["de"], within_days=14, today=TODAY)
    ] == [german]
    assert techniques.sweep(team.db, principal=team["nl"], warning_days=14, now=NOW) == 3
    assert techniques.sweep(team.db, principal=team["nl"], warning_days=14, now=NOW) == 0
    warned = team.db.scalars(
        select(Task).where(Task.kind == techniques.EXPIRY_TASK).order_by(Task.title)
    ).all()
    assert {(t.agency_id, t.subject_id) for t in warned} == {
        (team.agencies["NL-NP"].id, str(soon.id)),
        (team.agencies["NL-NP"].id, str(gone.id)),
        (team.agencies["DE-BKA"].id, str(german.id)),
    }
    messages = team.db.scalars(
        select(Notification.message).where(Notification.kind == techniques.EXPIRY_TASK)
    ).all()
    assert any("SOON" in m and "expires on" in m for m in messages)
    assert any("GONE" in m and "expired on" in m for m in messages)


def test_an_agency_that_left_the_case_is_not_warned(team: Team, case: Case) -> None:
    authorise(team, case, by="de", valid_until=TODAY + timedelta(days=5), reference="DE-1")
    membership.leave(team.db, principal=team["de"], case=case, now=NOW)
    assert techniques.sweep(team.db, principal=team["nl"], warning_days=14, now=NOW) == 0
