"""Demo chapter: judicial cooperation — sixteen requests between the demo countries' central
authorities, in every state the lifecycle knows.

The story (dates are counted back from the day the world is built, so that the same requests
are always waiting, due or overdue; the request for the Dubai apartment follows the dates of
the Dutch order the asset-recovery chapter recorded):

- The Netherlands' central authority (NL-AIRS) joins Operation Harbour as an observer and
  files the team's requests abroad under the case's reference: the JIT set-up asked of
  Colombia (answered), Banco Andino's records and a witness in Colombia (in execution, two
  parts done, past the date asked), USD correspondent records in the United States (assigned
  to the DEA, due within the week), the recognition of the seizure of the distributor's flat
  in Estepona under Regulation 2018/1805 (acknowledged by Spain, past the date asked)
  and a request to Nigeria still in draft. Before the case, Dubai Public Prosecution
  recognised the Dutch freezing order on the finance director's apartment at the UAE's
  Ministry of Justice's request (answered, with speciality and confidentiality conditions).
- Extradition: Colombia asks Spain for the Mar Abierto leader, arrested at Madrid-Barajas on
  his Red Notice (in execution before the Audiencia Nacional); the Netherlands had the
  convicted extractor surrendered by Spain on a European arrest warrant after his arrest in
  Málaga on his Red Notice (answered), and withdrew the investigation order that was to find
  him; Colombia asked the Netherlands for the Dutch distributor — refused, after consultation,
  on the ground of nationality, the Netherlands prosecuting him itself.
- Elsewhere: Italy's Reggio Calabria prosecutors asked the Netherlands to seize a lawyer's
  correspondence — refused, after consultation, because Dutch law forbids it (legal
  professional privilege); Spain asks Colombia for the temporary transfer of a detained
  witness, who will not consent (in consultation); France had three victims of the
  trafficking ring heard by video from Huelva (answered); the United States obtained the
  financier's bank records from Colombia under the Inter-American convention (answered,
  slowly); Germany's investigation order to Italy waits unacknowledged past its week, and
  Spain's, sent three days ago, is due.
- The daily sweep runs once at the end: reminders for what is due within the week,
  escalations to both central authorities for what is overdue.

Log in as ``nl-airs.officer`` (the Harbour requests, the statistics, the escalations),
``es-mj.officer`` (the recognition to decide, the leader's extradition, the European arrest
warrant), ``co-fgn.officer`` (the requests in execution and in consultation, the refused
extradition), ``it-mg.officer`` (two investigation orders to acknowledge, one refused),
``us-oia.officer``, ``fr-bepi.officer``, ``de-bfj.officer``, ``ae-moj.officer``;
``co-dijin.officer``, ``ncb-es.officer``, ``us-dea.officer`` and ``es-udyco.officer`` see what
they execute. ``ng-cau.officer`` does not see the draft addressed to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from palermo.cases import membership
from palermo.cases.vocabulary import MemberRole
from palermo.demo.builder import DemoWorld
from palermo.demo.finintel import Clock, Known
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.judicial import deadlines, requests
from palermo.judicial.lifecycle import Ground, Measure, Step
from palermo.judicial.schemas import RequestIn
from palermo.models.assets import AssetEvent, AssetOrder, Recognition
from palermo.models.base import utcnow
from palermo.models.cases import Case
from palermo.models.exchange import Message
from palermo.models.judicial import JudicialRequest
from palermo.models.notices import Notice
from palermo.notices.kinds import NoticeKind

DRUGS, LAUNDERING = "0601", "07"
SEXUAL, LABOUR = "02041", "02042"
DUBAI_ORDER, ESTEPONA_ORDER = "NL-MLA-2025-0117", "NL-MLA-2025-0164"  # asset chapter's

NL_AUTHORITY = "Officier van justitie, Landelijk Parket, Openbaar Ministerie, Rotterdam"
HARBOUR = (
    "Criminal investigation 'Harbour' (parketnummer 10/960123-25) of the Landelijk Parket into "
    "the importation of cocaine through the port of Rotterdam by the criminal organisation "
    "'Mar Abierto' (Opiumwet, arts. 2 and 10; Wetboek van Strafrecht, art. 140), with its "
    "financial investigation ONT 2024/0311"
)
CO_AUTHORITY = (
    "Fiscalía General de la Nación, Dirección Especializada contra el Narcotráfico, Bogotá"
)
ES_AUTHORITY = "Juzgado Central de Instrucción nº 4, Audiencia Nacional, Madrid"
IT_AUTHORITY = (
    "Procura della Repubblica presso il Tribunale di Reggio Calabria, Direzione Distrettuale "
    "Antimafia"
)


@dataclass
class Desk:
    """Central authorities at work, at days counted back from the day the world is built."""

    world: DemoWorld
    keyring: Keyring
    clock: Clock
    made: dict[str, JudicialRequest] = field(default_factory=dict)

    def who(self, username: str) -> Principal:
        return self.world.principal(username)

    def at(self, days: float, hour: int = 10, minute: int = 0) -> datetime:
        return self.clock.ago(days, hour, minute)

    def day(self, days: int) -> date:
        """`days` before today (negative: after)."""
        return (self.clock.today - timedelta(days=days)).date()

    def draft(self, key: str, username: str, now: datetime, **fields: Any) -> JudicialRequest:
        request = requests.draft(
            self.world.session,
            principal=self.who(username),
            payload=RequestIn.model_validate(fields),
            now=now,
        )
        self.made[key] = request
        return request

    def send(self, username: str, request: JudicialRequest, now: datetime) -> None:
        requests.send(
            self.world.session,
            principal=self.who(username),
            keyring=self.keyring,
            request=request,
            max_attachment_bytes=self.world.settings.max_attachment_bytes,
            now=now,
        )

    def step(
        self, username: str, request: JudicialRequest, step: Step, now: datetime, note: str = ""
    ) -> None:
        requests.take_step(
            self.world.session,
            principal=self.who(username),
            request=request,
            step=step,
            now=now,
            note=note,
        )

    def assign(self, username: str, request: JudicialRequest, agency: str, now: datetime) -> None:
        requests.assign(
            self.world.session,
            principal=self.who(username),
            request=request,
            agency_code=agency,
            now=now,
        )

    def part(
        self,
        username: str,
        request: JudicialRequest,
        measure: Measure | None,
        now: datetime,
        summary: str,
    ) -> None:
        requests.execute_part(
            self.world.session,
            principal=self.who(username),
            request=request,
            measure=measure,
            executed_on=now.date(),
            summary=summary,
            now=now,
        )

    def answer(
        self,
        username: str,
        request: JudicialRequest,
        now: datetime,
        summary: str,
        speciality: str = "",
        confidentiality: str = "",
    ) -> None:
        requests.answer(
            self.world.session,
            principal=self.who(username),
            request=request,
            summary=summary,
            speciality=speciality,
            confidentiality=confidentiality,
            now=now,
        )

    def refuse(
        self,
        username: str,
        request: JudicialRequest,
        ground: Ground,
        reasons: str,
        consulted_on: date,
        now: datetime,
    ) -> None:
        requests.refuse(
            self.world.session,
            principal=self.who(username),
            request=request,
            ground=ground,
            reasons=reasons,
            consulted_on=consulted_on,
            now=now,
        )


@dataclass(frozen=True)
class Cast:
    """What earlier chapters made that the requests are about."""

    harbour: Case
    leader: str  # record ids of the cocaine network
    distributor: str
    extractor: str
    director: str
    leader_notice: Notice
    extractor_notice: Notice
    dubai: AssetOrder
    estepona: AssetOrder
    names: Known


def populate(world: DemoWorld) -> None:
    now = utcnow()
    desk = Desk(
        world, Keyring.of(world.settings), Clock(datetime.combine(now.date(), time(), tzinfo=UTC))
    )
    cast = _cast(world)
    membership.admit(
        world.session,
        principal=desk.who("nl-np.officer"),
        case=cast.harbour,
        agency_code="NL-AIRS",
        role=MemberRole.observer,
        legal_basis="Central authority for mutual legal assistance and extradition (Art. "
        "18(13) UNTOC; Art. 7(8) of the 1988 UN Convention; Wetboek van Strafvordering, "
        "Boek 5, arts. 5.1.1 ff.): files the requests abroad of the Landelijk Parket for "
        "investigation Harbour",
        now=desk.at(392, 11),
    )
    # Played in the order they were drafted, so that references run with the dates.
    plays: list[tuple[datetime, Callable[[Desk, Cast, datetime], None]]] = [
        (_dubai_drafted(cast), _nl_ae_recognition),
        (desk.at(388, 9), _nl_co_jit),
        (desk.at(331, 9), _fr_es_victims),
        (desk.at(191, 9), _nl_es_locate),
        (desk.at(171, 9), _us_co_bank_records),
        (desk.at(151, 9), _nl_es_surrender),
        (desk.at(141, 9), _co_nl_distributor),
        (desk.at(121, 9), _it_nl_lawyer),
        (desk.at(77, 9), _nl_co_records),
        (desk.at(59, 9), _nl_es_recognition),
        (desk.at(46, 9), _co_es_leader),
        (desk.at(42, 9), _nl_us_correspondent),
        (desk.at(36, 9), _es_co_transfer),
        (desk.at(13, 9), _de_it_hearing),
        (desk.at(4, 9), _es_it_buyers),
        (desk.at(2, 9), _nl_ng_draft),
    ]
    for drafted, play in sorted(plays, key=lambda p: p[0]):
        play(desk, cast, drafted)
    warnings = deadlines.sweep(
        world.session,
        principal=world.operator,
        reminder_days=world.settings.judicial_reminder_days,
        now=now,
    )
    made = desk.made
    world.facts["judicial"] = {
        "requests": {key: request.reference for key, request in made.items()},
        "harbour": cast.harbour.reference,
        "filed_under_harbour": [r.reference for r in made.values() if r.case_id == cast.harbour.id],
        "refused": [made["co_nl_distributor"].reference, made["it_nl_lawyer"].reference],
        "red_notice_extradition": {
            "request": made["co_es_leader"].reference,
            "notice": str(cast.leader_notice.id),
            "person": cast.names.value(cast.leader, "name"),
        },
        "recognition": {
            "request": made["nl_ae_recognition"].reference,
            "order": str(cast.dubai.id),
            "judicial_reference": DUBAI_ORDER,
        },
        "pair": ["NL", "CO"],
        "outsider": {"username": "es-mj.officer", "request": made["nl_co_records"].reference},
        "unseen_draft": {"username": "ng-cau.officer", "request": made["nl_ng_draft"].reference},
        "overdue": [
            made[key].reference for key in ("nl_co_records", "nl_es_recognition", "de_it_hearing")
        ],
        "reminded": [made[key].reference for key in ("nl_us_correspondent", "es_it_buyers")],
        "sweep_warnings": warnings,
    }
    world.facts["messages"] = world.session.scalar(select(func.count()).select_from(Message))


def _cast(world: DemoWorld) -> Cast:
    session = world.session
    cocaine = Known(world, "cocaine")
    leader = cocaine.find("CO-DIJIN", "Person", position="Leader")
    extractor = cocaine.find("NL-NP", "Person", position="Extractor")
    harbour = session.get(Case, uuid.UUID(world.facts["cases"]["open"]["id"]))
    assert harbour is not None

    def red_notice(title: str) -> Notice:
        return session.scalars(
            select(Notice).where(Notice.kind == NoticeKind.red, Notice.title == title)
        ).one()

    def order(judicial_reference: str) -> AssetOrder:
        return session.scalars(
            select(AssetOrder).where(
                AssetOrder.country == "NL", AssetOrder.judicial_reference == judicial_reference
            )
        ).one()

    return Cast(
        harbour=harbour,
        leader=leader,
        # The first the story knows as the distributor (the Estepona flat's owner).
        distributor=cocaine.find("NL-NP", "Person", position="Distributor"),
        extractor=extractor,
        director=cocaine.find("NL-NP", "Person", position="Finance"),
        leader_notice=red_notice(f"Wanted for prosecution: {cocaine.value(leader, 'name')}"),
        extractor_notice=red_notice(
            f"Wanted to serve a sentence: {cocaine.value(extractor, 'name')}"
        ),
        dubai=order(DUBAI_ORDER),
        estepona=order(ESTEPONA_ORDER),
        names=cocaine,
    )


def _person(cast: Cast, record_id: str, location: str) -> dict[str, str]:
    nationality = cast.names.value(record_id, "nationality") or cast.names.value(
        record_id, "country"
    )
    return {
        "name": cast.names.value(record_id, "name"),
        "nationality": nationality.upper(),
        "location": location,
        "record_id": record_id,
    }


# The Netherlands for Operation Harbour -----------------------------------------------------
def _dubai_drafted(cast: Cast) -> datetime:
    return datetime.combine(cast.dubai.issued_on + timedelta(days=1), time(9), tzinfo=UTC)


def _nl_ae_recognition(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """The Dutch freezing order on the Dubai apartment, recognised by Dubai Public
    Prosecution and executed by the UAE's bureau on the dates the asset chapter recorded."""
    session = desk.world.session
    order = cast.dubai
    recognised = session.scalars(
        select(Recognition).where(Recognition.order_id == order.id, Recognition.country == "AE")
    ).one()
    frozen = session.scalars(
        select(AssetEvent.on).where(
            AssetEvent.order_id == order.id, AssetEvent.to_state == "frozen"
        )
    ).first()
    assert recognised.decided_on is not None
    assert frozen is not None

    def on(days: int, hour: int = 10) -> datetime:
        return datetime.combine(drafted.date() + timedelta(days=days), time(hour), tzinfo=UTC)

    nl, ae = "nl-airs.officer", "ae-moj.officer"
    name = cast.names.value(cast.director, "name")
    request = desk.draft(
        "nl_ae_recognition",
        nl,
        drafted,
        kind="recognition",
        requested="AE-MOJ",
        treaty="UN1988",
        offences=[DRUGS],
        requesting_authority=NL_AUTHORITY,
        proceedings=f"{HARBOUR}. Freezing order {order.reference} of the {order.authority} of "
        f"{order.issued_on} (our reference {DUBAI_ORDER}).",
        facts=(
            f"{name}, finance director of the network's Dutch fruit importer, is suspected of "
            "laundering the proceeds of cocaine imported in banana containers from Guayaquil. "
            "Gulf Meridian Bank reported cash deposits just under the UAE threshold and a wire "
            "to the network's financier; the proceeds bought Apartment 2304, Marina Gate, "
            "Dubai Marina (about AED 3,200,000), registered in her name."
        ),
        assistance=(
            f"Recognition and execution of freezing order {order.reference} over Apartment "
            "2304, Marina Gate, Dubai (Art. 5(4)(a) and (b) of the 1988 Convention): "
            "registration of the freezing with the Dubai Land Department, so that the "
            "apartment may not be sold, mortgaged or let pending confiscation proceedings in "
            "the Netherlands. A certified translation into Arabic is annexed."
        ),
        persons=[_person(cast, cast.director, "Dubai, United Arab Emirates")],
        purpose="To secure the apartment for confiscation of the proceeds (art. 36e Sr) "
        "following conviction in the Netherlands",
        handling="H2",
        urgent=True,
        requested_by=on(30).date(),
        asset_order=str(order.id),
    )
    desk.send(nl, request, on(0, 15))
    desk.step(ae, request, Step.acknowledge, on(5), "Registered under MOJ/IC/2025/4471.")
    desk.assign(ae, request, "NCB-AE", on(7))
    desk.part(
        ae,
        request,
        None,
        datetime.combine(recognised.decided_on, time(12), tzinfo=UTC),
        f"The Dutch order recognised by {recognised.authority} (Federal Law No. 39 of 2006 on "
        "International Judicial Cooperation in Criminal Matters, art. 45).",
    )
    desk.part(
        "ncb-ae.officer",
        request,
        None,
        datetime.combine(frozen, time(11), tzinfo=UTC),
        "Freezing entered in the Dubai Land Department's register against the title of "
        "Apartment 2304, Marina Gate; the owner notified through the building's management.",
    )
    desk.answer(
        ae,
        request,
        datetime.combine(frozen + timedelta(days=1), time(9), tzinfo=UTC),
        "The freezing order is recognised and executed: the apartment is frozen in the Dubai "
        "Land Department's register. It stays frozen while the Dutch order is in force; "
        "tell us of any renewal or confiscation order before it expires.",
        speciality="The documents of the Dubai Land Department are provided only for the "
        f"proceedings named in {request.reference} (Art. 7(13) of the 1988 Convention).",
        confidentiality="The existence of the freezing is not to be disclosed to the building's "
        "management company beyond the notification already made.",
    )


