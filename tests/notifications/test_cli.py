"""`palermo notifications`: the webhook set, shown and removed by the operator, and a sweep."""

from __future__ import annotations

from tests.conftest import Palermo


def test_webhook_set_show_remove_and_deliver(palermo: Palermo) -> None:
    palermo("db", "upgrade")
    palermo.add_ncb("FR")
    issued = palermo.json(
        "notifications", "webhook", "set", "--agency", "NCB-FR", "--url", "https://h.example.org/p"
    )
    assert isinstance(issued, dict)
    assert str(issued["secret"]).startswith("whsec_")
    shown = palermo.json("notifications", "webhook", "show", "--agency", "NCB-FR")
    assert isinstance(shown, dict)
    assert (shown["url"], shown["deliveries"]) == ("https://h.example.org/p", [])

    refused = palermo(
        "notifications",
        "webhook",
        "set",
        "--agency",
        "NCB-FR",
        "--url",
        "http://h.example.org/",
        ok=False,
    )
    assert refused.exit_code == 1
    assert "must be https://" in refused.output
    assert "0 deliveries attempted" in palermo("notifications", "deliver").output

    palermo("notifications", "webhook", "remove", "--agency", "NCB-FR")
    gone = palermo("notifications", "webhook", "show", "--agency", "NCB-FR", ok=False)
    assert "NCB-FR has no webhook" in gone.output
