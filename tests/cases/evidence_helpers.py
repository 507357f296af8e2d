"""Building blocks for evidence tests: items added through the service, agencies' keys, and
the tampering a court's verifier or an access must catch."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from palermo.cases import evidence
from palermo.cases.vocabulary import EvidenceKind
from palermo.exchange import keys
from palermo.exchange.crypto import KeySealer, sealer_for
from palermo.models.cases import Case, EvidenceFile, EvidenceItem
from tests.cases.conftest import NOW, Team

REPORT = b"%PDF-1.7\nExtraction report, Samsung SM-G991B, IMEI 356938035643809\n"
COLLECTED = NOW - timedelta(days=3)


def sealer(team: Team) -> KeySealer:
    return sealer_for(team.settings.secret_key)


def with_keys(team: Team) -> KeySealer:
    """Every hosted agency gets its signing key (as `palermo node init` gives it)."""
    keys.ensure_hosted_keys(team.db, sealer(team))
    return sealer(team)


def digital(
    team: Team,
    case: Case,
    *,
    by: str = "nl",
    content: bytes = REPORT,
    title: str = "Extraction report of the seized phone",
    handling: str = "H0",
    file_name: str = "extraction.pdf",
) -> EvidenceItem:
    return evidence.add_item(
        team.db,
        principal=team[by],
        case=case,
        kind=EvidenceKind.digital,
        title=title,
        description="Cellebrite extraction, full file system",
        handling=handling,
        collected_at=COLLECTED,
        collected_place="Port of Rotterdam, terminal ECT Delta",
        content=content,
        file_name=file_name,
        media_type="application/pdf",
        now=NOW,
    )


def physical(
    team: Team, case: Case, *, by: str = "nl", title: str = "Samsung phone, sealed bag 0042"
) -> EvidenceItem:
    return evidence.add_item(
        team.db,
        principal=team[by],
        case=case,
        kind=EvidenceKind.physical,
        title=title,
        description="Black Samsung Galaxy S21, screen cracked, in tamper-evident bag 0042",
        handling="H0",
        collected_at=COLLECTED,
        collected_place="Port of Rotterdam, terminal ECT Delta",
        content=None,
        file_name=None,
        media_type=None,
        now=NOW,
    )


def tamper_file(team: Team, item: EvidenceItem, content: bytes = b"forged") -> None:
    """Someone with the database rewrites the stored bytes."""
    team.db.execute(
        update(EvidenceFile).where(EvidenceFile.sha256 == item.sha256).values(content=content)
    )
    team.db.commit()
