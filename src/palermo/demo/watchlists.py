"""Chapter: the published watch lists, loaded under their issuing authorities, and the
first screenings against them (a border check, a bank's onboarding check)."""

from __future__ import annotations

from pathlib import Path

from palermo.demo.builder import DemoWorld
from palermo.identity import repository
from palermo.identity.service import principal_for
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.screening.lists import PARSERS
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.service import screen
from palermo.screening.watchlists import load_list

LISTS = Path(__file__).parent / "lists"
# (parser, file, issuing authority): each list is owned by the agency that publishes it.
PUBLISHED = (
    ("un", "un_consolidated.xml", "UNSC"),
    ("eu", "eu_fsf.xml", "EU"),
    ("ofac", "ofac/sdn.csv", "OFAC"),
    ("interpol", "interpol_red_list.json", "INTERPOL"),
    ("ftm", "opensanctions.jsonl", "EU"),
)
# (user, purpose, justification, name, birth date): screenings that leave hit notices.
SCREENINGS = (
    (
        "ncb-de.officer",
        "border_management",
        "Frankfurt arrivals, flight SU2314",
        "Иван Петрович Сидоренко",
        "1965-04-12",
    ),
    (
        "nl-hanze.compliance",
        "financial_intelligence",
        "Customer onboarding KYC-2026-0113",
        "Jose Ramon Sanchez Munoz",
        None,
    ),
)


def populate(world: DemoWorld) -> None:
    now = utcnow()
    for source, file, agency in PUBLISHED:
        listing = PARSERS[source](LISTS / file)
        load_list(
            world.session,
            principal=world.operator,
            settings=world.settings,
            listing=listing,
            agency=agency,
            now=now,
        )
    for username, purpose, why, name, born in SCREENINGS:
        user = repository.user_by_username(world.session, username)
        if user is None:
            continue
        screen(
            world.session,
            principal=principal_for(user, channel="web"),
            context=AccessContext.of(purpose, why),
            query=ScreeningQuery.of(name, birth_date=born),
            now=now,
        )
