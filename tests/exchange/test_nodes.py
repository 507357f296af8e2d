"""Federation between real nodes: separate databases, separate `palermo serve` processes,
real node and agency keys, envelopes over HTTP.

A and B are peers of each other; C is known to A but knows no one until a test configures
it. Tests share the three servers; those that stop or kill B start it again on its port.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import os
import secrets
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from palermo.exchange import crypto
from palermo.identity.keys import NodeKey
from tests.exchange.nodes import (
    Federation,
    Node,
    envelope,
    federation,
    seal_message,
    wait_for,
)

PURPOSE = {"purpose": "criminal_investigation", "justification": "case 17/26, port of Genoa"}


@pytest.fixture(scope="module")
def fed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    with federation(tmp_path_factory.mktemp("federation")) as nodes:
        yield nodes


@pytest.fixture
def nodes_up(fed: Federation) -> Iterator[Federation]:
    """For tests that stop or kill a node: whatever happens, it serves again afterwards."""
    yield fed
    for node in fed.nodes:
        if not node.running:
            node.start()


# Helpers ---------------------------------------------------------------------------------
def send(
    node: Node, user: str, recipients: list[str], subject: str, **fields: Any
) -> dict[str, Any]:
    with node.api(user) as api:
        response = api.post(
            "/api/messages", json={"recipients": recipients, "subject": subject, **fields}
        )
    assert response.status_code == 201, response.text
    sent: dict[str, Any] = response.json()
    return sent


def read(node: Node, user: str, message_id: str) -> dict[str, Any]:
    with node.api(user) as api:
        response = api.get(f"/api/messages/{message_id}")
    assert response.status_code == 200, response.text
    message: dict[str, Any] = response.json()
    return message


def outbox_items(node: Node, message_ids: set[str], kind: str = "message") -> list[dict[str, Any]]:
    """`palermo node outbox --json` rows of these messages."""
    return [i for i in node.outbox() if i["message"] in message_ids and i["kind"] == kind]


def all_delivered(node: Node, message_ids: set[str]) -> list[dict[str, Any]] | None:
    items = outbox_items(node, message_ids)
    done = len(items) == len(message_ids) and all(i["status"] == "delivered" for i in items)
    return items if done else None


def receipts_on(node: Node, message_id: str) -> set[tuple[str, str]]:
    rows = node.rows(
        "SELECT a.code, r.kind FROM message_receipts r JOIN agencies a ON a.id = r.agency_id "
        "WHERE r.message_id = :m",
        m=node.uid(message_id),
    )
    return {(code, kind) for code, kind in rows}


def post_envelopes(node: Node, *batch: object) -> list[dict[str, Any]]:
    with node.anonymous() as client:
        response = client.post("/federation/envelopes", json={"envelopes": list(batch)})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert len(results) == len(batch)
    return results


def inbox_entry(node: Node, envelope_id: str) -> tuple[str, str | None, str] | None:
    rows = node.rows(
        "SELECT outcome, reason, digest FROM federation_inbox WHERE id = :i",
        i=node.uid(envelope_id),
    )
    if not rows:
        return None
    outcome, reason, digest = rows[0]
    return str(outcome), reason, str(digest)


def chunks(data: bytes, size: int = 48, step: int = 997) -> list[bytes]:
    """Short windows of `data`: found by a byte scan even if stored split across pages."""
    return [data[i : i + size] for i in range(0, len(data) - size, step)]


def assert_no_plaintext(node: Node, needles: dict[str, bytes], clear: bytes) -> None:
    """No needle is stored anywhere in the node's database; `clear` (something stored in
    clear) is found by the same scan, so the scan does look at the data."""
    if node.sqlite:
        files = {p.name: p.read_bytes() for p in node.database_files()}
        assert any(clear in data for data in files.values()), "the scan does not see the data"
        for name, data in files.items():
            for label, needle in needles.items():
                assert needle not in data, f"{label} is stored in clear in {node.code}'s {name}"
        return
    tables = [
        t for (t,) in node.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    assert {"messages", "message_copies", "blobs", "outbox_items"} <= set(tables)
    seen_clear = False
    for table in tables:
        # The row as text: bytea as \x-hex, JSON as its text, TOASTed values decompressed.
        for (row,) in node.rows(f'SELECT t::text FROM "{table}" t'):  # noqa: S608
            seen_clear = seen_clear or clear.decode() in row
            for label, needle in needles.items():
                assert needle.hex() not in row, f"{label} is in {node.code}'s {table} (bytea)"
                try:
                    as_text = needle.decode()
                except UnicodeDecodeError:
                    continue
                assert as_text not in row, f"{label} is in {node.code}'s {table} (text)"
    assert seen_clear, "the scan does not see the data"


# 1. Delivery, reading, receipts, nothing in clear ------------------------------------------
def test_message_with_attachment_is_delivered_read_and_receipted(fed: Federation) -> None:
    a, b = fed.a, fed.b
    marker = f"CONFIDENTIAL-{secrets.token_hex(12)}"
    subject = f"Container {secrets.token_hex(6)} due in Genoa"
    body = f"Berth {secrets.token_hex(6)}, Tuesday 04:00; the driver is armed."
    attachment = b"%PDF-1.7\n" + marker.encode() + b"\n" + secrets.token_bytes(40_000)
    sent = send(
        a,
        "off.a",
        ["AG-B"],
        subject,
        body=body,
        handling_code="H1",
        tlp="AMBER",
        evaluation="B2",
        attachments=[
            {
                "name": "manifest.pdf",
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(attachment).decode(),
            }
        ],
    )
    message_id = sent["id"]
    wait_for(lambda: b.holds(message_id), f"message {message_id} on B")

    with b.api("off.b") as api:
        inbox = api.get("/api/messages").json()
        summary = next(m for m in inbox if m["id"] == message_id)
        assert summary["subject"] == subject
        assert summary["sender"] == "AG-A"
        assert summary["attachments"] == 1
        assert summary["opened"] is False
        opened = api.get(f"/api/messages/{message_id}")
        assert opened.status_code == 200, opened.text
        message = opened.json()
        assert message["subject"] == subject
        assert message["body"] == body
        assert message["sender"] == "AG-A"
        assert message["sender_node"] == "NODE-A"
        assert message["recipients"] == ["AG-B"]
        assert (message["handling_code"], message["tlp"], message["evaluation"]) == (
            "H1",
            "AMBER",
            "B2",
        )
        assert message["signature_verified"] is True
        [file] = message["attachment_files"]
        assert file["name"] == "manifest.pdf"
        assert file["media_type"] == "application/pdf"
        assert file["size"] == len(attachment)
        assert file["sha256"] == hashlib.sha256(attachment).hexdigest()
        download = api.get(f"/api/messages/{message_id}/attachments/{file['blob']}")
        assert download.status_code == 200, download.text
        assert download.content == attachment
        assert hashlib.sha256(download.content).hexdigest() == file["sha256"]
        assert 'filename="manifest.pdf"' in download.headers["content-disposition"]

    # Delivered (A's courier records it) and opened (B's receipt travels back to A).
    wait_for(
        lambda: {("AG-B", "delivered"), ("AG-B", "opened")} <= receipts_on(a, message_id),
        "the delivered and opened receipts on A",
    )
    with a.api("off.a") as api:
        thread = api.get(f"/api/threads/{sent['thread_id']}")
    assert thread.status_code == 200, thread.text
    [seen] = thread.json()
    assert seen["id"] == message_id
    assert {(r["agency"], r["kind"]) for r in seen["receipts"]} >= {
        ("AG-B", "delivered"),
        ("AG-B", "opened"),
    }
    [delivery] = seen["deliveries"]
    assert delivery["peer"] == "NODE-B"
    assert delivery["status"] == "delivered"
    assert delivery["reason"] is None

    # Neither node holds subject, body or attachment in clear: only ciphertext.
    needles = {
        "the subject": subject.encode(),
        "the body": body.encode(),
        "the attachment's marker": marker.encode(),
        **{f"attachment bytes {i}": c for i, c in enumerate(chunks(attachment))},
    }
    for node in (b, a):
        # The message's id is in its clear header: the scan must find that.
        assert_no_plaintext(node, needles, clear=message_id.encode())


# 2. Envelopes a node refuses ---------------------------------------------------------------
def assert_refused(
    node: Node, result: dict[str, Any], envelope_id: str, reason: str, *, logged: bool
) -> None:
    """Refused with `reason` in the answer, in the inbox log if `logged` (node signature
    verified), and in the audit log as a denied federation.receive.*."""
    assert result["id"] == envelope_id
    assert result["outcome"] == "refused"
    assert reason in str(result["reason"]), result
    entry = inbox_entry(node, envelope_id)
    if logged:
        assert entry is not None, f"no inbox record of {envelope_id}"
        assert entry[0] == "refused"
        assert reason in str(entry[1])
    else:
        assert entry is None, f"an unverified envelope claimed inbox id {envelope_id}"
    audited = [
        e
        for e in node.rows("SELECT action, outcome, entry FROM audit_events")
        if e[0].startswith("federation.receive.") and envelope_id in e[2]
    ]
    assert audited, f"no audit event of envelope {envelope_id}"
    assert {(action, outcome) for action, outcome, _ in audited} == {
        ("federation.receive.message", "deny")
    }
    assert any(reason in entry for _, _, entry in audited)


def test_tampered_forged_and_replayed_envelopes_are_refused(fed: Federation) -> None:
    a, b, c = fed.a, fed.b, fed.c
    a_key = a.node_key()
    letter = secrets.token_bytes(2000)
    body = seal_message(
        a,
        sender="AG-A",
        recipients=["AG-B"],
        subject="Sealed by A's agency",
        body="a genuine message, sealed and signed by AG-A",
        attachments=[("letter.bin", letter)],
    )
    message_id = body["header"]["id"]

    def signed(payload: dict[str, Any], **options: Any) -> dict[str, Any]:
        return envelope(a_key, sender="NODE-A", receiver="NODE-B", body=payload, **options)

    # The copy for AG-B altered after AG-A signed the header; A's node signs the envelope.
    altered = copy.deepcopy(body)
    ciphertext = bytearray(crypto.unb64(altered["copies"]["AG-B"], "copy"))
    ciphertext[len(ciphertext) // 2] ^= 0x01
    altered["copies"]["AG-B"] = crypto.b64(bytes(ciphertext))
    tampered_copy = signed(altered)
    # An attachment altered (under the digest AG-A signed).
    swapped = copy.deepcopy(body)
    [digest] = swapped["blobs"]
    blob = bytearray(crypto.unb64(swapped["blobs"][digest], "blob"))
    blob[-1] ^= 0x01
    swapped["blobs"][digest] = crypto.b64(bytes(blob))
    tampered_blob = signed(swapped)
    # Signed by a key that is not A's node key; and A's signature broken.
    impostor = envelope(
        NodeKey(Ed25519PrivateKey.generate()), sender="NODE-A", receiver="NODE-B", body=body
    )
    broken = signed(body)
    broken["signature"] = crypto.b64(bytes(64))
    # From a real node B has never been configured with.
    stranger = envelope(c.node_key(), sender="NODE-C", receiver="NODE-B", body=body)
    # Malformed: signed by A but the header is not a message header; and not even signed.
    bad_header = copy.deepcopy(body)
    bad_header["header"]["tlp"] = "PURPLE"
    malformed_header = signed(bad_header)
    unsigned = {"id": str(uuid.uuid4()), "kind": "message", "from": "NODE-A", "body": {}}
    # An attachment over B's limit (64 KiB), though within A's.
    big = seal_message(
        a,
        sender="AG-A",
        recipients=["AG-B"],
        subject="Too large for B",
        attachments=[("scan.tiff", secrets.token_bytes(70_000))],
    )
    oversized = signed(big)

    cases = [
        (tampered_copy, "tampered message: the copy for AG-B is not the one signed", True),
        (tampered_blob, "tampered message: attachment", True),
        (impostor, "bad signature: the envelope is not signed by NODE-A's node key", False),
        (broken, "bad signature", False),
        (stranger, "unknown peer 'NODE-C': not configured on NODE-B", False),
        (malformed_header, "malformed message header: tlp 'PURPLE'", True),
        (unsigned, "malformed envelope: 'to' missing or not text", False),
        (oversized, "NODE-B accepts at most", True),
    ]
    for sent, reason, logged in cases:
        [result] = post_envelopes(b, sent)
        assert_refused(b, result, sent["id"], reason, logged=logged)
    assert not b.holds(message_id), "a refused message was stored"
    assert not b.holds(big["header"]["id"]), "a refused message was stored"

    # Payloads that are not batches of envelopes: refused with the reason (as JSON: a peer is
    # a program, not a browser), nothing stored.
    with b.anonymous() as client:
        payloads: list[dict[str, Any]] = [{"envelopes": "all of them"}, {"envelopes": []}, {}]
        for payload in payloads:
            answer = client.post("/federation/envelopes", json=payload)
            assert answer.status_code == 422, answer.text
            assert answer.headers["content-type"].startswith("application/json"), answer.text
            assert "send {'envelopes': [...]}" in answer.json()["error"]["message"]
        not_json = client.post(
            "/federation/envelopes",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )
        assert not_json.status_code == 400, not_json.text
        assert "the body is not valid JSON" in html.unescape(not_json.text)

    # The genuine envelope is accepted (the refusals were for the tampering); sent again it
    # is a duplicate; its id with other content, or a refused id reused, is a replay.
    genuine = signed(body)
    [accepted] = post_envelopes(b, genuine)
    assert accepted == {"id": genuine["id"], "outcome": "accepted", "reason": None}
    assert b.holds(message_id)
    [again] = post_envelopes(b, genuine)
    assert again["outcome"] == "duplicate"
    before = inbox_entry(b, genuine["id"])
    assert before is not None
    assert before[0] == "accepted"
    replayed = signed(altered, envelope_id=uuid.UUID(genuine["id"]))
    [refused] = post_envelopes(b, replayed)
    assert refused["outcome"] == "refused"
    assert "replay: envelope id" in refused["reason"]
    assert inbox_entry(b, genuine["id"]) == before, "a replay changed the inbox record"
    reused = signed(body, envelope_id=uuid.UUID(tampered_copy["id"]))
    [refused] = post_envelopes(b, reused)
    assert refused["outcome"] == "refused"
    assert "replay: envelope id" in refused["reason"]
    replay_audit = [
        e
        for e in b.audit("federation.receive.message")
        if e["outcome"] == "deny" and "replay" in e["detail"].get("reason", "")
    ]
    assert {genuine["id"], tampered_copy["id"]} <= {
        i for e in replay_audit for i in e["object_ids"]
    }
    assert [m for m in b.message_ids() if m == message_id] == [message_id]


def test_forged_receipts_and_consents_are_refused(fed: Federation) -> None:
    """B's node may speak for B's agencies only about messages they received."""
    a, b = fed.a, fed.b
    # A message from AG-A to AG-C (never to AG-B); C refuses it (C does not know A yet)
    # or takes it: either way A holds it, and AG-B never received it.
    sent = send(a, "off.a", ["AG-C"], "Only for AG-C", handling_code="H2")
    b_key = b.node_key()
    receipt = envelope(
        b_key,
        kind="receipt",
        sender="NODE-B",
        receiver="NODE-A",
        body={"message": sent["id"], "agency": "AG-B", "receipt": "opened", "at": sent["sent_at"]},
    )
    stolen = envelope(
        b_key,
        kind="receipt",
        sender="NODE-B",
        receiver="NODE-A",
        body={"message": sent["id"], "agency": "AG-C", "receipt": "opened", "at": sent["sent_at"]},
    )
    [forged, impersonated] = post_envelopes(a, receipt, stolen)
    assert forged["outcome"] == "refused"
    assert "AG-B did not receive message" in forged["reason"]
    assert impersonated["outcome"] == "refused"
    assert "'AG-C' is not known here as hosted by NODE-B" in impersonated["reason"]
    assert ("AG-B", "opened") not in receipts_on(a, sent["id"])
    assert ("AG-C", "opened") not in receipts_on(a, sent["id"])


# 3. The sender sees why a peer refused, or which rule filtered -----------------------------
def test_sender_sees_the_peers_refusal_and_the_tlp_rule(fed: Federation) -> None:
    a, c = fed.a, fed.c
    # C does not know A: it refuses, and A's outbox says so in C's words.
    sent = send(a, "off.a", ["AG-C"], "To a node that does not know us", tlp="GREEN")
    refused = wait_for(
        lambda: [i for i in outbox_items(a, {sent["id"]}) if i["status"] == "refused"],
        "C's refusal in A's outbox",
    )
    [item] = refused
    assert item["peer"] == "NODE-C"
    assert item["outcome"] == "refused by peer: unknown peer 'NODE-A': not configured on NODE-C"
    with a.api("off.a") as api:
        view = api.get(f"/api/messages/{sent['id']}").json()
    assert view["deliveries"] == [
        {
            "peer": "NODE-C",
            "status": "refused",
            "attempts": 1,
            "reason": "refused by peer: unknown peer 'NODE-A': not configured on NODE-C",
            "last_error": None,
        }
    ]
    assert a.audited("federation.message.refused", sent["id"])

    # Once C trusts A, the refused item can be sent again, and is delivered.
    c.add_peer(a)
    a.cli("node", "outbox", "--requeue", item["id"])
    a.cli("node", "outbox", "--deliver")
    wait_for(lambda: all_delivered(a, {sent["id"]}), "the requeued item delivered")
    with c.api("off.c") as api:
        assert api.get(f"/api/messages/{sent['id']}").json()["subject"] == (
            "To a node that does not know us"
        )

    # A rule of A: C may receive TLP:GREEN at most. AMBER is filtered, and the rule named.
    a.add_peer(c, "--max-tlp", "GREEN")
    amber = send(a, "off.a", ["AG-C"], "Amber for C", tlp="AMBER")
    rule = (
        "filtered by rule max_tlp of peer NODE-C: TLP:AMBER is above the TLP:GREEN it may receive"
    )
    assert [(d["status"], d["reason"]) for d in amber["deliveries"]] == [("filtered", rule)]
    [filtered] = outbox_items(a, {amber["id"]})
    assert (filtered["status"], filtered["outcome"]) == ("filtered", rule)
    [event] = a.audited("federation.filter", amber["id"])
    assert event["outcome"] == "deny"
    assert event["detail"]["reason"] == rule
    green = send(a, "off.a", ["AG-C"], "Green for C", tlp="GREEN")
    wait_for(lambda: all_delivered(a, {green["id"]}), "the GREEN message delivered")
    assert c.holds(green["id"])
    assert not c.holds(amber["id"])


# 4. A peer down, a peer killed --------------------------------------------------------------
def test_messages_wait_while_the_peer_is_down(nodes_up: Federation) -> None:
    a, b = nodes_up.a, nodes_up.b
    b.stop()
    ids = {send(a, "off.a", ["AG-B"], f"While B is down {n}")["id"] for n in range(3)}

    def waiting() -> list[dict[str, Any]] | None:
        items = outbox_items(a, ids)
        ok = len(items) == 3 and all(
            i["status"] == "pending"
            and i["attempts"] >= 1
            and str(i["outcome"]).startswith("peer unreachable: ConnectError")
            for i in items
        )
        return items if ok else None

    wait_for(waiting, "A's outbox to hold the messages pending, B unreachable")
    assert not (ids & b.message_ids())

    b.start()
    wait_for(lambda: all_delivered(a, ids), "delivery once B is back")
    assert ids <= b.message_ids()
    with b.api("off.b") as api:
        inbox = {m["id"] for m in api.get("/api/messages", params={"limit": 200}).json()}
    assert ids <= inbox


def test_peer_killed_mid_delivery_gets_every_message_exactly_once(nodes_up: Federation) -> None:
    a, b = nodes_up.a, nodes_up.b
    count = 60
    before = {str(r[0]) for r in a.rows("SELECT id FROM outbox_items")}

    def send_all() -> set[str]:
        return {
            send(
                a,
                "off.a",
                ["AG-B"],
                f"Batch message {n}",
                body=f"number {n}",
                attachments=[
                    {
                        "name": f"page-{n}.bin",
                        "content_base64": base64.b64encode(os.urandom(16_000)).decode(),
                    }
                ],
            )["id"]
            for n in range(count)
        }

    def in_flight() -> Counter[str] | None:
        """Statuses of this test's items once some are delivered and a batch is out."""
        statuses = Counter(
            status
            for item, status in a.rows("SELECT id, status FROM outbox_items")
            if str(item) not in before
        )
        return statuses if statuses["delivered"] >= 10 and statuses["sending"] else None

    # The officer sends while the courier delivers; B is killed with a batch in flight.
    with ThreadPoolExecutor(max_workers=1) as officer:
        sending = officer.submit(send_all)
        at_kill = wait_for(in_flight, "A's courier sending to B", interval=0.002)
        b.kill()
        ids = sending.result()
    assert len(ids) == count
    assert at_kill["delivered"] < count, at_kill

    b.start()
    items = wait_for(lambda: all_delivered(a, ids), "every message delivered after the restart")
    assert len(items) == count

    held = Counter(str(uuid.UUID(str(m))) for (m,) in b.rows("SELECT id FROM messages"))
    assert {m: held[m] for m in ids} == dict.fromkeys(ids, 1)
    copies = Counter(
        str(uuid.UUID(str(m)))
        for (m,) in b.rows(
            "SELECT c.message_id FROM message_copies c JOIN agencies g ON g.id = c.agency_id "
            "WHERE g.code = 'AG-B'"
        )
    )
    assert {m: copies[m] for m in ids} == dict.fromkeys(ids, 1)
    # Applied once: one arrival notice and one message.receive audit event per message.
    notices = Counter(
        text.rsplit("[", 1)[-1].rstrip("]")
        for (text,) in b.rows("SELECT message FROM notifications WHERE kind = 'message.received'")
    )
    assert {m: notices[m] for m in ids} == dict.fromkeys(ids, 1)
    received = Counter(i for e in b.audit("message.receive") for i in e["object_ids"])
    assert {m: received[m] for m in ids} == dict.fromkeys(ids, 1)
    with b.api("off.b") as api:
        listed = api.get("/api/messages", params={"limit": 200}).json()
    assert Counter(m["id"] for m in listed if m["id"] in ids) == dict.fromkeys(ids, 1)


