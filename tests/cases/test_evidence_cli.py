"""`palermo cases evidence …` on a node's database: add a file, read it back, hand it over,
receive it, export the package and verify it without the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from palermo.cases import membership
from palermo.cases.evidence_cli import evidence_app
from palermo.cases.vocabulary import MemberRole
from palermo.console import CliState
from palermo.db import create_db_engine, session_factory
from palermo.exchange import keys
from palermo.exchange.crypto import sealer_for
from palermo.identity.credentials import Credentials
from palermo.identity.principal import operator_principal
from palermo.identity.roles import AgencyKind, Role
from palermo.settings import Settings
from tests.cases.conftest import BASIS, NOW
from tests.cases.evidence_helpers import REPORT
from tests.conftest import Factory
from tests.databases import fresh_database, node_settings
from tests.records.helpers import principal_of


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[Settings, str]]:
    """A node's database with NL-NP leading a case that DE-BKA works too; agencies keyed."""
    with fresh_database(tmp_path, migrated=True) as url:
        settings = node_settings(tmp_path / "data", url)
        engine = create_db_engine(url)
        with session_factory(engine)() as db:
            factory = Factory(db, settings, Credentials(settings), operator_principal(frozenset()))
            nl = factory.agency("NL-NP", kind=AgencyKind.police, country="NL")
            de = factory.agency("DE-BKA", kind=AgencyKind.police, country="DE")
            officer, _ = factory.user("nl.officer", Role.officer, agency=nl)
            factory.user("de.officer", Role.officer, agency=de)
            lead = principal_of(db, officer)
            case = membership.open_case(
                db,
                principal=lead,
                title="Operation Harbour",
                summary="",
                offences=["0601"],
                legal_basis="Wetboek van Strafvordering",
                opened_on=NOW.date(),
                now=NOW,
            )
            membership.admit(
                db,
                principal=lead,
                case=case,
                agency_code="DE-BKA",
                role=MemberRole.participant,
                legal_basis=BASIS,
                now=NOW,
            )
            keys.ensure_hosted_keys(db, sealer_for(settings.secret_key))
            db.commit()
            reference = case.reference
        engine.dispose()
        yield settings, reference


def run(settings: Settings, user: str | None, *args: str) -> Result:
    cli = CliState(settings=settings, acting_user=user)
    try:
        return CliRunner().invoke(evidence_app, list(args), obj=cli)
    finally:
        cli.close()


def test_evidence_through_the_command_line(node: tuple[Settings, str], tmp_path: Path) -> None:
    settings, case = node
    report = tmp_path / "extraction.pdf"
    report.write_bytes(REPORT)
    options = ["--title", "Extraction", "--place", "Rotterdam", "--file", str(report), "--json"]
    added = run(settings, "nl.officer", "add", case, *options)
    assert added.exit_code == 0, added.output
    item = json.loads(added.stdout)
    assert (item["media_type"], item["holder"]) == ("application/pdf", "NL-NP")
    copy = tmp_path / "copy.pdf"
    got = run(settings, "de.officer", "get", case, "E/0001", "--out", str(copy))
    assert got.exit_code == 0, got.output
    assert copy.read_bytes() == REPORT
    options = ["--to", "DE-BKA", "--place", "Schiphol"]
    handed = run(settings, "nl.officer", "hand-over", case, "1", *options)
    assert handed.exit_code == 0, handed.output
    shown = json.loads(run(settings, "de.officer", "show", case, "1", "--json").stdout)
    handover = shown["handovers"][0]["id"]
    assert run(settings, "nl.officer", "receive", case, handover).exit_code == 1
    received = run(settings, "de.officer", "receive", case, handover, "--place", "Wiesbaden")
    assert received.exit_code == 0, received.output
    listed = json.loads(run(settings, "nl.officer", "list", case, "--json").stdout)
    assert [i["holder"] for i in listed] == ["DE-BKA"]
    checked = run(settings, "de.officer", "check", case, "1")
    assert checked.exit_code == 0, checked.output
    assert "bytes intact; chain holds" in checked.stdout
    package = tmp_path / "package.zip"
    exported = run(settings, "de.officer", "export", case, "1", "--out", str(package))
    assert exported.exit_code == 0, exported.output
    verified = run(settings, None, "verify", str(package))
    assert verified.exit_code == 0, verified.output
    assert "VERIFIED" in verified.stdout
