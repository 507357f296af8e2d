"""The JIT agreement's life: drafted by the lead between contributing members, in force when
the last party signs, extended by agreement, closed with an evaluation."""

from __future__ import annotations

from datetime import date

import pytest

from palermo.cases import jit, service
from palermo.cases.vocabulary import JitStatus
from palermo.errors import Conflict, Forbidden, Invalid
from palermo.models.cases import Case
from tests.cases.conftest import NOW, Team
from tests.conftest import audit_actions

TERMS = [
    jit.PartyTerms("NL-NP", "Dutch Code of Criminal Procedure (Sv), art. 552qa–552qe"),
    jit.PartyTerms("CO-DIJIN", "Código de Procedimiento Penal (Ley 906 de 2004)"),
    jit.PartyTerms("DE-BKA", "StPO §§ 93 IRG"),
]


def draft(team: Team, case: Case, **overrides: object) -> None:
    fields: dict[str, object] = {
        "reference": "JIT-HARBOUR-2026",
        "purpose": "Investigate cocaine imports through Rotterdam and Hamburg",
        "starts_on": date(2026, 2, 1),
        "ends_on": date(2026, 12, 31),
        "evidence_rules": "Information shared in the team may be used as evidence in every "
        "party's courts; anything else needs the provider's consent.",
        "terms": TERMS,
    }
    fields.update(overrides)
    jit.draft(team.db, principal=team["nl"], case=case, now=NOW, **fields)  # type: ignore[arg-type]


@pytest.fixture
def case(team: Team) -> Case:
    return team.case(
        members={"CO-DIJIN": "participant", "DE-BKA": "participant", "EUROPOL": "observer"}
    )


def test_the_agreement_comes_into_force_when_the_last_party_signs(team: Team, case: Case) -> None:
    draft(team, case)
    jit.sign(team.db, principal=team["nl"], case=case, signed_on=date(2026, 2, 3), now=NOW)
    jit.sign(team.db, principal=team["co"], case=case, signed_on=date(2026, 2, 10), now=NOW)
    shown = service.jit_out(team.db, case, NOW.date())
    assert shown is not None
    assert shown.status is JitStatus.draft
    assert {p.agency: p.signed_on for p in shown.parties}["DE-BKA"] is None
    agreement = jit.sign(
        team.db, principal=team["de"], case=case, signed_on=date(2026, 2, 7), now=NOW
    )
    assert agreement.status is JitStatus.in_force
    assert agreement.in_force_on == date(2026, 2, 10)  # the last signature, not the last signer


def test_extension_and_closure(team: Team, case: Case) -> None:
    draft(team, case, ends_on=date(2026, 5, 31))
    for name in ("nl", "co", "de"):
        jit.sign(team.db, principal=team[name], case=case, signed_on=date(2026, 2, 3), now=NOW)
    agreement = jit.agreement_of(team.db, case)
    assert jit.lapsed(agreement, NOW.date())  # 1 June: past its end, neither extended nor closed
    with pytest.raises(Invalid, match="after the current end"):
        jit.extend(
            team.db,
            principal=team["nl"],
            case=case,
            new_end=date(2026, 5, 1),
            reason="more time",
            agreed_on=date(2026, 5, 20),
            now=NOW,
        )
    jit.extend(
        team.db,
        principal=team["nl"],
        case=case,
        new_end=date(2026, 11, 30),
        reason="Financial investigation of the Dubai accounts still running",
        agreed_on=date(2026, 5, 20),
        now=NOW,
    )
    assert not jit.lapsed(agreement, NOW.date())
    shown = service.jit_out(team.db, case, NOW.date())
    assert shown is not None
    assert [(e.previous_end, e.new_end) for e in shown.extensions] == [
        (date(2026, 5, 31), date(2026, 11, 30))
    ]
    with pytest.raises(Invalid, match="evaluation"):
        jit.close(
            team.db, principal=team["nl"], case=case, closed_on=NOW.date(), evaluation="ok", now=NOW
        )
    jit.close(
        team.db,
        principal=team["nl"],
        case=case,
        closed_on=NOW.date(),
        evaluation="Joint team worked: 14 arrests in three countries; evidence admitted in both "
        "courts without challenge.",
        now=NOW,
    )
    assert agreement.status is JitStatus.closed
    with pytest.raises(Conflict, match="closed"):
        jit.extend(
            team.db,
            principal=team["nl"],
            case=case,
            new_end=date(2027, 1, 1),
            reason="again",
            agreed_on=NOW.date(),
            now=NOW,
        )
    for action in ("cases.jit_draft", "cases.jit_sign", "cases.jit_extend", "cases.jit_close"):
        assert action in audit_actions(team.db)


def test_who_may_do_what(team: Team, case: Case) -> None:
    with pytest.raises(Forbidden, match="only the lead"):
        jit.draft(
            team.db,
            principal=team["co"],
            case=case,
            reference="JIT-X",
            purpose="A purpose long enough",
            starts_on=date(2026, 2, 1),
            ends_on=date(2026, 12, 31),
            evidence_rules="Rules of evidence for the team",
            terms=TERMS,
            now=NOW,
        )
    with pytest.raises(Invalid, match="EUROPOL is not a contributing member"):
        draft(team, case, terms=[*TERMS, jit.PartyTerms("EUROPOL", "Europol Regulation")])
    with pytest.raises(Invalid, match="FR-OFAST is not a contributing member"):
        draft(team, case, terms=[*TERMS, jit.PartyTerms("FR-OFAST", "CPP")])
    with pytest.raises(Invalid, match="lead agency is a party"):
        draft(team, case, terms=TERMS[1:])
    with pytest.raises(Invalid, match="after starts_on"):
        draft(team, case, ends_on=date(2026, 1, 1))
    draft(team, case)
    with pytest.raises(Conflict, match="already has"):
        draft(team, case)
    with pytest.raises(Forbidden, match="observers"):
        jit.sign(team.db, principal=team["europol"], case=case, signed_on=NOW.date(), now=NOW)
    jit.sign(team.db, principal=team["co"], case=case, signed_on=NOW.date(), now=NOW)
    with pytest.raises(Conflict, match="signed"):
        jit.sign(team.db, principal=team["co"], case=case, signed_on=NOW.date(), now=NOW)
    with pytest.raises(Conflict, match="draft: only one in force"):
        jit.close(
            team.db,
            principal=team["nl"],
            case=case,
            closed_on=NOW.date(),
            evaluation="Twenty characters or more of evaluation",
            now=NOW,
        )


def test_a_jit_reference_is_used_once(team: Team, case: Case) -> None:
    draft(team, case)
    other = team.case(
        "Operation Reef", members={"CO-DIJIN": "participant", "DE-BKA": "participant"}
    )
    with pytest.raises(Conflict, match="JIT-HARBOUR-2026 is already in use"):
        draft(team, other)