def test_sender_killed_mid_delivery_sends_every_message_exactly_once(
    nodes_up: Federation,
) -> None:
    """A is killed while its courier has a batch out: the messages it had accepted are all
    delivered once it runs again (claims its last run held are released at start, not
    after their lease), and B holds each once however often it was sent.

    B is frozen (SIGSTOP) while A sends, so A's courier is certainly waiting on B's answer
    when it is killed; thawed, B reads the request the dead courier left in its socket."""
    a, b = nodes_up.a, nodes_up.b
    assert b.process is not None
    b.process.send_signal(signal.SIGSTOP)
    try:
        ids = {
            send(a, "off.a", ["AG-B"], f"Before crash {n}", body="x" * 20_000)["id"]
            for n in range(40)
        }
        wait_for(
            lambda: a.scalar("SELECT count(*) FROM outbox_items WHERE status = 'sending'"),
            "A's courier with a batch out",
            interval=0.01,
        )
        a.kill()
    finally:
        b.process.send_signal(signal.SIGCONT)
    assert a.scalar("SELECT count(*) FROM outbox_items WHERE status = 'sending'")

    a.start()
    wait_for(lambda: all_delivered(a, ids), "every message delivered after A's restart")
    held = Counter(str(uuid.UUID(str(m))) for (m,) in b.rows("SELECT id FROM messages"))
    assert {m: held[m] for m in ids} == dict.fromkeys(ids, 1)
    received = Counter(i for e in b.audit("message.receive") for i in e["object_ids"])
    assert {m: received[m] for m in ids} == dict.fromkeys(ids, 1)


