"""Demo chapter: the node's keys, and the message traffic of the demo agencies around the
criminal groups — a cocaine consignment worked by Colombia, the Netherlands, Spain and
Europol; a trafficking lead passed on with the provider's consent; a source-protected H3
report; a wildlife seizure; an FIU's request to a bank; a hit whose details the owner sends;
an urgent warning from Spain that Colombia's bureau has not opened yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from palermo.demo.builder import DemoWorld
from palermo.exchange import directory, dissemination, messages, reading
from palermo.exchange.keys import Keyring
from palermo.exchange.messages import Attachment, Draft
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.exchange import Message
from palermo.models.records import Record
from palermo.policy.records import AccessContext
from palermo.records.service import full_views

SOURCE_NOTE = "Source protection: do not disclose outside the recipient agency."


@dataclass
class Traffic:
    world: DemoWorld
    keyring: Keyring
    start: datetime

    def who(self, username: str) -> Principal:
        return self.world.principal(username)

    def at(self, days: float) -> datetime:
        return self.start + timedelta(days=days)

    def send(self, username: str, days: float, **fields: object) -> uuid.UUID:
        now = self.at(days)
        draft = Draft.of(
            max_attachment_bytes=self.world.settings.max_attachment_bytes,
            today=now.date(),
            **fields,  # type: ignore[arg-type]
        )
        sent = messages.send(
            self.world.session, self.keyring, principal=self.who(username), draft=draft, now=now
        )
        return sent.id

    def opens(self, username: str, message_id: uuid.UUID, days: float) -> None:
        reading.view(
            self.world.session,
            self.keyring,
            principal=self.who(username),
            message_id=message_id,
            now=self.at(days),
        )

    def acknowledges(self, username: str, message_id: uuid.UUID, days: float) -> None:
        self.opens(username, message_id, days)
        reading.acknowledge(
            self.world.session,
            self.keyring,
            principal=self.who(username),
            message_id=message_id,
            now=self.at(days),
        )


def _entity(world: DemoWorld, record_id: str) -> dict[str, object]:
    view = full_views(world.session, [record_id])[record_id]
    return {"id": view.id, "schema": view.schema_, "properties": view.properties}


def _caption(world: DemoWorld, record_id: str) -> str:
    caption = world.session.scalar(select(Record.caption).where(Record.id == record_id))
    return caption or record_id


def populate(world: DemoWorld) -> None:
    keyring = Keyring.of(world.settings)
    directory.init(
        world.session, keyring, principal=world.operator, base_url=world.settings.node_url
    )
    now = utcnow()
    t = Traffic(world, keyring, start=now - timedelta(days=21))
    _cocaine(t)
    _trafficking(t)
    _source_report(t)
    _wildlife(t)
    _fiu_request(t)
    _details_after_hit(t)
    _courier(t)
    world.facts["messages"] = world.session.scalar(select(func.count()).select_from(Message))


def _cocaine(t: Traffic) -> None:
    world = t.world
    broker = world.facts["broker"]
    manifest = (
        b"container,seal,vessel,port_of_loading,port_of_discharge,declared_goods\n"
        b"MSCU 512345 6,EC-44120,MSC Aurora,Guayaquil,Rotterdam,bananas (1,120 boxes)\n"
    )
    lead = t.send(
        "co-dijin.officer",
        0,
        recipients=["EUROPOL", "NL-NP", "ES-UDYCO"],
        subject=f"Cocaine consignment Guayaquil–Rotterdam: broker {_caption(world, broker)}",
        body=(
            "Wiretap reporting indicates a consignment concealed in a banana reefer container "
            "loaded in Guayaquil, due in Rotterdam in 12 days. The broker arranged the "
            "cover load and the release at the terminal. Entity attached; manifest attached."
        ),
        payload=[_entity(world, broker)],
        attachments=[Attachment("container-manifest.csv", "text/csv", manifest)],
        priority="urgent",
        handling_code="H1",
        tlp="AMBER",
        evaluation="B2",
        case_ref="CO-DIJIN/2025/0417",
        reply_by=(t.at(0) + timedelta(days=35)).date(),
    )
    t.acknowledges("nl-np.officer", lead, 0.2)
    t.opens("europol.analyst", lead, 0.4)
    t.opens("es-udyco.officer", lead, 1.5)
    reply = t.send(
        "nl-np.officer",
        1,
        recipients=["CO-DIJIN", "EUROPOL"],
        subject="Re: Cocaine consignment Guayaquil–Rotterdam",
        body="Container located at Maasvlakte II. Customs scan requested for Thursday; "
        "controlled delivery under consideration with the public prosecutor.",
        handling_code="H1",
        tlp="AMBER",
        evaluation="A1",
        in_reply_to=lead,
        case_ref="CO-DIJIN/2025/0417",
    )
    t.opens("co-dijin.officer", reply, 1.1)
    analysis = t.send(
        "europol.analyst",
        2,
        recipients=["CO-DIJIN", "NL-NP", "ES-UDYCO"],
        subject="Re: Cocaine consignment — cross-match",
        body="The broker's telephone appears in two earlier seizures (Algeciras 2024, "
        "Antwerp 2025). Operational analysis report follows; do not disseminate further.",
        handling_code="H2",
        tlp="AMBER",
        in_reply_to=lead,
        case_ref="CO-DIJIN/2025/0417",
    )
    t.opens("co-dijin.officer", analysis, 2.3)
    t.acknowledges("nl-np.officer", analysis, 2.5)


def _trafficking(t: Traffic) -> None:
    session = t.world.session
    lead = t.send(
        "bg-gdbop.officer",
        4,
        recipients=["DE-BKA"],
        subject="Victims moved Sofia–Frankfurt by minibus this weekend",
        body="Four women recruited with false job offers; driver and vehicle known to us. "
        "Arrival expected Sunday night at Frankfurt-Höchst.",
        priority="immediate",
        handling_code="H2",
        tlp="AMBER+STRICT",
        evaluation="B2",
    )
    t.acknowledges("de-bka.officer", lead, 4.05)
    dissemination.request_consent(
        session,
        t.keyring,
        principal=t.who("de-bka.officer"),
        message_id=lead,
        scope="forward",
        reason="To alert the NCB and the Hessen police for the interception.",
        max_attachment_bytes=t.world.settings.max_attachment_bytes,
        now=t.at(4.1),
    )
    dissemination.grant_consent(
        session,
        t.keyring,
        principal=t.who("bg-gdbop.officer"),
        message_id=lead,
        grantee="DE-BKA",
        scope="forward",
        note="Agreed, for the interception only.",
        now=t.at(4.15),
    )
    dissemination.forward(
        session,
        t.keyring,
        principal=t.who("de-bka.officer"),
        message_id=lead,
        recipients=["NCB-DE"],
        note="For action: interception at Frankfurt-Höchst, Sunday night.",
        max_attachment_bytes=t.world.settings.max_attachment_bytes,
        now=t.at(4.2),
    )


def _source_report(t: Traffic) -> None:
    report = t.send(
        "co-dijin.supervisor",
        6,
        recipients=["US-DEA"],
        subject="Human source reporting on the cocaine network's finances",
        body="The source reports that proceeds are moved through a money-service business "
        "in Panama and invoices of a Dubai trading company.",
        handling_code="H3",
        handling_note=SOURCE_NOTE,
        tlp="RED",
        evaluation="B3",
    )
    t.opens("us-dea.officer", report, 6.5)


def _wildlife(t: Traffic) -> None:
    notice = t.send(
        "ke-dci.officer",
        9,
        recipients=["VN-C04", "ZA-DPCI"],
        subject="Ivory and pangolin scales declared as cashew nuts, Mombasa to Hai Phong",
        body="Two 40-foot containers; consignee a Hai Phong import company. Bill of lading "
        "and photographs of the loading attached.",
        attachments=[
            Attachment("bill-of-lading.txt", "text/plain", b"B/L MBA-HPH-2291, 2 x 40HC, cashew"),
        ],
        priority="urgent",
        tlp="GREEN",
        evaluation="A2",
    )
    t.acknowledges("vn-c04.officer", notice, 9.6)


def _fiu_request(t: Traffic) -> None:
    request = t.send(
        "nl-fiu.analyst",
        12,
        recipients=["NL-HANZE"],
        subject="Request for information: transactions of a trading company",
        body="Under Art. 17 Wwft, please provide the statements of the company's accounts "
        "for the last 18 months and the identity documents on file.",
        handling_code="H2",
        tlp="AMBER",
        reply_by=(t.at(12) + timedelta(days=30)).date(),
    )
    t.opens("nl-hanze.compliance", request, 12.5)
    t.send(
        "nl-hanze.compliance",
        14,
        recipients=["NL-FIU"],
        subject="Re: Request for information: transactions of a trading company",
        body="Statements and customer due-diligence file attached.",
        attachments=[
            Attachment(
                "statements.csv",
                "text/csv",
                b"date,amount,currency,counterparty\n2025-03-02,184000.00,EUR,AE GMB\n",
            )
        ],
        handling_code="H2",
        tlp="AMBER",
        in_reply_to=request,
    )


def _details_after_hit(t: Traffic) -> None:
    """Spain holds a hit-only share of a Colombian record: it asks, Colombia sends it."""
    session = t.world.session
    record_id = next(r for r in t.world.facts["groups"]["cocaine"] if r.startswith("co-dijin."))
    request = dissemination.request_details(
        session,
        t.keyring,
        principal=t.who("es-udyco.officer"),
        reference=record_id,
        owner_agency="CO-DIJIN",
        context=AccessContext.of("criminal_investigation", "Algeciras seizure follow-up"),
        max_attachment_bytes=t.world.settings.max_attachment_bytes,
        now=t.at(16),
    )
    t.opens("co-dijin.officer", request.id, 16.2)
    dissemination.approve_details(
        session,
        t.keyring,
        principal=t.who("co-dijin.officer"),
        message_id=request.id,
        note="Approved for the Algeciras investigation.",
        max_attachment_bytes=t.world.settings.max_attachment_bytes,
        now=t.at(16.3),
    )


def _courier(t: Traffic) -> None:
    """Yesterday's urgent warning, still unread in Bogotá: the Colombian bureau's officer
    finds it on the dashboard."""
    t.send(
        "ncb-es.officer",
        20,
        recipients=["NCB-CO"],
        subject="Courier of the cocaine network expected at Madrid-Barajas, flight AV26",
        body="Passenger-list screening flags a courier of the network on tomorrow's AV26 from "
        "Bogotá. Please confirm his identity and any travel companions before boarding.",
        priority="urgent",
        handling_code="H1",
        tlp="AMBER",
        evaluation="B2",
        reply_by=(t.at(20) + timedelta(days=1)).date(),
    )
