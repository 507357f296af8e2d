"""The `palermo` command: directory and credentials, clear errors, JSON output."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from palermo.cli import app
from tests.conftest import CLI_PASSWORD as PASSWORD
from tests.conftest import Palermo


def test_directory_round_trip(palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    agencies = palermo.json("agency", "list")
    assert agencies == [
        {
            "code": "NCB-KE",
            "name": "NCB KE",
            "kind": "national_central_bureau",
            "country": "KE",
            "node": "NODE-LOCAL",
        }
    ]
    added = palermo.json(
        "user",
        "add",
        "wanjiru",
        "--agency",
        "NCB-KE",
        "--role",
        "officer",
        "--role",
        "analyst",
        "--password",
        PASSWORD,
        "--name",
        "Wanjiru Kamau",
    )
    assert added["user"]["roles"] == ["analyst", "officer"]
    assert added["totp_secret"] is None
    sup = palermo.json(
        "user",
        "add",
        "otieno",
        "--agency",
        "NCB-KE",
        "--role",
        "supervisor",
        "--password",
        PASSWORD,
    )
    assert sup["totp_uri"].startswith("otpauth://totp/")
    users = palermo.json("user", "list", "--agency", "NCB-KE")
    assert [u["username"] for u in users] == ["otieno", "wanjiru"]
    reset = palermo.json("user", "reset-mfa", "otieno")
    assert reset["totp_secret"] != sup["totp_secret"]


def test_tokens_need_a_user_and_can_be_revoked(palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    palermo(
        "user", "add", "wanjiru", "--agency", "NCB-KE", "--role", "officer", "--password", PASSWORD
    )
    as_operator = palermo("token", "create", "--name", "x", ok=False)
    assert as_operator.exit_code == 1
    assert "act with --as USER" in as_operator.output
    token = palermo.json("--as", "wanjiru", "token", "create", "--name", "nightly batch")
    assert token["secret"].startswith("plm_")
    revoked = palermo.json("--as", "wanjiru", "token", "revoke", token["token"]["id"])
    assert revoked["revoked_at"] is not None


def test_errors_are_clear_and_exit_non_zero(palermo: Palermo) -> None:
    bad_country = palermo(
        "agency", "add", "NCB-XX", "--name", "x", "--kind", "police", "--country", "XX", ok=False
    )
    assert bad_country.exit_code == 1
    assert "unknown country code 'XX'" in bad_country.output
    bad_kind = palermo(
        "agency", "add", "A-1", "--name", "x", "--kind", "gang", "--country", "FR", ok=False
    )
    assert "unknown agency kind 'gang'" in bad_kind.output
    assert palermo.json("agency", "list") == []
    nobody = palermo("--as", "ghost", "agency", "list", ok=False)
    assert nobody.exit_code == 1
    assert "no active user 'ghost'" in nobody.output


def test_acting_user_is_held_to_their_role(palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    palermo(
        "user", "add", "wanjiru", "--agency", "NCB-KE", "--role", "officer", "--password", PASSWORD
    )
    refused = palermo(
        "--as",
        "wanjiru",
        "agency",
        "add",
        "NCB-TZ",
        "--name",
        "x",
        "--kind",
        "police",
        "--country",
        "TZ",
        ok=False,
    )
    assert refused.exit_code == 1
    assert "[forbidden]" in refused.output


def test_uninitialised_database_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["agency", "list"],
        env={"PALERMO_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
    )
    assert result.exit_code == 1
    assert "palermo db upgrade" in result.output


def test_an_agency_sets_its_own_rules(palermo: Palermo) -> None:
    palermo.add_ncb("KE")
    nothing = palermo("agency", "set", "NCB-KE", ok=False)
    assert "nothing to change" in nothing.output
    too_long = palermo("agency", "set", "NCB-KE", "--review-after-months", "500", ok=False)
    assert "1 to 240 months" in too_long.output
    done = palermo("agency", "set", "NCB-KE", "--link-four-eyes", "--review-after-months", "36")
    assert "NCB-KE: four-eyes linkage on, review after 36 months" in done.output
    palermo(
        "user", "add", "wanjiru", "--agency", "NCB-KE", "--role", "officer", "--password", PASSWORD
    )
    refused = palermo("--as", "wanjiru", "agency", "set", "NCB-KE", "--no-link-four-eyes", ok=False)
    assert "only an administrator of that agency" in refused.output