def running_children(pid: int) -> set[int]:
    """The processes `pid` started that still run (a zombie no one reaped has ended)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return {child for child in found if still_running(child)}


def still_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_node_of_worker_processes_delivers_and_they_end_with_their_supervisor(
    nodes_up: Federation,
) -> None:
    """`palermo serve --workers 2`: the workers answer requests and the supervisor's courier
    delivers what they queue; killed outright, the supervisor takes its workers with it, so
    the node can start again on its port."""
    a, b = nodes_up.a, nodes_up.b
    a.stop()
    a.serve_options = ("--workers", "2")
    try:
        a.start()
        assert a.process is not None
        supervisor = a.process.pid

        def two_workers() -> set[int] | None:
            found = running_children(supervisor)
            return found if len(found) >= 2 else None

        workers = wait_for(two_workers, "A's two worker processes")
        sent = send(a, "off.a", ["AG-B"], "Answered by a worker")
        wait_for(lambda: all_delivered(a, {sent["id"]}), "delivered by the supervisor's courier")
        assert b.holds(sent["id"])
        a.kill()
        wait_for(
            lambda: not any(still_running(w) for w in workers) or None,
            "A's workers ended with their supervisor",
        )
    finally:
        a.serve_options = ()
    a.start()  # on the port its workers held


# 5. Handling codes across nodes -------------------------------------------------------------
def test_h2_forwarding_needs_the_providers_consent(fed: Federation) -> None:
    a, b = fed.a, fed.b
    sent = send(a, "off.a", ["AG-B"], "H2: the informant's account", handling_code="H2")
    message_id = sent["id"]
    wait_for(lambda: b.holds(message_id), "the H2 message on B")
    assert read(b, "off.b", message_id)["may_forward"] is False

    with b.api("off.b") as api:
        denied = api.post(f"/api/messages/{message_id}/forward", json={"recipients": ["AG-B2"]})
    assert denied.status_code == 403, denied.text
    assert "forwarding needs the provider's recorded consent" in denied.json()["error"]["message"]
    [event] = b.audited("message.forward", message_id)
    assert event["outcome"] == "deny"
    assert event["actor"] == "off.b"
    assert "provider's recorded consent" in event["detail"]["reason"]
    with b.api("off.b2") as api:
        inbox = api.get("/api/messages").json()
    assert not any(m["subject"].startswith("Fwd: H2") for m in inbox)

    with a.api("off.a") as api:
        granted = api.post(
            f"/api/messages/{message_id}/consents",
            json={"agency": "AG-B", "scope": "forward", "note": "to AG-B2 only"},
        )
    assert granted.status_code == 201, granted.text
    wait_for(lambda: read(b, "off.b", message_id)["may_forward"], "A's consent on B")
    consents = read(b, "off.b", message_id)["consents"]
    assert [(c["agency"], c["scope"], c["granted_by"]) for c in consents] == [
        ("AG-B", "forward", "off.a@NODE-A")
    ]

    with b.api("off.b") as api:
        forwarded = api.post(
            f"/api/messages/{message_id}/forward",
            json={"recipients": ["AG-B2"], "note": "as agreed with AG-A"},
        )
    assert forwarded.status_code == 201, forwarded.text
    copy_ = forwarded.json()
    assert copy_["forwarded_from"] == message_id
    assert copy_["handling_code"] == "H2"
    assert read(b, "off.b2", copy_["id"])["subject"] == "Fwd: H2: the informant's account"


def keys_known(node: Node, agency: str) -> set[tuple[str, bool]]:
    """(key id, retired?) of an agency's keys as this node knows them."""
    rows = node.rows(
        "SELECT k.kid, k.retired_at FROM agency_keys k JOIN agencies a ON a.id = k.agency_id "
        "WHERE a.code = :c",
        c=agency,
    )
    return {(kid, retired is not None) for kid, retired in rows}


