"""The cross-border team of the cases tests (the Dutch police leading, Germany's BKA taking
part, a French police force outside, a bank), and a way to collect their records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from palermo.records import service as records
from palermo.records.envelope import Purpose, Tlp
from palermo.records.schemas import ShareIn
from tests.cases import conftest as cases_world
from tests.cases.conftest import NOW, Team
from tests.records.helpers import envelope

team = cases_world.team  # NL-NP, DE-BKA, CO-DIJIN, EUROPOL, ES-MJ, FR-OFAST and a bank

ANALYSIS = [Purpose.criminal_investigation, Purpose.criminal_analysis]


def collect(
    team: Team,
    by: str,
    offences: list[str],
    *,
    shares: list[ShareIn] | None = None,
    purposes: list[Purpose] | None = None,
    now: datetime = NOW,
    name: str | None = None,
) -> str:
    """A person record of `by`'s agency naming `offences`; its id."""
    fields: dict[str, Any] = {
        "offences": offences,
        "purposes": purposes or ANALYSIS,
        "tlp": Tlp.green,
    }
    record = records.create_record(
        team.db,
        principal=team[by],
        settings=team.settings,
        entity={
            "id": uuid.uuid4().hex[:12],
            "schema": "Person",
            "properties": {"name": [name or f"Person {uuid.uuid4().hex[:6]}"]},
        },
        envelope=envelope(shares=shares or [], **fields),
        now=now,
    )
    team.db.commit()
    return record.id
