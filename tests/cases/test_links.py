"""An asset found in a case names it: the case's timeline records it; a case reference the
agency is no member of is refused, a national file number is kept as written."""

from __future__ import annotations

import pytest

from palermo.assets.register import register
from palermo.cases import timeline
from palermo.errors import NotFound
from tests.assets.conftest import asset_in
from tests.cases.conftest import NOW, Team


def test_an_asset_found_in_a_case_is_on_its_timeline(team: Team) -> None:
    case = team.case(members={"DE-BKA": "participant"})
    found = register(
        team.db,
        principal=team["de"],
        settings=team.settings,
        payload=asset_in(
            "Apartment, Elbchaussee 40, Hamburg",
            country="DE",
            provenance="case",
            provenance_ref=case.reference,
        ),
        now=NOW,
    )
    brought = [e.summary for e in timeline.events(team.db, case) if e.kind == "brought_in"]
    assert brought == [f"asset {found.reference} found: Apartment, Elbchaussee 40, Hamburg"]

    with pytest.raises(NotFound, match="your agency is a member of"):
        register(
            team.db,
            principal=team["fr"],
            settings=team.settings,
            payload=asset_in(country="FR", provenance="case", provenance_ref=case.reference),
            now=NOW,
        )
    kept = register(
        team.db,
        principal=team["fr"],
        settings=team.settings,
        payload=asset_in(country="FR", provenance="case", provenance_ref="JIRS Paris 24/0093"),
        now=NOW,
    )
    assert kept.provenance_ref == "JIRS Paris 24/0093"
