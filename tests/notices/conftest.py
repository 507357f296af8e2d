"""A small world for notices: the secretariat with two reviewers, two national central
bureaus, a police agency that screens, and a bank."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from palermo.identity.principal import Principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.base import utcnow
from palermo.models.identity import User
from palermo.models.notices import Notice
from palermo.notices import service
from palermo.notices.schemas import ActionIn, NoticeIn, ReviewIn
from palermo.screening import index as screening_index
from palermo.settings import Settings
from tests.conftest import Factory
from tests.records.helpers import principal_of

REVIEW = ReviewIn(
    art3_compliant=True,
    art3_reasoning="Ordinary-law drug trafficking; no political, military, religious or "
    "racial element predominates.",
    art2_compliant=True,
    art2_reasoning="Judicial warrant by an independent court; no human-rights concern raised.",
)


def unique_name() -> str:
    """A made-up name of this test (the screening index outlives each test's rollback)."""
    letters = str.maketrans("0123456789abcdef", "bcdfghklmnprstvz")
    first, last = uuid.uuid4().hex[:6].translate(letters), uuid.uuid4().hex[:8].translate(letters)
    return f"{first.title()}a {last.title()}o"


def red_request(name: str | None = None, **particulars: Any) -> NoticeIn:
    values: dict[str, Any] = {
        "summary": "Leader of a cocaine importation network through the port of Hamburg.",
        "sought_for": "prosecution",
        "offence_iccs": "0601",
        "law_reference": "BtMG § 30a",
        "charge": "Unerlaubtes Handeltreiben mit Betäubungsmitteln in nicht geringer Menge",
        "charge_translation": "Trafficking in narcotics in significant quantities",
        "max_penalty_months": 180,
        "warrant_kind": "arrest_warrant",
        "warrant_reference": "AG Hamburg 163 Gs 1142/26",
        "warrant_date": "2026-03-02",
        "issuing_authority": "Amtsgericht Hamburg",
        "matter": "ordinary_crime",
    }
    values.update(particulars)
    full = name or unique_name()
    first, _, last = full.partition(" ")
    return NoticeIn.model_validate(
        {
            "kind": "red",
            "title": f"Wanted for prosecution: {full}",
            "subject": {
                "schema": "Person",
                "properties": {
                    "name": [full],
                    "firstName": [first],
                    "lastName": [last],
                    "birthDate": ["1979-04-11"],
                    "nationality": ["de"],
                    "gender": ["male"],
                },
            },
            "particulars": values,
            "public_extract": True,
        }
    )


@dataclass
class Desk:
    db: Session
    factory: Factory
    settings: Settings
    requester: Principal  # officer of NCB-DE
    de_supervisor: Principal
    reviewer: Principal  # supervisor at the secretariat
    reviewer2: Principal
    sg_officer: Principal
    fr_officer: Principal  # officer of NCB-FR
    ke_officer: Principal  # officer of NCB-KE
    police: Principal  # officer of a French police agency
    banker: Principal
    users: dict[str, User]

    def bearer(self, username: str) -> dict[str, str]:
        return self.factory.bearer(self.users[username])

    def create(self, payload: NoticeIn, by: Principal | None = None) -> Notice:
        notice = service.create(
            self.db, principal=by or self.requester, payload=payload, now=utcnow()
        )
        self.db.commit()
        return notice

    def act(
        self,
        notice: Notice,
        action: str,
        by: Principal,
        reasons: str | None = None,
        review: ReviewIn | None = None,
        now: datetime | None = None,
    ) -> Notice:
        try:
            done = service.act(
                self.db,
                principal=by,
                notice_id=notice.id,
                action=action,
                body=ActionIn(reasons=reasons, review=review),
                settings=self.settings,
                now=now or utcnow(),
            )
            self.db.commit()
        except Exception:
            self.db.rollback()
            raise
        return done

    def publish(self, payload: NoticeIn, review: ReviewIn = REVIEW, **kw: Any) -> Notice:
        notice = self.create(payload, **kw)
        self.act(notice, "submit", kw.get("by", self.requester))
        self.act(notice, "claim", self.reviewer)
        return self.act(notice, "publish", self.reviewer, review=review)


@pytest.fixture(autouse=True)
def fresh_screening_index() -> None:
    """Subject records are named after entity ids, which restart in every rolled-back test:
    the process's screening index must not keep a previous test's record of the same id."""
    screening_index._INDEXES.clear()


@pytest.fixture
def desk(db: Session, factory: Factory, settings: Settings) -> Desk:
    sg = factory.agency("SG", kind=AgencyKind.secretariat, country="FR")
    de = factory.agency("NCB-DE", kind=AgencyKind.national_central_bureau, country="DE")
    fr = factory.agency("NCB-FR", kind=AgencyKind.national_central_bureau, country="FR")
    ke = factory.agency("NCB-KE", kind=AgencyKind.national_central_bureau, country="KE")
    police = factory.agency("FR-POL", kind=AgencyKind.police, country="FR")
    bank = factory.agency("FR-BANK", kind=AgencyKind.private_partner, country="FR")

    users: dict[str, User] = {}

    def user(name: str, agency: Any, *roles: Role) -> Principal:
        created, _ = factory.user(name, *roles, agency=agency)
        users[name] = created
        return principal_of(db, created)

    return Desk(
        db=db,
        factory=factory,
        settings=settings,
        requester=user("de.officer", de, Role.officer),
        de_supervisor=user("de.supervisor", de, Role.supervisor),
        reviewer=user("sg.reviewer", sg, Role.supervisor),
        reviewer2=user("sg.reviewer2", sg, Role.supervisor),
        sg_officer=user("sg.officer", sg, Role.officer),
        fr_officer=user("fr.officer", fr, Role.officer),
        ke_officer=user("ke.officer", ke, Role.officer),
        police=user("fr.police", police, Role.officer),
        banker=user("fr.banker", bank, Role.partner),
        users=users,
    )