def copy_kid(node: Node, message_id: str, agency: str) -> str:
    [(kid,)] = node.rows(
        "SELECT c.kid FROM message_copies c JOIN agencies a ON a.id = c.agency_id "
        "WHERE c.message_id = :m AND a.code = :c",
        m=node.uid(message_id),
        c=agency,
    )
    return str(kid)


def test_rotated_keys_reach_the_peer_and_old_messages_still_open(fed: Federation) -> None:
    """B rotates AG-B's keys; A learns them from B's directory by itself (every 2 s here),
    verifies what B signs with the new key and seals to the new key; on B, the message
    sealed to the retired key still opens."""
    a, b = fed.a, fed.b
    before = send(a, "off.a", ["AG-B"], "Sealed before the rotation")
    wait_for(lambda: b.holds(before["id"]), "the first message on B")
    known = keys_known(a, "AG-B")
    assert len(known) == 2
    assert not any(retired for _, retired in known)

    b.cli("node", "rotate-keys", "AG-B")
    wait_for(
        lambda: len(keys_known(a, "AG-B")) == 4 and sum(r for _, r in keys_known(a, "AG-B")) == 2,
        "A to learn AG-B's new keys and the retirement of the old ones",
    )
    signed_anew = send(b, "off.b", ["AG-A"], "Signed with AG-B's new key")
    wait_for(lambda: a.holds(signed_anew["id"]), "B's newly signed message on A")
    assert read(a, "off.a", signed_anew["id"])["signature_verified"] is True

    after = send(a, "off.a", ["AG-B"], "Sealed after the rotation")
    wait_for(lambda: b.holds(after["id"]), "the second message on B")
    assert copy_kid(b, after["id"], "AG-B") != copy_kid(b, before["id"], "AG-B")
    for message in (before, after):
        seen = read(b, "off.b", message["id"])
        assert seen["subject"].startswith("Sealed")
        assert seen["signature_verified"] is True


