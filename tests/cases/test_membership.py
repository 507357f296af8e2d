"""Need-to-know membership: only current members see a case, its lead manages it, every
change is on the timeline and in the audit log."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from palermo.cases import membership, service
from palermo.cases.vocabulary import CaseStatus, MemberRole
from palermo.errors import Conflict, Forbidden, Invalid, NotFound
from palermo.policy import cases as policy
from tests.cases.conftest import BASIS, NOW, Team
from tests.conftest import audit_actions

AGENCIES = ["NL-NP", "DE-BKA", "CO-DIJIN", "EUROPOL", "ES-MJ", "FR-OFAST"]
PERSON_OF = {
    "NL-NP": "nl",
    "DE-BKA": "de",
    "CO-DIJIN": "co",
    "EUROPOL": "europol",
    "ES-MJ": "es",
    "FR-OFAST": "fr",
}


def test_the_lead_opens_a_numbered_case_and_is_its_first_member(team: Team) -> None:
    first = team.case("Operation Harbour")
    second = team.case("Operation Reef")
    assert first.reference == "NL-NP/C/2026/0001"
    assert second.reference == "NL-NP/C/2026/0002"
    detail = service.detail(team.db, team["nl"], first, now=NOW)
    assert [(m.agency, m.role) for m in detail.members] == [("NL-NP", MemberRole.lead)]
    assert detail.timeline[0].summary.startswith("NL-NP opened the case as lead")
    assert "cases.open" in audit_actions(team.db)


def test_unknown_offence_codes_are_refused_by_name(team: Team) -> None:
    with pytest.raises(Invalid, match="99999"):
        team.case(offences=["0601", "99999"])


def test_non_members_get_a_404_and_members_see_the_case(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})
    for name in ("de", "europol", "nl", "nl_supervisor"):
        assert policy.case_for(team.db, team[name], case.id) == case
    for name in ("fr", "co", "es", "bank", "nl_admin", "nl_auditor"):
        with pytest.raises(NotFound):
            policy.case_for(team.db, team[name], case.id)
    assert [c.reference for c in service.listing(team.db, team["fr"])] == []
    assert [c.my_role for c in service.listing(team.db, team["europol"])] == [MemberRole.observer]


def test_a_member_that_leaves_loses_sight_on_its_next_request(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    membership.leave(team.db, principal=team["de"], case=case, now=NOW)
    with pytest.raises(NotFound):
        policy.case_for(team.db, team["de"], case.id)
    detail = service.detail(team.db, team["nl"], case, now=NOW)
    left = [m for m in detail.members if m.agency == "DE-BKA"]
    assert left[0].left_at is not None
    assert detail.timeline[-1].summary == "DE-BKA left the case"
    # Re-admitted, it sees the case again, under its new legal basis.
    membership.admit(
        team.db,
        principal=team["nl"],
        case=case,
        agency_code="DE-BKA",
        role=MemberRole.observer,
        legal_basis="MLA request 2026/17",
        now=NOW,
    )
    assert policy.case_for(team.db, team["de"], case.id) == case


def test_only_the_lead_admits_and_a_private_partner_never_joins(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})
    with pytest.raises(Forbidden, match="only the lead"):
        membership.admit(
            team.db,
            principal=team["de"],
            case=case,
            agency_code="FR-OFAST",
            role=MemberRole.participant,
            legal_basis=BASIS,
            now=NOW,
        )
    with pytest.raises(Invalid, match="private partner"):
        membership.admit(
            team.db,
            principal=team["nl"],
            case=case,
            agency_code="BANK",
            role=MemberRole.observer,
            legal_basis=BASIS,
            now=NOW,
        )
    with pytest.raises(Conflict, match="already a member"):
        membership.admit(
            team.db,
            principal=team["nl"],
            case=case,
            agency_code="DE-BKA",
            role=MemberRole.participant,
            legal_basis=BASIS,
            now=NOW,
        )


def test_handing_the_lead_over(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    with pytest.raises(Invalid, match="hand the lead over"):
        membership.leave(team.db, principal=team["nl"], case=case, now=NOW)
    membership.change_role(
        team.db,
        principal=team["nl"],
        case=case,
        agency_code="DE-BKA",
        role=MemberRole.lead,
        now=NOW,
    )
    roles = {m.agency: m.role for m in service.members_out(team.db, case)}
    assert roles == {"NL-NP": MemberRole.participant, "DE-BKA": MemberRole.lead}
    assert service.detail(team.db, team["de"], case, now=NOW).lead == "DE-BKA"
    with pytest.raises(Forbidden, match="only the lead"):
        membership.close(
            team.db,
            principal=team["nl"],
            case=case,
            closure="done and dusted",
            closed_on=NOW.date(),
            now=NOW,
        )
    membership.leave(team.db, principal=team["nl"], case=case, now=NOW)
    with pytest.raises(NotFound):
        policy.case_for(team.db, team["nl"], case.id)
    assert "cases.role" in audit_actions(team.db)


def test_observers_read_but_do_not_contribute_and_a_closed_case_takes_nothing(
    team: Team,
) -> None:
    case = team.case(members={"EUROPOL": "observer", "DE-BKA": "participant"})
    with pytest.raises(Forbidden, match="observers"):
        policy.contributor(team.db, team["europol"], case)
    membership.close(
        team.db,
        principal=team["nl"],
        case=case,
        closure="Convictions in Rotterdam and Hamburg",
        closed_on=NOW.date(),
        now=NOW,
    )
    assert case.status is CaseStatus.closed
    with pytest.raises(Forbidden, match="closed"):
        policy.contributor(team.db, team["de"], case)
    # Members still read a closed case.
    assert service.detail(team.db, team["de"], case, now=NOW).closure


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(
        st.tuples(
            st.sampled_from(AGENCIES[1:]),
            st.sampled_from(["admit", "leave", "observer", "participant"]),
        ),
        max_size=12,
    )
)
def test_membership_isolation_holds_after_any_sequence_of_changes(
    team: Team, plan: list[tuple[str, str]]
) -> None:
    """Whatever the lead does, exactly the current members (minus private partners and
    non-working roles) see the case; the others get a 404 and an empty list."""
    with team.db.begin_nested() as attempt:
        case = team.case(f"Operation {len(plan)}")
        members = {"NL-NP"}
        for code, action in plan:
            if action == "admit" and code not in members:
                membership.admit(
                    team.db,
                    principal=team["nl"],
                    case=case,
                    agency_code=code,
                    role=MemberRole.participant,
                    legal_basis=BASIS,
                    now=NOW,
                )
                members.add(code)
            elif action == "leave" and code in members:
                membership.leave(
                    team.db, principal=team["nl"], case=case, agency_code=code, now=NOW
                )
                members.discard(code)
            elif action in ("observer", "participant") and code in members:
                membership.change_role(
                    team.db,
                    principal=team["nl"],
                    case=case,
                    agency_code=code,
                    role=MemberRole(action),
                    now=NOW,
                )
        for code, person in PERSON_OF.items():
            listed = {c.id for c in service.listing(team.db, team[person])}
            if code in members:
                assert policy.case_for(team.db, team[person], case.id) == case
                assert case.id in listed
            else:
                with pytest.raises(NotFound):
                    policy.case_for(team.db, team[person], case.id)
                assert case.id not in listed
        for outsider in ("bank", "nl_admin", "nl_auditor"):
            with pytest.raises(NotFound):
                policy.case_for(team.db, team[outsider], case.id)
        attempt.rollback()