def _nl_co_jit(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """The JIT NL–CO–ES of the cases chapter, asked of Colombia before the agreement was
    drafted."""
    nl, co = "nl-airs.officer", "co-fgn.officer"
    request = desk.draft(
        "nl_co_jit",
        nl,
        drafted,
        kind="mla",
        requested="CO-FGN",
        measures=["jit_setup"],
        treaty="UNTOC",
        offences=[DRUGS],
        requesting_authority=NL_AUTHORITY,
        proceedings=HARBOUR,
        facts=(
            "Since 2019 the Mar Abierto network has shipped cocaine from laboratories in Nariño "
            "in banana reefer containers from Guayaquil to Rotterdam, with a port insider at the "
            "Maasvlakte and a reception cell in Spain. The Colombian leadership sets prices and "
            "volumes with the Dutch buyers through a broker in Marbella. The Dirección de "
            "Investigación Criminal e Interpol investigates the same organisation in Colombia."
        ),
        assistance=(
            "The setting up of a joint investigation team of the Netherlands, Colombia and "
            "Spain for two years (Art. 19 UNTOC; Art. 9(1)(c) of the 1988 Convention), on the "
            "model agreement (2017/C 18/01) annexed in draft, each party acting under its own "
            "law; the designation of the Colombian members and of the prosecutor who signs."
        ),
        purpose="To investigate and prosecute the organisation in the three states and to "
        "share evidence lawfully obtained in the team without further requests",
        handling="H1",
        requested_by=desk.day(340),
        case=str(cast.harbour.id),
    )
    desk.send(nl, request, desk.at(387, 11))
    desk.step(co, request, Step.acknowledge, desk.at(383), "Radicado DAI 2025-11871.")
    desk.assign(co, request, "CO-DIJIN", desk.at(381))
    desk.part(
        "co-dijin.officer",
        request,
        Measure.jit_setup,
        desk.at(360, 16),
        "The Fiscalía designates the Dirección Especializada contra el Narcotráfico and the "
        "DIJIN's counter-narcotics group as Colombian members; comments on the draft agreement "
        "(evidence rules, clause 11) sent to the Landelijk Parket.",
    )
    desk.answer(
        co,
        request,
        desk.at(357),
        "Colombia agrees to the joint investigation team on the draft as amended; the "
        "Fiscalía's delegate will sign for CO-DIJIN.",
        speciality="Information exchanged within the team is used under the agreement's "
        "evidence rules; any other use needs the Fiscalía General de la Nación's consent.",
        confidentiality="The team's existence is not to be disclosed before the first arrests.",
    )


def _nl_co_records(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Bank records and a witness in Colombia: in execution, past the date asked."""
    nl, co = "nl-airs.officer", "co-fgn.officer"
    request = desk.draft(
        "nl_co_records",
        nl,
        drafted,
        kind="mla",
        requested="CO-FGN",
        measures=["bank_records", "taking_evidence"],
        treaty="UNTOC",
        offences=[DRUGS],
        requesting_authority=NL_AUTHORITY,
        proceedings=HARBOUR,
        facts=(
            "The Dutch fruit importer paid a Colombian fruit exporter for the banana "
            "consignments in which cocaine was found at the Maasvlakte; the payments exceed "
            "the declared value of the fruit several times. The exporter's accounts are held "
            "at Banco Andino del Pacífico; its packing station loaded the container of the "
            "controlled delivery now under way."
        ),
        assistance=(
            "1. Statements of all accounts of the Colombian exporter and of the network's "
            "financier at Banco Andino del Pacífico S.A. from 1 January 2023, with the "
            "account-opening files and the counterparties of transfers abroad. 2. The hearing "
            "as a witness of the exporter's logistics manager about the loading of the "
            "containers, by a prosecutor of the Fiscalía, with the questions annexed; a Dutch "
            "investigator may attend (Art. 18(17) UNTOC)."
        ),
        purpose="Evidence of the payments for the shipments and of the loading, for the trial "
        "of the importer and its director in Rotterdam",
        handling="H1",
        requested_by=desk.day(5),
        case=str(cast.harbour.id),
    )
    desk.send(nl, request, desk.at(75, 11))
    desk.step(co, request, Step.acknowledge, desk.at(63), "Radicado DAI 2026-07310.")
    desk.assign(co, request, "CO-DIJIN", desk.at(60))
    desk.part(
        "co-dijin.officer",
        request,
        Measure.bank_records,
        desk.at(31, 15),
        "Banco Andino produced the exporter's statements January 2023 – September 2026 and its "
        "account-opening file under the Fiscalía's order; the financier's accounts follow.",
    )
    desk.part(
        "co-dijin.officer",
        request,
        Measure.taking_evidence,
        desk.at(12, 15),
        "The logistics manager was heard in Medellín by the Fiscalía 45 Especializada; the "
        "Dutch investigator attended by video. Record of the hearing in Spanish, 14 pages.",
    )


def _nl_us_correspondent(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """USD correspondent records in the US: assigned to the DEA, due within the week."""
    nl, us = "nl-airs.officer", "us-oia.officer"
    request = desk.draft(
        "nl_us_correspondent",
        nl,
        drafted,
        kind="mla",
        requested="US-OIA",
        measures=["bank_records"],
        treaty="UNTOC",
        offences=[LAUNDERING],
        requesting_authority=NL_AUTHORITY,
        proceedings=HARBOUR,
        facts=(
            "The finance director of the Dutch importer moved the proceeds of the cocaine "
            "imports from her account at Gulf Meridian Bank, Dubai, to the network's financier "
            "in Colombia in US dollars. The wires cleared through the correspondent account of "
            "Gulf Meridian Bank at Hudson Harbor Bank, N.A., New York."
        ),
        assistance=(
            "Production, by a subpoena or order under 18 U.S.C. § 3512, of the records of "
            "Hudson Harbor Bank, N.A. for the wires between Gulf Meridian Bank PJSC and Banco "
            "Andino del Pacífico S.A. from 1 January 2024 (originator, beneficiary, amounts, "
            "dates, SWIFT messages), with a certificate of authenticity of business records."
        ),
        purpose="Evidence of the laundering of the proceeds (art. 420bis Sr), for the trial in "
        "Rotterdam and the confiscation proceedings",
        handling="H2",
        requested_by=desk.day(-5),
        case=str(cast.harbour.id),
    )
    desk.send(nl, request, desk.at(41, 11))
    desk.step(us, request, Step.acknowledge, desk.at(35), "OIA file 182-54871.")
    desk.assign(us, request, "US-DEA", desk.at(30))


def _nl_es_recognition(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """The seizure of the Estepona flat sent to Spain: acknowledged, past the date asked."""
    nl, es = "nl-airs.officer", "es-mj.officer"
    order = cast.estepona
    name = cast.names.value(cast.distributor, "name")
    request = desk.draft(
        "nl_es_recognition",
        nl,
        drafted,
        kind="recognition",
        requested="ES-MJ",
        treaty="EU2018_1805",
        offences=[DRUGS],
        requesting_authority=NL_AUTHORITY,
        proceedings=f"{HARBOUR}. Seizure order {order.reference} of the {order.authority} of "
        f"{order.issued_on} (our reference {ESTEPONA_ORDER}).",
        facts=(
            f"{name}, who buys cocaine per container from the network's brokers and "
            "distributes it in the Netherlands, owns a holiday flat at Urbanización Las Lomas "
            "7, Estepona, bought in cash through a Spanish notary in 2023, while declaring no "
            "lawful income that could explain it."
        ),
        assistance=(
            f"Recognition and execution of seizure order {order.reference} (freezing "
            "certificate, Annex I of Regulation (EU) 2018/1805, annexed): entry of the seizure "
            "in the Registro de la Propiedad de Estepona, so that the flat may not be sold or "
            "charged pending confiscation in the Netherlands."
        ),
        persons=[_person(cast, cast.distributor, "Rotterdam, the Netherlands")],
        purpose="To preserve the flat for the confiscation of the proceeds (art. 36e Sr)",
        handling="H2",
        asset_order=str(order.id),
        case=str(cast.harbour.id),
        requested_by=desk.day(28),
    )
    desk.send(nl, request, desk.at(58, 11))
    desk.step(
        es,
        request,
        Step.acknowledge,
        desk.at(55),
        "Forwarded to the Juzgado de Instrucción de Estepona (Ley 23/2014, art. 146).",
    )


def _nl_ng_draft(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Still in draft: only the Dutch see it."""
    desk.draft(
        "nl_ng_draft",
        "nl-airs.officer",
        drafted,
        kind="mla",
        requested="NG-CAU",
        measures=["taking_evidence", "bank_records"],
        treaty="UNTOC",
        offences=[DRUGS],
        requesting_authority=NL_AUTHORITY,
        proceedings=HARBOUR,
        facts=(
            "Loads of the network transferred at sea in the Gulf of Guinea are landed by an "
            "offshore supply company of Lagos and shipped on to Europe; the Dutch importer's "
            "director called its owner before each Rotterdam consignment."
        ),
        assistance=(
            "Records of the Nigerian Ports Authority on the supply vessel's calls at Apapa "
            "since 2024; the offshore supply company's bank statements; the hearing of its "
            "manager as a witness."
        ),
        purpose="",  # still being written
        handling="H1",
        case=str(cast.harbour.id),
    )


# Extradition and the extractor ---------------------------------------------------------------
def _co_es_leader(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """The leader arrested in Madrid on his Red Notice; the Audiencia Nacional decides."""
    co, es = "co-fgn.officer", "es-mj.officer"
    notice = cast.leader_notice
    warrant = notice.particulars
    request = desk.draft(
        "co_es_leader",
        co,
        drafted,
        kind="extradition",
        requested="ES-MJ",
        treaty="UNTOC",
        offences=[DRUGS],
        requesting_authority=CO_AUTHORITY,
        proceedings=(
            f"Criminal proceedings for {warrant['charge'].lower()} ({warrant['law_reference']}); "
            f"{warrant['warrant_reference']} of the {warrant['issuing_authority']}"
        ),
        facts=warrant["summary"]
        + f" He was arrested at Madrid-Barajas airport on {desk.day(48)} on arrival from "
        "Guayaquil, travelling on a Venezuelan passport in another name, on the strength of "
        "the Red Notice.",
        assistance=(
            "Extradition of the person for prosecution (Art. 16 UNTOC; Ley 4/1985, de "
            "Extradición Pasiva), and the handing over of the objects seized on him at his "
            "arrest: two telephones and the passport. Colombia gives the assurances of Art. "
            "16(13) UNTOC and of Colombian law (Código de Procedimiento Penal, art. 494)."
        ),
        persons=[_person(cast, cast.leader, "Centro Penitenciario Madrid VII (Estremera), Spain")],
        purpose="To try him in Bogotá as the leader of the Mar Abierto network",
        handling="H1",
        urgent=True,
        notice=str(notice.id),
    )
    desk.send(co, request, desk.at(45, 11))
    desk.step(es, request, Step.acknowledge, desk.at(44), "Expediente de extradición 31/2026.")
    desk.assign(es, request, "NCB-ES", desk.at(44, 15))
    desk.part(
        "ncb-es.officer",
        request,
        None,
        desk.at(43, 12),
        "Brought before the Juzgado Central de Instrucción nº 5; identified from fingerprints "
        "against the Red Notice; he does not consent to his surrender (Ley 4/1985, art. 12). "
        "Remanded in custody pending extradition.",
    )
    desk.part(
        es,
        request,
        None,
        desk.at(6, 13),
        "Extradition hearing before the Sala de lo Penal of the Audiencia Nacional; the "
        "defence argued he is a Venezuelan national; decision reserved.",
    )


def _nl_es_locate(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """An investigation order to find the extractor, withdrawn once he was arrested."""
    nl, es = "nl-airs.officer", "es-mj.officer"
    request = desk.draft(
        "nl_es_locate",
        nl,
        drafted,
        kind="mla",
        requested="ES-MJ",
        measures=["taking_evidence"],
        treaty="EIO",
        offences=[DRUGS],
        requesting_authority="Officier van justitie, Arrondissementsparket Rotterdam "
        "(executie van vonnissen)",
        proceedings="Execution of the sentence of 48 months' imprisonment imposed by the "
        "Rechtbank Rotterdam (ECLI:NL:RBROT:2022:10387), of which 41 months remain",
        facts=(
            "The convicted person did not report to prison and is believed to be on the Costa "
            "del Sol; a Spanish prepaid number in contact with his family was active in Málaga "
            "in the last month."
        ),
        assistance=(
            "European investigation order (Directive 2014/41/EU, Art. 30 and Ley 23/2014, "
            "art. 216): identification of the subscriber of the Spanish number and its cell "
            "locations for the last three months."
        ),
        persons=[_person(cast, cast.extractor, "Málaga, Spain (believed)")],
        purpose="To find the convicted person and have him arrested for surrender",
        handling="H1",
    )
    desk.send(nl, request, desk.at(190, 11))
    desk.step(es, request, Step.acknowledge, desk.at(188), "Fiscalía Provincial de Málaga.")
    desk.step(
        nl,
        request,
        Step.withdraw,
        desk.at(150),
        f"Arrested in Málaga by the Guardia Civil on {desk.day(152)} on the Red Notice: the "
        "investigation order is no longer needed (surrender asked by European arrest warrant).",
    )


def _nl_es_surrender(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """The extractor surrendered by Spain on a European arrest warrant (then the Red Notice
    was cancelled, in the notices chapter)."""
    nl, es = "nl-airs.officer", "es-mj.officer"
    request = desk.draft(
        "nl_es_surrender",
        nl,
        drafted,
        kind="extradition",
        requested="ES-MJ",
        treaty="EAW",
        offences=[DRUGS],
        requesting_authority="Officier van justitie, Arrondissementsparket Rotterdam",
        proceedings="Execution of the sentence of 48 months' imprisonment imposed by the "
        "Rechtbank Rotterdam on 24 November 2022 (ECLI:NL:RBROT:2022:10387) for the "
        "importation of cocaine (Opiumwet, arts. 2 A and 10(5)); 41 months remain",
        facts=(
            "The person retrieved cocaine from reefer containers at the Maasvlakte terminals "
            "for the Mar Abierto network's Dutch buyers; convicted in his presence, he did not "
            f"report to prison. Arrested in Málaga on {desk.day(152)} on the Red Notice and the "
            "SIS alert."
        ),
        assistance=(
            "Surrender of the person under the European arrest warrant annexed (Framework "
            "Decision 2002/584/JHA; Ley 23/2014, arts. 34 ff.): illicit trafficking in "
            "narcotic drugs, a listed offence (Art. 2(2)) for which dual criminality is not "
            "verified."
        ),
        persons=[_person(cast, cast.extractor, "Centro Penitenciario de Málaga, Spain")],
        purpose="To enforce the remainder of the sentence in the Netherlands",
        handling="H1",
        urgent=True,
        notice=str(cast.extractor_notice.id),
    )
    desk.send(nl, request, desk.at(151, 12))
    desk.step(es, request, Step.acknowledge, desk.at(150), "Audiencia Nacional, OEDE 112/2026.")
    desk.assign(es, request, "NCB-ES", desk.at(149))
    desk.part(
        es,
        request,
        None,
        desk.at(148, 12),
        "Heard by the Juzgado Central de Instrucción nº 6 (Ley 23/2014, art. 51); he does not "
        "consent to his surrender and does not renounce speciality.",
    )
    desk.part(
        es,
        request,
        None,
        desk.at(121, 12),
        "Auto of the Juzgado Central de Instrucción nº 6: surrender granted, no ground for "
        "non-execution (Ley 23/2014, arts. 48 and 49); final on appeal.",
    )
    desk.part(
        "ncb-es.officer",
        request,
        None,
        desk.at(110, 9),
        "Surrendered at Madrid-Barajas to the Koninklijke Marechaussee; 43 days in custody in "
        "Spain to be deducted (Art. 26).",
    )
    desk.answer(
        es,
        request,
        desk.at(109),
        "The person was surrendered on the date recorded; the seized telephone travelled with him.",
        speciality="The person may not be prosecuted, sentenced or detained for an offence "
        "committed before his surrender other than that for which he was surrendered "
        "(Framework Decision 2002/584/JHA, Art. 27).",
    )


def _co_nl_distributor(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Colombia asks for the Dutch distributor: refused on the ground of nationality."""
    co, nl = "co-fgn.officer", "nl-airs.officer"
    name = cast.names.value(cast.distributor, "name")
    request = desk.draft(
        "co_nl_distributor",
        co,
        drafted,
        kind="extradition",
        requested="NL-AIRS",
        treaty="UN1988",
        offences=[DRUGS],
        requesting_authority=CO_AUTHORITY,
        proceedings=(
            "Criminal proceedings for concierto para delinquir agravado and tráfico de "
            "estupefacientes (Código Penal, arts. 340 y 376); orden de captura "
            "110016000099202600093 of the Juzgado 4 Penal Municipal con Función de Control de "
            "Garantías de Bogotá"
        ),
        facts=(
            f"{name} agreed with the Mar Abierto leadership in Colombia the purchase per "
            "container of cocaine shipped from Guayaquil to Rotterdam in 2024 and 2025 and "
            "paid for the loads through the Dutch fruit importer; intercepted calls of the "
            "Colombian logistics cell name him as the buyer."
        ),
        assistance="Extradition of the person for prosecution (Art. 6 of the 1988 "
        "Convention), and his provisional arrest pending it.",
        persons=[_person(cast, cast.distributor, "Rotterdam, the Netherlands")],
        purpose="To try him in Bogotá with the members of the network in Colombia",
        handling="H1",
    )
    desk.send(co, request, desk.at(139, 11))
    desk.step(nl, request, Step.acknowledge, desk.at(136), "Uitleveringszaak 2026/0217.")
    desk.step(
        nl,
        request,
        Step.consult,
        desk.at(112),
        "The person is a Dutch national (Art. 16(10) UNTOC; Art. 6(9) of the 1988 "
        "Convention): can Colombia guarantee that, if sentenced, he may serve the sentence in "
        "the Netherlands (Uitleveringswet, art. 4(2))?",
    )
    desk.refuse(
        nl,
        request,
        Ground.nationality,
        (
            f"{name} is a Dutch national. Under art. 4 of the Uitleveringswet a Dutch national "
            "may be extradited for prosecution only if the requesting state guarantees that, "
            "if he is sentenced, he may serve the sentence in the Netherlands. Consulted on "
            f"{desk.day(112)}, the Fiscalía General de la Nación stated on {desk.day(84)} that "
            "Colombian law provides no such transfer. Extradition is therefore refused. In "
            "accordance with Art. 6(9)(a) of the 1988 Convention the case is submitted without "
            "undue delay to the Openbaar Ministerie, which already prosecutes him for the same "
            "imports in investigation Harbour; Colombia is invited to transmit its evidence "
            "for that prosecution and will be told of its outcome."
        ),
        desk.day(84),
        desk.at(71),
    )


# Other requests between the demo countries ---------------------------------------------------
def _it_nl_lawyer(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Italy asks for a lawyer's correspondence: refused, Dutch law forbids it."""
    it, nl = "it-mg.officer", "nl-airs.officer"
    request = desk.draft(
        "it_nl_lawyer",
        it,
        drafted,
        kind="mla",
        requested="NL-AIRS",
        measures=["search_and_seizure"],
        treaty="EIO",
        offences=[DRUGS],
        requesting_authority=IT_AUTHORITY,
        proceedings="Procedimento penale n. 4417/2025 R.G.N.R. DDA for associazione finalizzata "
        "al traffico di stupefacenti (D.P.R. 309/1990, art. 74) against the buyers in "
        "Calabria of the cocaine landed at Gioia Tauro",
        facts=(
            "The Calabrian buyers paid the Mar Abierto broker through a Rotterdam trading "
            "company; its purchase contracts were drawn up and held by a Rotterdam law firm, "
            "which also kept the company's escrow account."
        ),
        assistance=(
            "European investigation order (Directive 2014/41/EU): search of the law firm's "
            "office and seizure of its correspondence with the trading company and its "
            "director from 2023, paper and electronic."
        ),
        purpose="Evidence of the payments for the trial before the Tribunale di Reggio Calabria",
        handling="H1",
    )
    desk.send(it, request, desk.at(118, 11))
    desk.step(nl, request, Step.acknowledge, desk.at(116), "IRC Rotterdam, rechtshulp 26/1187.")
    desk.step(
        nl,
        request,
        Step.consult,
        desk.at(105),
        "Legal professional privilege (Art. 11(1)(a) of Directive 2014/41/EU): the "
        "lawyer is no suspect. May the order be limited to the records of the firm's escrow "
        "account, which are not privileged?",
    )
    desk.refuse(
        nl,
        request,
        Ground.domestic_prohibition,
        (
            "The correspondence between a lawyer and a client is covered by the lawyer's "
            "privilege (verschoningsrecht, art. 218 Sv); it may not be seized from the lawyer "
            "(arts. 98 and 218 Sv) in a similar Dutch case unless the lawyer is himself a "
            "suspect, which the order does not allege. On consultation we offered to execute "
            "the order for the records of the escrow account (stichting derdengelden), which "
            "are not privileged; on "
            f"{desk.day(97)} the Procura answered that only the correspondence serves its "
            "proceedings. The order is refused (Art. 11(1)(a) of Directive 2014/41/EU; Art. "
            "18(21)(c) UNTOC); a new order for the escrow records would be executed at once."
        ),
        desk.day(97),
        desk.at(90),
    )


def _es_co_transfer(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Spain asks for a detained witness to be transferred: he will not consent."""
    es, co = "es-mj.officer", "co-fgn.officer"
    year = desk.day(60).year
    request = desk.draft(
        "es_co_transfer",
        es,
        drafted,
        kind="mla",
        requested="CO-FGN",
        measures=["temporary_transfer"],
        treaty="UNTOC",
        offences=[DRUGS],
        requesting_authority=ES_AUTHORITY,
        proceedings=f"Diligencias Previas 87/{year} for tráfico de drogas en organización "
        "criminal (Código Penal, arts. 368, 369 bis y 570 bis) against the reception cell of "
        "the Mar Abierto network in the Campo de Gibraltar",
        facts=(
            "A member of the network's logistics cell, detained in Colombia for his own "
            "proceedings, organised the loading of the containers received in Algeciras and "
            "can identify the Spanish collectors."
        ),
        assistance=(
            "Temporary transfer of the detained witness to Spain for ten days to testify "
            "before the court and take part in an identification parade (Art. 18(10)–(12) "
            "UNTOC), kept in custody in Spain and returned without a request for extradition. "
            "His identity is in the sealed annex (protected witness)."
        ),
        purpose="His testimony and the identification of the collectors, for the trial",
        handling="H1",
        requested_by=desk.day(-25),
    )
    desk.send(es, request, desk.at(35, 11))
    desk.step(co, request, Step.acknowledge, desk.at(28), "Radicado DAI 2026-09115.")
    desk.step(
        co,
        request,
        Step.consult,
        desk.at(9),
        "The witness does not give his informed consent to the transfer (Art. 18(10)(a) "
        "UNTOC). Would a hearing by video conference from Bogotá serve instead (Art. "
        "18(18))?",
    )


def _fr_es_victims(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """France hears three victims of the trafficking ring by video from Huelva."""
    fr, es = "fr-bepi.officer", "es-mj.officer"
    request = desk.draft(
        "fr_es_victims",
        fr,
        drafted,
        kind="mla",
        requested="ES-MJ",
        measures=["video_hearing"],
        treaty="EIO",
        offences=[SEXUAL, LABOUR],
        requesting_authority="Juge d'instruction, Juridiction interrégionale spécialisée de Paris",
        proceedings="Information judiciaire JIRS Paris 24/0093 for traite des êtres humains en "
        "bande organisée (Code pénal, art. 225-4-2) against the Paris cell of Clanul Vulpea",
        facts=(
            "Three women exploited in Paris flats in 2024 were moved by the ring to the farms "
            "of Huelva, where the Spanish police safeguarded them on the action day. They "
            "live in a shelter of the Junta de Andalucía."
        ),
        assistance=(
            "European investigation order (Directive 2014/41/EU, Art. 24): hearing of the "
            "three women as victims by video conference from Huelva, by the juge "
            "d'instruction with a Romanian interpreter, with a psychologist present and their "
            "identities protected."
        ),
        purpose="Their evidence for the trial of the Paris cell; no confrontation with the accused",
        handling="H2",
        requested_by=desk.day(300),
    )
    desk.send(fr, request, desk.at(329, 11))
    desk.step(es, request, Step.acknowledge, desk.at(327), "Fiscalía Provincial de Huelva.")
    desk.assign(es, request, "ES-UDYCO", desk.at(326))
    desk.part(
        "es-udyco.officer",
        request,
        Measure.video_hearing,
        desk.at(312, 12),
        "The three victims heard by video from the Juzgado de Instrucción nº 2 de Moguer, a "
        "Spanish judge presiding (Art. 24(5)); recordings and the record sent to Paris.",
    )
    desk.answer(
        es,
        request,
        desk.at(309),
        "The hearings took place on the date recorded; recordings and signed records transmitted.",
        speciality="The recordings serve only the proceedings named in the order.",
        confidentiality="The victims' identities and their shelter's address are not to be "
        "disclosed to the accused or in public hearings (Ley Orgánica 19/1994).",
    )


def _us_co_bank_records(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """The United States obtains the financier's records from Colombia, slowly."""
    us, co = "us-oia.officer", "co-fgn.officer"
    request = desk.draft(
        "us_co_bank_records",
        us,
        drafted,
        kind="mla",
        requested="CO-FGN",
        measures=["bank_records"],
        treaty="IACMLA",
        offences=[DRUGS],
        requesting_authority="United States Attorney's Office for the Southern District of "
        "Florida, with the Drug Enforcement Administration",
        proceedings="Grand jury investigation of a conspiracy to import cocaine and to launder "
        "its proceeds (21 U.S.C. §§ 952, 963; 18 U.S.C. § 1956(h))",
        facts=(
            "The Mar Abierto network's financier in Medellín received wires from Dubai and "
            "Panama through US correspondent banks; part of the proceeds bought property in "
            "Miami."
        ),
        assistance=(
            "Inter-American Convention on Mutual Assistance in Criminal Matters, Art. 7(e): "
            "certified statements of the financier's accounts at Banco Andino del Pacífico "
            "since 2022, with the account-opening documents, certified under the Convention's "
            "form so that they are admissible without a witness."
        ),
        purpose="Evidence for the grand jury and the forfeiture of the Miami property",
        handling="H2",
        requested_by=desk.day(80),
    )
    desk.send(us, request, desk.at(168, 11))
    desk.step(co, request, Step.acknowledge, desk.at(159), "Radicado DAI 2026-04402.")
    desk.assign(co, request, "CO-DIJIN", desk.at(150))
    desk.part(
        "co-dijin.officer",
        request,
        Measure.bank_records,
        desk.at(95, 15),
        "Banco Andino produced the statements and opening files under the Fiscalía's order; "
        "certified by the bank's legal representative.",
    )
    desk.answer(
        co,
        request,
        desk.at(72),
        "Certified statements 2022–2026 and the opening files transmitted by diplomatic "
        "pouch; electronic copies attached to the message.",
        speciality="For the proceedings named only (Art. 25 of the Convention); any other use "
        "needs the consent of the Fiscalía General de la Nación.",
    )


def _de_it_hearing(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Germany's order to Italy: not acknowledged in the week the directive gives."""
    request = desk.draft(
        "de_it_hearing",
        "de-bfj.officer",
        drafted,
        kind="mla",
        requested="IT-MG",
        measures=["video_hearing"],
        treaty="EIO",
        offences=[SEXUAL, LABOUR],
        requesting_authority="Staatsanwaltschaft Berlin, Abteilung 232 (Menschenhandel)",
        proceedings="Strafverfahren 232 Js 1184/24 before the Landgericht Berlin for "
        "Menschenhandel and Zwangsprostitution (StGB §§ 232, 232a) against the German "
        "operators of Clanul Vulpea",
        facts=(
            "The ring's gangmaster, detained in Bari for the Italian proceedings of the DDA, "
            "arranged the women's transport from Romania to the Berlin premises in 2023 and "
            "2024."
        ),
        assistance=(
            "European investigation order (Directive 2014/41/EU, Art. 24): hearing of the "
            "detained gangmaster as a witness by video conference before the Landgericht "
            "Berlin on the date the court sets, with an Italian interpreter."
        ),
        purpose="His testimony at the main hearing in Berlin",
        handling="H1",
    )
    desk.send("de-bfj.officer", request, desk.at(12, 11))


def _es_it_buyers(desk: Desk, cast: Cast, drafted: datetime) -> None:
    """Spain's order to Italy, sent three days ago: due within the week."""
    year = desk.day(60).year
    request = desk.draft(
        "es_it_buyers",
        "es-mj.officer",
        drafted,
        kind="mla",
        requested="IT-MG",
        measures=["bank_records", "taking_evidence"],
        treaty="EIO",
        offences=[DRUGS],
        requesting_authority=ES_AUTHORITY,
        proceedings=f"Diligencias Previas 87/{year} (tráfico de drogas en organización "
        "criminal) against the reception cell of the Mar Abierto network",
        facts=(
            "Part of the cocaine received in Algeciras is sold on to buyers in Calabria, who "
            "pay the broker in Marbella through a Gioia Tauro import company."
        ),
        assistance=(
            "European investigation order (Directive 2014/41/EU): statements of the Gioia "
            "Tauro company's accounts since 2024; the identity of its beneficial owners."
        ),
        purpose="To trace the payments to the broker, for the Spanish proceedings",
        handling="H1",
    )
    desk.send("es-mj.officer", request, desk.at(3, 11))