# 6. Hit/no-hit across nodes ----------------------------------------------------------------
def test_hit_no_hit_across_nodes_and_the_details_request(fed: Federation, tmp_path: Path) -> None:
    a, b = fed.a, fed.b
    person = {
        "id": "dk1",
        "schema": "Person",
        "properties": {
            "name": ["Dragomir Kostadinović"],
            "birthDate": ["1971-05-04"],
            "nationality": ["rs"],
        },
    }
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(person, ensure_ascii=False) + "\n", encoding="utf-8")
    report = b.cli_json(
        "import",
        "ftm",
        str(records),
        "--agency",
        "AG-B",
        "--legal-basis",
        "CPP art. 55",
        "--subject-category",
        "suspect",
        "--share",
        "agency:AG-A:hit_only",
    )
    assert report["created"] == 1
    reference = "ag-b.dk1"
    fed.warm_screening()

    with a.api("off.a") as api:
        hit = api.post(
            "/api/peers/hits",
            json={"name": "Dragomir Kostadinovic", "birth_date": "1971-05-04", **PURPOSE},
        )
        miss = api.post("/api/peers/hits", json={"name": "Maximilian Oberhuber", **PURPOSE})
    assert hit.status_code == 200, hit.text
    assert miss.status_code == 200, miss.text
    answers = {answer["node"]: answer for answer in hit.json()}
    assert answers["NODE-B"] == {
        "node": "NODE-B",
        "outcome": "hit",
        "references": [{"reference": reference, "owner_agency": "AG-B"}],
        "reason": None,
    }
    for private in ("Kostadinov", "1971", "Dragomir", "score"):
        assert private not in hit.text
    assert answers["NODE-C"]["references"] == []
    assert {a["node"]: a for a in miss.json()}["NODE-B"] == {
        "node": "NODE-B",
        "outcome": "no_hit",
        "references": [],
        "reason": None,
    }

    with b.api("off.b") as api:
        notices = api.get("/api/notifications").json()
    hits = [n for n in notices if n["kind"] == "record.hit" and n["record_id"] == reference]
    assert len(hits) == 1
    assert "AG-A" in hits[0]["message"]

    # Audited on both sides.
    [asked] = [e for e in a.audit("federation.hit_query") if reference in e["object_ids"]]
    assert asked["actor"] == "off.a"
    assert asked["detail"]["NODE-B"] == "hit"
    answered = [e for e in b.audit("federation.hit_answer") if e["detail"].get("node") == "NODE-A"]
    assert [e["detail"]["outcome"] for e in answered][-2:] == ["hit", "no_hit"]
    assert answered[-2]["object_ids"] == [reference]

    # The details go by request to the owner, as a message.
    with a.api("off.a") as api:
        request = api.post(
            "/api/peers/details-requests",
            json={"reference": reference, "owner_agency": "AG-B", **PURPOSE},
        )
    assert request.status_code == 201, request.text
    request_id = request.json()["id"]
    wait_for(lambda: b.holds(request_id), "the details request on B")
    asked_for = read(b, "off.b", request_id)
    assert asked_for["kind"] == "details_request"
    assert asked_for["sender"] == "AG-A"
    assert asked_for["references"] == [reference]
    assert PURPOSE["justification"] in asked_for["body"]


