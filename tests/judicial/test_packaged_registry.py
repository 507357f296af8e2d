"""The registry and offences shipped with Palermo: they read, every fact cites a source, and
the resolver gives what the sources say for a few state pairs of the demo world."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from palermo.judicial import penal
from palermo.judicial.legal_basis import resolve
from palermo.judicial.treaties import RequestType, TreatyKind, packaged
from tests.conftest import Factory, Palermo

ON = date(2026, 6, 1)


def applicable(requesting: str, requested: str, request: RequestType, *codes: str) -> list[str]:
    found = resolve(
        packaged(),
        requesting=requesting,
        requested=requested,
        request=request,
        on=ON,
        offences=codes,
    )
    return [b.treaty.code for b in found.bases if b.applies]


def test_every_fact_cites_a_known_source() -> None:
    registry = packaged()
    for treaty in registry.treaties.values():
        assert treaty.sources, treaty.code
        for party in treaty.parties.values():
            assert party.source in registry.sources, (treaty.code, party.country)
    assert all(o.source for o in penal.packaged())


def test_within_the_union_the_arrest_warrant_comes_first() -> None:
    bases = applicable("NL", "ES", RequestType.extradition, "0601")
    assert bases[0] == "EAW"
    assert {"ETS024", "UN1988", "UNTOC"} <= set(bases)


def test_a_bilateral_treaty_comes_before_the_conventions() -> None:
    assert applicable("GB", "US", RequestType.extradition, "0601")[0] == "GB-US-2003"


def test_the_drug_convention_carries_extradition_from_the_netherlands_to_the_emirates() -> None:
    assert applicable("NL", "AE", RequestType.extradition, "0601") == ["UN1988"]
    # Laundering alone is outside the drug convention's scope.
    assert "UN1988" not in applicable("NL", "AE", RequestType.extradition, "07")


def test_the_resolver_over_http(client: TestClient, factory: Factory) -> None:
    user, _ = factory.user("ca.officer")
    answer = client.get(
        "/api/treaties/resolve",
        params={
            "requesting": "NL",
            "requested": "COL",
            "request": "extradition",
            "offence": "0601",
        },
        headers=factory.bearer(user),
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["requested"] == "CO"
    assert [b["treaty"] for b in found["bases"] if b["applies"]] == ["UN1988", "UNTOC"]
    dual = found["dual_criminality"]
    assert dual["holds"] is True
    assert dual["serious_crime"] == {"NL": True, "CO": True}
    treaty = client.get("/api/treaties/UNTOC", headers=factory.bearer(user)).json()
    assert treaty["kind"] == TreatyKind.multilateral
    assert {"NL", "CO"} <= {p["country"] for p in treaty["parties"]}
    refused = client.get(
        "/api/treaties/resolve",
        params={"requesting": "NL", "requested": "NL", "request": "mla"},
        headers=factory.bearer(user),
    )
    assert refused.status_code == 422
    assert "from one state to another" in refused.json()["error"]["message"]


def test_the_resolver_on_the_command_line(palermo: Palermo) -> None:
    shown = palermo("treaties", "resolve", "NL", "CO", "extradition", "--offence", "0601")
    assert "applies  UNTOC, Art. 16" in shown.output
    assert "CO is not a party" in shown.output  # of the European conventions
    checked = palermo("treaties", "dual-criminality", "NL", "CO", "--offence", "0601")
    assert "Dual criminality holds" in checked.output
