"""Each automatic check with a passing and a failing case; submission refuses a request
with the rule that failed, and publication re-runs them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from palermo.errors import Forbidden, Invalid
from palermo.notices import checks, service
from palermo.notices.kinds import FIELDS, NoticeKind, NoticeStatus
from palermo.notices.schemas import NoticeIn
from tests.notices.conftest import REVIEW, Desk, red_request, unique_name

TODAY = date(2026, 11, 28)


def rules(payload: NoticeIn) -> dict[str, str]:
    """rule → severity of each finding of the request."""
    found = checks.check(service.request_of(payload), today=TODAY)
    return {f.rule: f.severity for f in found}


def red(**particulars: Any) -> NoticeIn:
    return red_request("Marek Oskarsson", **particulars)


def test_a_complete_red_notice_passes_every_check() -> None:
    assert rules(red()) == {}


@pytest.mark.parametrize(
    ("particulars", "rule"),
    [
        ({"max_penalty_months": 12}, "red.threshold"),
        (
            {
                "sought_for": "sentence",
                "sentence_imposed_months": 4,
                "sentence_remaining_months": 3,
            },
            "red.threshold",
        ),
        ({"matter": "family_private"}, "red.excluded_matter"),
        ({"matter": "behavioural_norms", "organised_crime_link": True}, "red.excluded_matter"),
        ({"matter": "private_dispute"}, "red.excluded_matter"),
        ({"matter": "administrative"}, "red.excluded_matter"),
        ({"warrant_reference": ""}, "fields.required"),
        ({"warrant_date": "2027-01-05"}, "red.judicial_data"),
        ({"warrant_date": "5 March"}, "fields.format"),
        ({"offence_iccs": "9999"}, "fields.format"),
        ({"max_penalty_months": "ten years"}, "fields.format"),
        ({"sought_for": "revenge"}, "fields.format"),
        ({"colour_of_car": "red"}, "fields.unknown"),
    ],
)
def test_red_notice_rules_fail(particulars: dict[str, Any], rule: str) -> None:
    assert rules(red(**particulars)).get(rule) == "error"


def test_threshold_passes_at_the_limits() -> None:
    assert rules(red(max_penalty_months=24)) == {}
    sentence = red(sought_for="sentence", max_penalty_months=None, sentence_imposed_months=6)
    assert rules(sentence) == {}
    remaining = red(sought_for="sentence", sentence_imposed_months=4, sentence_remaining_months=8)
    assert rules(remaining) == {}


def test_a_sentence_needs_the_sentence_imposed() -> None:
    payload = red(sought_for="sentence", max_penalty_months=None)
    found = checks.check(service.request_of(payload), today=TODAY)
    assert [(f.rule, f.field) for f in found] == [("fields.required", "sentence_imposed_months")]


def test_an_exception_request_turns_the_threshold_into_a_warning_for_the_reviewer() -> None:
    payload = red(max_penalty_months=18)
    payload.exception_requested = True
    assert rules(payload)["red.threshold"] == "error"  # reasons are required
    payload.exception_reasons = "Part of a series of 40 frauds by an organised group"
    assert rules(payload) == {"red.threshold": "warning"}


def test_organised_crime_link_lifts_a_private_matter_to_a_warning() -> None:
    assert rules(red(matter="private_dispute", organised_crime_link=True)) == {
        "red.excluded_matter": "warning"
    }


def test_words_of_a_private_matter_are_flagged() -> None:
    found = rules(red(summary="Refuses to pay alimony and child support since 2024"))
    assert found == {"red.indicators": "warning"}


def test_red_identity_needs_name_birth_date_and_one_more_identifier() -> None:
    payload = red()
    assert payload.subject is not None
    payload.subject.properties = {"name": ["Marek Oskarsson"], "birthDate": ["1979-04-11"]}
    assert rules(payload) == {"red.identity": "error"}
    payload.subject.properties["passportNumber"] = ["C01X00T47"]
    assert rules(payload) == {}
    payload.subject.properties = {"name": ["Marek Oskarsson"], "nationality": ["de"]}
    assert rules(payload) == {"red.identity": "error"}


def test_subject_rules() -> None:
    payload = red()
    payload.subject = None
    assert rules(payload) == {"subject.required": "error"}
    payload = red()
    assert payload.subject is not None
    payload.subject.schema_ = "Company"
    payload.subject.properties = {"name": ["Oskarsson Logistics GmbH"]}
    assert rules(payload) == {"subject.schema": "error"}
    payload.subject.properties = {"name": ["X"], "turnover": ["lots"]}
    assert rules(payload) == {"subject.invalid": "error"}
    purple = NoticeIn(
        kind=NoticeKind.purple,
        title="Cocaine in fruit pulp",
        subject={"schema": "Person", "properties": {"name": ["Marek Oskarsson"]}},
        particulars=_minimal(NoticeKind.purple),
    )
    assert rules(purple) == {"subject.unexpected": "error"}
    assert rules(purple.model_copy(update={"subject": None})) == {}


def _minimal(kind: NoticeKind) -> dict[str, Any]:
    """Every required field of a type, filled (and those its first choices require)."""
    values: dict[str, Any] = {}
    for spec in FIELDS[kind]:
        when = spec.required_when
        if not (spec.required or (when and values.get(when[0]) == when[1])):
            continue
        values[spec.name] = {
            "date": "2026-10-02",
            "iccs": "0601",
            "choice": spec.options[0] if spec.options else "",
            "choices": list(spec.options[:1]),
            "months": 36,
        }.get(spec.type.value, "Stated in full in the request")
    return values


@pytest.mark.parametrize("kind", [k for k in NoticeKind if k is not NoticeKind.red])
def test_every_type_requires_its_fields(kind: NoticeKind) -> None:
    subject = (
        None
        if kind is NoticeKind.purple
        else {"schema": "Person", "properties": {"name": [unique_name()], "gender": ["male"]}}
    )
    complete = NoticeIn(kind=kind, title="A request", subject=subject, particulars=_minimal(kind))
    assert rules(complete) == {}
    for spec in FIELDS[kind]:
        if spec.required:
            missing = complete.model_copy(
                update={
                    "particulars": {k: v for k, v in complete.particulars.items() if k != spec.name}
                }
            )
            assert rules(missing) == {"fields.required": "error"}, spec.name


def test_yellow_notice_of_a_missing_person_needs_when_and_where() -> None:
    payload = NoticeIn(
        kind=NoticeKind.yellow,
        title="Missing since October",
        subject={"schema": "Person", "properties": {"name": ["Ana Petrescu"]}},
        particulars={
            "summary": "Left her village with a recruiter",
            "category": "missing",
            "circumstances": "Recruited for farm work abroad",
        },
    )
    found = checks.check(service.request_of(payload), today=TODAY)
    assert sorted(f.field for f in found) == ["date_missing", "place_missing"]


def test_visibility_rules() -> None:
    silver = NoticeIn(
        kind=NoticeKind.silver,
        title="Assets of a network leader",
        subject={"schema": "Person", "properties": {"name": ["Marek Oskarsson"]}},
        particulars=_minimal(NoticeKind.silver),
        public_extract=True,
    )
    assert rules(silver) == {"visibility.public": "error"}
    restricted = red()
    restricted.countries = ["FR", "ES"]
    assert rules(restricted) == {"visibility.public": "error"}
    restricted.public_extract = False
    assert rules(restricted) == {}
    diffusion = red()
    diffusion.diffusion, diffusion.public_extract = True, False
    assert rules(diffusion) == {"visibility.recipients": "error"}
    diffusion.countries = ["NLD"]
    assert rules(diffusion) == {"visibility.recipients": "error"}
    diffusion.countries = ["NL"]
    assert rules(diffusion) == {}


def test_submission_refuses_with_the_rule_that_failed(desk: Desk) -> None:
    for particulars, rule in (
        ({"max_penalty_months": 12}, "red.threshold"),
        ({"matter": "family_private"}, "red.excluded_matter"),
        ({"warrant_reference": ""}, "fields.required"),
    ):
        notice = desk.create(red_request(**particulars))
        with pytest.raises(Invalid, match=rf"\[{rule}\]") as refused:
            desk.act(notice, "submit", desk.requester)
        assert refused.value.details[0]["rule"] == rule
        assert notice.status is NoticeStatus.draft


def test_granted_exception_publishes_below_threshold(desk: Desk) -> None:
    payload = red_request(max_penalty_months=18)
    payload.exception_requested = True
    payload.exception_reasons = "One of 40 linked frauds by an organised group"
    notice = desk.create(payload)
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "claim", desk.reviewer)
    with pytest.raises(Invalid, match="exception granted"):
        desk.act(notice, "publish", desk.reviewer, review=REVIEW)
    considered = REVIEW.model_copy(update={"warnings_acknowledged": True})
    with pytest.raises(Invalid, match="exception granted"):
        desk.act(notice, "publish", desk.reviewer, review=considered)
    granted = considered.model_copy(update={"exception_granted": True})
    desk.act(notice, "publish", desk.reviewer, review=granted)
    assert notice.status is NoticeStatus.published
    assert notice.review["exception_granted"]


def test_warnings_must_be_acknowledged(desk: Desk) -> None:
    notice = desk.create(red_request(summary="Also owes alimony; main facts: cocaine imports"))
    desk.act(notice, "submit", desk.requester)
    desk.act(notice, "claim", desk.reviewer)
    with pytest.raises(Invalid, match="acknowledge every warning"):
        desk.act(notice, "publish", desk.reviewer, review=REVIEW)
    desk.act(
        notice,
        "publish",
        desk.reviewer,
        review=REVIEW.model_copy(update={"warnings_acknowledged": True}),
    )
    assert notice.status is NoticeStatus.published


def test_duplicate_detection_through_screening(desk: Desk) -> None:
    name = unique_name()
    first = desk.publish(red_request(name))
    again = desk.create(red_request(name), by=desk.de_supervisor)
    desk.act(again, "submit", desk.de_supervisor)
    found = [f for f in again.findings if f["rule"] == "duplicate.wanted"]
    assert found
    assert first.entity_id in found[0]["message"]
    assert found[0]["notices"] == [str(first.id)]
    other = desk.create(red_request(unique_name()))
    desk.act(other, "submit", desk.requester)
    assert not [f for f in other.findings if f["rule"] == "duplicate.wanted"]


def test_who_may_request(desk: Desk) -> None:
    with pytest.raises(Forbidden, match="national central bureaus"):
        desk.create(red_request(), by=desk.police)
    with pytest.raises(Forbidden):
        desk.create(red_request(), by=desk.banker)
    un = NoticeIn(
        kind=NoticeKind.un_special,
        title="UN listed person",
        subject={"schema": "Person", "properties": {"name": [unique_name()]}},
        particulars=_minimal(NoticeKind.un_special),
    )
    with pytest.raises(Forbidden, match="secretariat only"):
        desk.create(un)
    assert desk.create(un, by=desk.sg_officer).status is NoticeStatus.draft
    with pytest.raises(Invalid, match="no UN Security Council Special Notice diffusions"):
        desk.create(un.model_copy(update={"diffusion": True}), by=desk.sg_officer)