# 7. Every exchange event is audited on both nodes, and both logs verify ---------------------
def test_exchange_is_audited_on_both_nodes_and_the_logs_verify(fed: Federation) -> None:
    a, b = fed.a, fed.b
    sent = send(a, "off.a", ["AG-B"], "For the audit trail")
    message_id = sent["id"]
    wait_for(lambda: b.holds(message_id), "the message on B")
    read(b, "off.b", message_id)
    wait_for(lambda: ("AG-B", "opened") in receipts_on(a, message_id), "the receipt on A")
    fed.warm_screening()
    with a.api("off.a") as api:
        answer = api.post("/api/peers/hits", json={"name": "Nobody Inparticular", **PURPOSE})
    assert answer.status_code == 200, answer.text

    [sent_event] = a.audited("message.send", message_id)
    assert (sent_event["actor"], sent_event["agency"]) == ("off.a", "AG-A")
    assert sent_event["recipients"] == ["AG-B"]
    [delivered] = a.audited("federation.message.delivered", message_id)
    assert delivered["recipients"] == ["NODE-B"]
    assert [e["outcome"] for e in a.audited("federation.receive.receipt", message_id)] == [
        "success"
    ]
    [arrived] = b.audited("federation.receive.message", message_id)
    assert (arrived["actor"], arrived["outcome"]) == ("NODE-A", "success")
    [received] = b.audited("message.receive", message_id)
    assert received["detail"]["sender"] == "AG-A"
    assert b.audited("message.read", message_id)
    assert b.audited("federation.receipt.delivered", message_id)
    assert a.audit("federation.hit_query")[-1]["detail"]["NODE-B"] == "no_hit"
    assert b.audit("federation.hit_answer")[-1]["detail"] == {"outcome": "no_hit", "node": "NODE-A"}

    for node in fed.nodes:
        report = node.cli_json("audit", "verify")
        assert report["ok"] is True, f"{node.code}: {report}"
        assert report["entries"] > 0
