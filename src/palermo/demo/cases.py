"""Demo chapter: cases and joint investigations — an open case worked by a joint
investigation team, and a closed multi-country operation with its results.

The story (dates are counted back from the day the world is built, so that the open case's
authorisation is always about to expire and its tasks always due or overdue):

- Operation Harbour, open, led by the Dutch police (NL-NP) against the Mar Abierto cocaine
  network. Colombia's DIJIN, Spain's UDYCO, Europol and FIU-Nederland take part; the US DEA
  observes. The subjects are the network's records as each member holds them: the Dutch see
  the Colombian leader's record only as "held by CO-DIJIN". A JIT agreement NL–CO–ES is in
  force since all three signed, and was extended by a year once the Guayaquil container
  came in (the secure-messages chapter's lead). The container is followed by a controlled
  delivery from Rotterdam to Algeciras under an authorisation valid in NL and ES that
  expires in nine days; Spain intercepts the broker's phones (valid, activity logged);
  Colombia's undercover operation expired last month. Tasks stand in every status, one
  overdue; the container's manifests and an encrypted phone are evidence, the phone handed
  over to UDYCO under a signed statement and countersigned on receipt; members write to one
  another under the case's reference.
- Operation Vizuina, closed, led by Romania's DIICOT against the Clanul Vulpea trafficking
  ring with Germany's BKA, Bulgaria's GDBOP and France (JIT RO–DE–BG–FR), Spain on a European
  Investigation Order, Europol in support and Italy's DIA observing. Its action day struck
  at the same instant at 07:00 in Bucharest and Sofia and 06:00 in Berlin, Paris and
  Madrid; each country reported its arrests, searches, seizures (cash in EUR and RON,
  phones, vehicles, documents, a little cocaine), victims safeguarded and assets frozen.
  The day, the JIT (with its evaluation) and the case are closed.

Log in as ``nl-np.officer`` (Harbour: everything, the expiring authorisation, the
hand-over), ``es-udyco.officer`` (the phone received, the interception, a task in progress),
``co-dijin.officer``, ``europol.analyst``, ``nl-fiu.analyst`` (the overdue task),
``us-dea.officer`` (an observer); ``ro-diicot.officer`` for Vizuina's action-day board
(``de-bka.officer``, ``bg-gdbop.officer``, ``ncb-fr.officer`` for their countries).
``de-bka.officer`` is not a member of Harbour: to it that case does not exist.
"""

from __future__ import annotations

import csv
import io
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from palermo.cases import actions, evidence, handovers, jit, membership, subjects, tasks, techniques
from palermo.cases.vocabulary import EvidenceKind, MemberRole, ResultKind, TaskStatus, Technique
from palermo.demo.builder import DemoWorld
from palermo.demo.exchange import Traffic
from palermo.demo.finintel import Clock, Known
from palermo.demo.groups import iso6346
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import ActionDay, ActionTarget, Authorisation, Case
from palermo.models.exchange import Message

DRUGS, BRIBERY = "0601", "07031"
SEXUAL, LABOUR = "02041", "02042"
CONTAINER = "MSCU 512345 6"  # the Guayaquil–Rotterdam container of the messages chapter

JIT_BASIS = (
    "Art. 19 UNTOC; Art. 9(1)(c) of the 1988 UN Convention against Illicit Traffic in "
    "Narcotic Drugs and Psychotropic Substances; Art. 13 of the 2000 EU MLA Convention; "
    "Council Framework Decision 2002/465/JHA"
)
EUROPOL_BASIS = "Regulation (EU) 2016/794, Art. 4(1)(d) (support to joint investigation teams)"


@dataclass
class Desk:
    world: DemoWorld
    clock: Clock

    def who(self, username: str) -> Principal:
        return self.world.principal(username)

    def at(self, days: float, hour: int = 10, minute: int = 0) -> datetime:
        return self.clock.ago(days, hour, minute)

    def day(self, days: int) -> date:
        """`days` before today (negative: after)."""
        return (self.clock.today - timedelta(days=days)).date()

    def admit(self, case: Case, lead: str, members: list[tuple[str, str, str]], days: int) -> None:
        for offset, (code, role, basis) in enumerate(members):
            membership.admit(
                self.world.session,
                principal=self.who(lead),
                case=case,
                agency_code=code,
                role=MemberRole(role),
                legal_basis=basis,
                now=self.at(days - offset, 11),
            )

    def subjects(self, case: Case, username: str, record_ids: list[str], days: int) -> None:
        for index, record_id in enumerate(record_ids):
            subjects.add_subject(
                self.world.session,
                principal=self.who(username),
                case=case,
                record_id=record_id,
                now=self.at(days, 14, index),
            )

    def task(
        self,
        case: Case,
        by: str,
        agency: str,
        title: str,
        description: str,
        days: int,
        due_in: int | None,
        assignee: str | None = None,
    ) -> int:
        """A task set `days` ago, due `due_in` days from today (negative: overdue)."""
        task = tasks.set_task(
            self.world.session,
            principal=self.who(by),
            case=case,
            title=title,
            description=description,
            agency_code=agency,
            assignee=assignee,
            due_on=self.day(-due_in) if due_in is not None else None,
            now=self.at(days, 9, 30),
        )
        return task.number

    def work(
        self,
        case: Case,
        username: str,
        number: int,
        status: TaskStatus,
        days: int,
        result: str | None = None,
        records: list[str] | None = None,
    ) -> None:
        tasks.update_task(
            self.world.session,
            principal=self.who(username),
            case=case,
            number=number,
            status=status,
            result=result,
            result_records=records or [],
            now=self.at(days, 16),
        )

    def activity(
        self, case: Case, username: str, held: Authorisation, days: int, country: str, text: str
    ) -> None:
        techniques.log_activity(
            self.world.session,
            principal=self.who(username),
            case=case,
            authorisation=held,
            on=self.day(days),
            country=country,
            description=text,
            now=self.at(days, 20),
        )


def populate(world: DemoWorld) -> None:
    now = utcnow()
    desk = Desk(world, Clock(datetime.combine(now.date(), time(), tzinfo=UTC)))
    keyring = Keyring.of(world.settings)
    world.facts["cases"] = {
        "open": _harbour(desk, keyring),
        "closed": _vizuina(desk),
    }
    world.facts["messages"] = world.session.scalar(select(func.count()).select_from(Message))


# Operation Harbour: open, with a JIT in force --------------------------------------------
def _harbour(desk: Desk, keyring: Keyring) -> dict[str, Any]:
    world = desk.world
    session = world.session
    cocaine = Known(world, "cocaine")
    nl = "nl-np.officer"
    broker = world.facts["broker"]
    importer = cocaine.find("NL-NP", "Company", sector="Fruit import")
    exporter = cocaine.find("EC-PN", "Company", sector="Banana export")
    agro = cocaine.find("CO-DIJIN", "Company", sector="Fruit export")
    name = cocaine.value
    case = membership.open_case(
        session,
        principal=desk.who(nl),
        title="Operation Harbour — Mar Abierto cocaine imports through Rotterdam",
        summary=(
            "The Mar Abierto network ships cocaine from Colombian laboratories in banana "
            "containers from Guayaquil to Rotterdam, with a port insider at the Maasvlakte "
            f"and a Spanish reception cell. Importer: {name(importer, 'name')}; broker: "
            f"{name(broker, 'name')} (Marbella). Dutch investigation Harbour of the Landelijk "
            "Parket, with its financial investigation (ONT 2024/0311)."
        ),
        offences=[DRUGS, BRIBERY],
        legal_basis="Wetboek van Strafvordering, art. 132a; Opiumwet, arts. 2 and 10 "
        "(onderzoek Harbour, Landelijk Parket)",
        opened_on=desk.day(420),
        now=desk.at(420, 9),
    )
    desk.admit(
        case,
        nl,
        [
            ("CO-DIJIN", "participant", f"JIT agreement NL–CO–ES ({JIT_BASIS})"),
            ("ES-UDYCO", "participant", "JIT agreement NL–CO–ES (Ley 23/2014, de 20 de "
             "noviembre, de reconocimiento mutuo de resoluciones penales en la UE)"),
            ("EUROPOL", "participant", EUROPOL_BASIS),
            ("NL-FIU", "participant", "Wwft, art. 13(a) and 13(b) (analysis and "
             "dissemination of unusual transactions to the investigative services)"),
            ("US-DEA", "observer", "Agreement on mutual legal assistance between the EU and "
             "the USA (2003), Art. 5 (joint investigative teams); observer at the parties' "
             "invitation"),
        ],
        days=418,
    )  # fmt: skip
    _harbour_subjects(desk, case, cocaine, broker, importer)
    agreement = _harbour_jit(desk, case)
    held = _harbour_authorisations(desk, case)
    numbers = _harbour_tasks(desk, case, agro, exporter)
    items = _harbour_evidence(desk, case, keyring, name(exporter, "name"), name(importer, "name"))
    _harbour_messages(desk, case, keyring, held["controlled_delivery"])
    return {
        "id": str(case.id),
        "reference": case.reference,
        "jit": agreement,
        "authorisations": {k: a.reference for k, a in held.items()},
        "tasks": numbers,
        "evidence": items,
        "outsider": "de-bka.officer",
    }


def _harbour_subjects(desk: Desk, case: Case, cocaine: Known, broker: str, importer: str) -> None:
    organization = desk.world.facts["group_organizations"]["cocaine"]
    desk.subjects(
        case,
        "nl-np.officer",
        [
            organization,
            broker,
            cocaine.find("NL-NP", "Person", position="Distributor"),
            cocaine.find("NL-NP", "Person", position="Port insider"),
            cocaine.find("NL-NP", "Person", position="Finance"),
            importer,
        ],
        days=417,
    )
    # Colombia adds its leader, whose record is TLP:RED for Europol and the DEA: the Dutch
    # see only that CO-DIJIN holds a subject they may not see, the Spanish a hit.
    desk.subjects(
        case,
        "co-dijin.officer",
        [
            cocaine.find("CO-DIJIN", "Person", position="Leader"),
            cocaine.find("CO-DIJIN", "Person", position="Logistics"),
        ],
        days=410,
    )
    desk.subjects(
        case,
        "es-udyco.officer",
        [
            cocaine.find("ES-UDYCO", "Person", position="Reception"),
            cocaine.find("ES-UDYCO", "Company", sector="Real estate"),
        ],
        days=405,
    )


def _harbour_jit(desk: Desk, case: Case) -> str:
    session = desk.world.session
    starts = desk.day(345)
    reference = f"NL-CO-ES/{starts.year}/01 (Harbour)"
    jit.draft(
        session,
        principal=desk.who("nl-np.officer"),
        case=case,
        reference=reference,
        purpose=(
            "To investigate the importation of cocaine from Colombia and Ecuador into the "
            "European Union through the ports of Rotterdam and Algeciras by the criminal "
            "organisation known as 'Mar Abierto', the laundering of its proceeds and the "
            "corruption of port staff, and to identify, locate and prosecute its members "
            f"and confiscate their assets ({JIT_BASIS})."
        ),
        starts_on=starts,
        ends_on=starts + timedelta(days=365),
        evidence_rules=(
            "Each measure is taken under the law of the party where it is taken. Information "
            "and evidence lawfully obtained within the team may be used by the other parties "
            "for the purposes for which the team was set up (Art. 13(10) of the 2000 EU MLA "
            "Convention; clause 11 of the model agreement, 2017/C 18/01); any other use "
            "requires the prior written consent of the party that provided it. Material "
            "from Colombia is used in proceedings with the consent of the Fiscalía General "
            "de la Nación (Art. 18(19) and 19 UNTOC). Evidence changes hands only under a "
            "signed hand-over statement recorded in its custody log."
        ),
        terms=[
            jit.PartyTerms(
                "NL-NP",
                "Wetboek van Strafvordering, arts. 552qa–552qe (gemeenschappelijk "
                "onderzoeksteam); Opiumwet, arts. 2 and 10",
            ),
            jit.PartyTerms(
                "CO-DIJIN",
                "Ley 906 de 2004 (Código de Procedimiento Penal), arts. 484 ss. (cooperación "
                "judicial internacional); Ley 800 de 2003, aprobatoria de la Convención de "
                "Palermo, art. 19; Código Penal, art. 376",
            ),
            jit.PartyTerms(
                "ES-UDYCO",
                "Ley 23/2014, de reconocimiento mutuo de resoluciones penales en la Unión "
                "Europea (equipos conjuntos de investigación); Código Penal, arts. 368 y 369 bis",
            ),
        ],
        now=desk.at(352, 10),
    )
    for username, days in (
        ("nl-np.officer", 350),
        ("es-udyco.officer", 348),
        ("co-dijin.officer", 345),
    ):
        jit.sign(
            session,
            principal=desk.who(username),
            case=case,
            signed_on=desk.day(days),
            now=desk.at(days, 15),
        )
    container_came = desk.day(21)
    jit.extend(
        session,
        principal=desk.who("nl-np.officer"),
        case=case,
        new_end=starts + timedelta(days=730),
        reason=(
            f"The consignment announced by CO-DIJIN on {container_came} (container "
            f"{CONTAINER}), its controlled delivery to Algeciras and the examination of the "
            "encrypted phone need the team beyond its first term; the parties agreed in "
            "writing to extend it by twelve months (clause 3 of the agreement)."
        ),
        agreed_on=desk.day(10),
        now=desk.at(10, 12),
    )
    return reference


def _harbour_authorisations(desk: Desk, case: Case) -> dict[str, Authorisation]:
    session = desk.world.session
    nl, es, co = "nl-np.officer", "es-udyco.officer", "co-dijin.officer"
    year = desk.day(18).year
    delivery = techniques.record_authorisation(
        session,
        principal=desk.who(nl),
        case=case,
        technique=Technique.controlled_delivery,
        reference=f"LP {year}/126ff-0412 (gecontroleerde aflevering)",
        authority="Officier van justitie, Landelijk Parket (art. 126ff Sv), with the "
        "Juzgado Central de Instrucción nº 4, Audiencia Nacional (entrega vigilada, "
        "art. 263 bis LECrim)",
        scope=(
            f"Container {CONTAINER} (bananas, MSC Aurora, Guayaquil–Rotterdam) and its load, "
            "substituted under customs supervision, on its onward journey — re-booked by the "
            "consignee after discharge — by feeder vessel to Algeciras and by road to its "
            "recipient in the Campo de Gibraltar; no transit through third states."
        ),
        valid_from=desk.day(18),
        valid_until=desk.day(-9),
        jurisdictions=["NL", "ES"],
        now=desk.at(18, 17),
    )
    desk.activity(case, nl, delivery, 17, "NL", (
        f"{CONTAINER} opened under Douane supervision at ECT Delta, Maasvlakte II; ten sports "
        "bags behind the "
        "panel of the cooling unit (412 kg gross). Load replaced by a dummy load and a "
        "tracker; samples kept for the NFI; resealed."
    ))  # fmt: skip
    desk.activity(case, nl, delivery, 15, "NL", (
        f"{CONTAINER} loaded on the feeder MV Nordic Vega for Algeciras; tracker active, "
        "observation by the Landelijke Eenheid until departure."
    ))  # fmt: skip
    desk.activity(case, nl, delivery, 12, "ES", (
        "Container discharged at Algeciras (TTI terminal); observation taken over by UDYCO "
        "Campo de Gibraltar with the Guardia Civil."
    ))  # fmt: skip
    desk.activity(case, nl, delivery, 10, "ES", (
        "Collected by a Los Barrios haulier and delivered to a cold store on the Palmones "
        "industrial estate; under observation, tracker stationary."
    ))  # fmt: skip

    start = desk.day(60)
    taps = techniques.record_authorisation(
        session,
        principal=desk.who(es),
        case=case,
        technique=Technique.electronic_surveillance,
        reference=f"Diligencias Previas 87/{start.year}, auto de intervención",
        authority="Juzgado Central de Instrucción nº 4, Audiencia Nacional",
        scope=(
            "Interception of the two mobile lines and the encrypted messaging account used "
            "by the broker in Marbella (arts. 588 ter a y ss. LECrim), for three months."
        ),
        valid_from=start,
        valid_until=desk.day(-30),
        jurisdictions=["ES"],
        now=desk.at(60, 13),
    )
    desk.activity(case, es, taps, 40, "ES", (
        "The broker arranges a 'fruit' delivery with a Dutch number; the container is "
        "named by its booking reference."
    ))  # fmt: skip
    desk.activity(case, es, taps, 20, "ES", (
        "Calls with the Algeciras reception cell about the re-booking of the container."
    ))  # fmt: skip
    desk.activity(case, es, taps, 6, "ES", (
        "The broker tells a Colombian number the load will be collected 'after the "
        "weekend'; the collection team is being put together."
    ))  # fmt: skip

    cover = desk.day(220)
    undercover = techniques.record_authorisation(
        session,
        principal=desk.who(co),
        case=case,
        technique=Technique.undercover_operation,
        reference=f"DECN-AE-{cover.year}-031 (agente encubierto)",
        authority="Fiscalía General de la Nación, Dirección Especializada contra el "
        "Narcotráfico (art. 242 Ley 906 de 2004), with review by the juez de control de "
        "garantías",
        scope=(
            "An officer of the DIJIN infiltrates the logistics cell as a transporter between "
            "Nariño and the Ecuadorian border, without inducing any offence."
        ),
        valid_from=cover,
        valid_until=desk.day(40),
        jurisdictions=["CO"],
        now=desk.at(220, 12),
    )
    desk.activity(case, co, undercover, 200, "CO", (
        "First contact with the logistics cell in Tumaco."
    ))  # fmt: skip
    desk.activity(case, co, undercover, 130, "CO", (
        "Drove a load of bananas with a hidden compartment to Ipiales; photographs and "
        "plates of the escort vehicles recorded."
    ))  # fmt: skip
    desk.activity(case, co, undercover, 60, "CO", (
        "Learnt of a consignment for Europe 'in the banana reefers of the next Aurora "
        "sailing'; passed to the JIT."
    ))  # fmt: skip
    return {
        "controlled_delivery": delivery,
        "electronic_surveillance": taps,
        "undercover_operation": undercover,
    }


def _harbour_tasks(desk: Desk, case: Case, agro: str, exporter: str) -> dict[str, int]:
    nl = "nl-np.officer"
    scan = desk.task(
        case, nl, "NL-NP", f"Customs scan of {CONTAINER} at ECT Delta",
        "Book the Douane scanner for the container on its arrival.", 20, -17,
    )  # fmt: skip
    desk.work(
        case, nl, scan, TaskStatus.cancelled, 18,
        "Cancelled: the container is left untouched for the controlled delivery.",
    )  # fmt: skip
    loading = desk.task(
        case, nl, "CO-DIJIN", f"Exporter and loading of {CONTAINER} in Guayaquil",
        "Who packed and loaded the reefer, which packing station, which trucks.", 20, -7,
        "co-dijin.officer",
    )  # fmt: skip
    desk.work(case, "co-dijin.officer", loading, TaskStatus.in_progress, 19)
    desk.work(
        case, "co-dijin.officer", loading, TaskStatus.done, 8,
        "Packed at a station in El Oro rented by the Colombian exporter; declared by the "
        "Ecuadorian exporter; trucks of a Machala haulier. Records attached.",
        [agro, exporter],
    )  # fmt: skip
    watch = desk.task(
        case, nl, "ES-UDYCO", "Observe the cold store in Palmones and identify the collectors",
        "Who comes for the load; vehicles, phones, where they take it.", 10, 7,
        "es-udyco.officer",
    )  # fmt: skip
    desk.work(case, "es-udyco.officer", watch, TaskStatus.in_progress, 9)
    phone = desk.task(
        case, "es-udyco.officer", "NL-NP", "Hand the encrypted phone over to UDYCO",
        "The Juzgado Central de Instrucción nº 4 asks for the original device for the "
        "Spanish proceedings against the reception cell.", 12, -5,
    )  # fmt: skip
    desk.work(
        case, nl, phone, TaskStatus.done, 8,
        "Handed over at Schiphol under a signed statement; UDYCO countersigned its receipt.",
    )  # fmt: skip
    numbers = desk.task(
        case, nl, "EUROPOL", "Cross-match the encrypted phone's contacts",
        "Run the phone's contacts and IMEIs against the analysis project; report links to "
        "earlier seizures.", 7, 14, "europol.analyst",
    )  # fmt: skip
    money = desk.task(
        case, nl, "NL-FIU", "Financial profile of the importer and its director",
        "Unusual-transaction reports, accounts and foreign transfers since 2023.", 60, -6,
        "nl-fiu.analyst",
    )  # fmt: skip
    return {
        "cancelled": scan,
        "done": loading,
        "in_progress": watch,
        "phone": phone,
        "open": numbers,
        "overdue": money,
    }


def _manifests(desk: Desk, shipper: str, consignee: str) -> bytes:
    """The shipper's containers to the importer in the last year, as Douane's declarations
    list them; the last one is the container of the controlled delivery."""
    rng = desk.world.rng
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([
        "container", "seal", "vessel", "departed_guayaquil", "arrived_rotterdam", "shipper",
        "consignee", "declared_goods", "gross_kg",
    ])  # fmt: skip
    for month in range(11, -1, -1):
        departed = desk.day(month * 30 + 38)
        last = month == 0
        serial = "".join(rng.choice(string.digits) for _ in range(6))
        container = CONTAINER if last else iso6346(rng.choice(["MSC", "MSD", "MED"]), serial)
        writer.writerow([
            container,
            "EC-44120" if last else f"EC-{rng.randrange(40000, 44000)}",
            "MSC Aurora" if last else rng.choice(["MSC Aurora", "MSC Lucia", "Maersk Cali"]),
            departed.isoformat(),
            (departed + timedelta(days=17)).isoformat(),
            shipper,
            consignee,
            "bananas (1,120 boxes)" if last else f"bananas ({rng.randrange(1000, 1200)} boxes)",
            21_840 if last else rng.randrange(20_500, 22_000),
        ])  # fmt: skip
    return out.getvalue().encode()


def _harbour_evidence(
    desk: Desk, case: Case, keyring: Keyring, shipper: str, consignee: str
) -> dict[str, str]:
    session = desk.world.session
    nl = desk.who("nl-np.officer")
    manifests = evidence.add_item(
        session,
        principal=nl,
        case=case,
        kind=EvidenceKind.digital,
        title="Douane manifest extract: the shipper's containers to the importer",
        description=f"Twelve months of entry declarations, the last one {CONTAINER}.",
        handling="H1",
        collected_at=desk.at(19, 11),
        collected_place="Douane Nederland, Rotterdam (declaration system extract)",
        content=_manifests(desk, shipper, consignee),
        file_name="container-manifests.csv",
        media_type="text/csv",
        now=desk.at(19, 12),
    )
    phone = evidence.add_item(
        session,
        principal=nl,
        case=case,
        kind=EvidenceKind.physical,
        title="Encrypted phone, sealed bag NL-LE-2231",
        description=(
            "Google Pixel 7 with an encrypted messaging system, Spanish SIM, found "
            f"taped inside the cooling unit of {CONTAINER} during the substitution; "
            "switched off, in a Faraday bag, sealed."
        ),
        handling="H1",
        collected_at=desk.at(17, 14, 20),
        collected_place="ECT Delta terminal, Maasvlakte II, Rotterdam",
        content=None,
        file_name=None,
        media_type=None,
        now=desk.at(17, 18),
    )
    handover = handovers.hand_over(
        session,
        principal=nl,
        sealer=keyring.sealer,
        item=phone,
        to_agency_code="ES-UDYCO",
        place="Schiphol Airport, Koninklijke Marechaussee cargo office",
        note="Seal NL-LE-2231 intact; to the UDYCO liaison officer for the Spanish "
        "proceedings (JIT evidence rules).",
        now=desk.at(9, 8, 30),
    )
    handovers.receive(
        session,
        principal=desk.who("es-udyco.officer"),
        sealer=keyring.sealer,
        handover=handover,
        place="Comisaría General de Policía Judicial, Madrid",
        note="Seal NL-LE-2231 intact on arrival; to the Policía Científica for extraction.",
        now=desk.at(9, 17, 45),
    )
    return {
        "manifests": manifests.reference,
        "phone": phone.reference,
        "handover": str(handover.id),
    }


def _harbour_messages(desk: Desk, case: Case, keyring: Keyring, held: Authorisation) -> None:
    """Members write to one another under the case's reference."""
    t = Traffic(desk.world, keyring, start=desk.at(9, 0))
    members = ["ES-UDYCO", "CO-DIJIN", "EUROPOL"]
    asked = t.send(
        "nl-np.officer",
        0.4,
        recipients=members,
        subject=f"{CONTAINER}: controlled delivery ends on {held.valid_until}",
        body=(
            "The substituted load sits in the cold store on the Palmones estate. Our "
            f"authorisation {held.reference} holds in NL and ES until {held.valid_until}. "
            "Please tell us by the end of the week whether the Juzgado Central de "
            "Instrucción nº 4 extends the Spanish part or whether UDYCO intervenes at the "
            "collection."
        ),
        priority="urgent",
        handling_code="H1",
        tlp="AMBER",
        case_ref=case.reference,
        reply_by=desk.day(-4),
    )
    t.acknowledges("es-udyco.officer", asked, 0.6)
    t.opens("co-dijin.officer", asked, 0.9)
    t.opens("europol.analyst", asked, 1.2)
    answer = t.send(
        "es-udyco.officer",
        1.5,
        recipients=["NL-NP", "CO-DIJIN", "EUROPOL"],
        subject=f"Re: {CONTAINER}: controlled delivery ends on {held.valid_until}",
        body=(
            "The interception shows the collection being arranged for after the weekend. "
            "We intervene at the collection, with the judge informed; if it slips, the "
            "court will be asked to extend the Spanish part before the authorisation ends."
        ),
        handling_code="H1",
        tlp="AMBER",
        evaluation="B2",
        in_reply_to=asked,
        case_ref=case.reference,
    )
    t.acknowledges("nl-np.officer", answer, 1.7)


# Operation Vizuina: closed, with its action day ------------------------------------------
# (country, agency, officer, IANA zone, local hour): one instant, 05:00 UTC (04:00 in summer).
ACTION_PLAN = [
    ("RO", "RO-DIICOT", "ro-diicot.officer", "Europe/Bucharest", 7),
    ("BG", "BG-GDBOP", "bg-gdbop.officer", "Europe/Sofia", 7),
    ("DE", "DE-BKA", "de-bka.officer", "Europe/Berlin", 6),
    ("FR", "NCB-FR", "ncb-fr.officer", "Europe/Paris", 6),
    ("ES", "ES-UDYCO", "es-udyco.officer", "Europe/Madrid", 6),
]
A, S, Z = ResultKind.arrest, ResultKind.search, ResultKind.seizure
V, F = ResultKind.victim_safeguarded, ResultKind.asset_frozen


def _vizuina(desk: Desk) -> dict[str, Any]:
    world = desk.world
    session = world.session
    ring = Known(world, "trafficking")
    ro = "ro-diicot.officer"
    case = membership.open_case(
        session,
        principal=desk.who(ro),
        title="Operation Vizuina — Clanul Vulpea: sexual and labour exploitation, RO–BG–DE–FR–ES",
        summary=(
            "Clanul Vulpea recruits young women in Romania and Bulgaria with the 'loverboy' "
            "method and false job offers for sexual exploitation in Germany and France, and "
            "supplies workers held in debt bondage to farms in Spain and Italy."
        ),
        offences=[SEXUAL, LABOUR],
        legal_basis="Legea nr. 508/2004 privind DIICOT; Codul penal, art. 210 (trafic de "
        "persoane); dosar 112/D/P/2024",
        opened_on=desk.day(900),
        now=desk.at(900, 9),
    )
    jit_basis = "JIT agreement RO–DE–BG–FR (Art. 19 UNTOC; Council Framework Decision 2002/465/JHA)"
    desk.admit(
        case,
        ro,
        [
            ("DE-BKA", "participant", jit_basis),
            ("BG-GDBOP", "participant", jit_basis),
            ("NCB-FR", "participant", jit_basis),
            ("EUROPOL", "participant", EUROPOL_BASIS),
            ("ES-UDYCO", "participant", "European Investigation Order (Directive 2014/41/EU; "
             "Ley 23/2014, arts. 186 ss.), Juzgado de Instrucción nº 2 de Moguer"),
            ("IT-DIA", "observer", "Observer for the Italian proceedings against the ring's "
             "gangmaster (DDA, Procura della Repubblica di Bari)"),
        ],
        days=898,
    )  # fmt: skip
    targets = _vizuina_subjects(desk, case, ring)
    reference = _vizuina_jit(desk, case)
    support = desk.task(
        case, ro, "EUROPOL", "Operational analysis of the ring's money flows",
        "Transfers between the German, French and Romanian accounts; cash couriers.",
        700, -500, "europol.analyst",
    )  # fmt: skip
    desk.work(
        case, "europol.analyst", support, TaskStatus.done, 520,
        "Operational analysis report: monthly transfers from the German company to the "
        "leader's account match the victims' takings; couriers identified in Paris.",
    )  # fmt: skip
    day = _action_day(desk, case, targets)
    jit.close(
        session,
        principal=desk.who(ro),
        case=case,
        closed_on=desk.day(210),
        evaluation=(
            "The team met its purpose. Common action day in five countries at one instant; "
            "victims were met by NGOs and labour inspectors on site and referred to the "
            "national referral mechanisms. Worked well: daily coordination through Europol's "
            "operational centre and the victims' statements taken once, by video, for all "
            "parties. To improve: Spain joined on a European Investigation Order and not as a "
            "party, which delayed the use of its evidence; interpretation into Bulgarian was "
            "short on the day. Evaluation sent to the JITs Network (Eurojust form)."
        ),
        now=desk.at(210, 12),
    )
    membership.close(
        session,
        principal=desk.who(ro),
        case=case,
        closure=(
            "Indictments filed before the Tribunalul București, the Landgericht Berlin, the "
            "tribunal judiciaire de Paris and the Audiencia Provincial de Huelva; the leader "
            "and the German operator convicted at first instance; victims represented as "
            "civil parties; frozen assets passed to the national asset recovery offices."
        ),
        closed_on=desk.day(120),
        now=desk.at(120, 15),
    )
    return {
        "id": str(case.id),
        "reference": case.reference,
        "jit": reference,
        "action_day": str(day.id),
    }


def _vizuina_subjects(desk: Desk, case: Case, ring: Known) -> dict[str, list[tuple[str, str]]]:
    """Each member adds its own records; they are also the action day's targets."""
    find = ring.find
    own = {
        "RO": [
            find("RO-DIICOT", "Person", position="Leader"),
            find("RO-DIICOT", "Person", position="Recruiter"),
            find("RO-DIICOT", "Company", sector="Recruitment agency"),
        ],
        "BG": [
            find("BG-GDBOP", "Person", position="Recruiter"),
            find("BG-GDBOP", "Person", position="Driver"),
        ],
        "DE": [
            find("DE-BKA", "Person", position="Brothel operator"),
            find("DE-BKA", "Person", position="Enforcer"),
        ],
        "FR": [find("NCB-FR", "Person", position="Manages")],
        "ES": [
            find("ES-UDYCO", "Person", position="Labour contractor"),
            find("ES-UDYCO", "Person", position="Farm owner"),
        ],
    }
    organization = desk.world.facts["group_organizations"]["trafficking"]
    officer = {country: username for country, _, username, _, _ in ACTION_PLAN}
    desk.subjects(case, officer["RO"], [organization], days=897)
    for offset, (country, records) in enumerate(own.items()):
        desk.subjects(case, officer[country], records, days=896 - offset * 3)
    return {
        country: [(r, ring.value(r, "name")) for r in records] for country, records in own.items()
    }


def _vizuina_jit(desk: Desk, case: Case) -> str:
    session = desk.world.session
    starts = desk.day(871)
    reference = f"RO-DE-BG-FR/{starts.year}/02 (Vizuina)"
    jit.draft(
        session,
        principal=desk.who("ro-diicot.officer"),
        case=case,
        reference=reference,
        purpose=(
            "To investigate trafficking in human beings for sexual exploitation and forced "
            "labour by the organised criminal group 'Clanul Vulpea', to identify and protect "
            "its victims and to prosecute its members (Art. 19 UNTOC; Art. 5 of the "
            "Trafficking in Persons Protocol; Directive 2011/36/EU; Council Framework "
            "Decision 2002/465/JHA)."
        ),
        starts_on=starts,
        ends_on=starts + timedelta(days=730),
        evidence_rules=(
            "Each measure is taken under the law of the party where it is taken; evidence "
            "gathered within the team is used by the parties for its purposes (Art. 13(10) "
            "of the 2000 EU MLA Convention). Victims' identities and statements are shared "
            "only under the victim-protection restrictions of the providing party; "
            "statements are taken once, by video link, for use by every party."
        ),
        terms=[
            jit.PartyTerms(
                "RO-DIICOT",
                "Legea nr. 302/2004 privind cooperarea judiciară internațională în materie "
                "penală (echipe comune de anchetă); Codul penal, art. 210",
            ),
            jit.PartyTerms(
                "DE-BKA",
                "Gesetz über die internationale Rechtshilfe in Strafsachen (IRG), § 93 "
                "(gemeinsame Ermittlungsgruppen); StGB §§ 232, 232a, 232b",
            ),
            jit.PartyTerms(
                "BG-GDBOP",
                "Наказателно-процесуален кодекс, чл. 476 (съвместни екипи за разследване); "
                "Наказателен кодекс, чл. 159а",
            ),
            jit.PartyTerms(
                "NCB-FR",
                "Code de procédure pénale, art. 695-2 et 695-3 (équipes communes d'enquête); "
                "Code pénal, art. 225-4-1",
            ),
        ],
        now=desk.at(880, 10),
    )
    for username, days in (
        ("ro-diicot.officer", 878),
        ("de-bka.officer", 876),
        ("bg-gdbop.officer", 873),
        ("ncb-fr.officer", 871),
    ):
        jit.sign(
            session,
            principal=desk.who(username),
            case=case,
            signed_on=desk.day(days),
            now=desk.at(days, 15),
        )
    return reference


# What each country reported on the board: (kind, quantity, unit, item, target index, note).
Result = tuple[ResultKind, str, str | None, str, int | None, str]
RESULTS: dict[str, list[Result]] = {
    "RO": [
        (A, "1", None, "", 0, "Arrested at home in Galați"),
        (A, "1", None, "", 1, "Arrested in Brăila"),
        (A, "3", None, "", None, "Members of the recruitment cell"),
        (S, "6", None, "", None, "Houses in Galați and Brăila"),
        (S, "1", None, "", 2, "Office of the recruitment agency"),
        (Z, "38400", "EUR", "cash", 0, "In a safe at the leader's house"),
        (Z, "12150", "EUR", "cash", None, ""),
        (Z, "186000", "RON", "cash", 0, ""),
        (Z, "9", "units", "mobile phones", None, ""),
        (Z, "4", "units", "mobile phones", 2, "Recruiters' work phones"),
        (Z, "2", "units", "vehicles", None, "Ford Transit minibus and a BMW X5"),
        (V, "2", None, "", None, "Found in the leader's house; to ANITP"),
        (F, "96400.75", "EUR", "bank balances", 0, "Ordonanța DIICOT, sechestru"),
        (F, "2", "units", "real estate", 0, "Two houses in Galați"),
    ],
    "BG": [
        (A, "1", None, "", 0, ""),
        (A, "1", None, "", 1, "Stopped at the wheel near Plovdiv"),
        (S, "4", None, "", None, "Plovdiv and Pazardzhik"),
        (Z, "18900", "EUR", "cash", None, ""),
        (Z, "6", "units", "mobile phones", None, ""),
        (Z, "1", "units", "vehicles", 1, "The workers' minibus"),
        (V, "4", None, "", None, "Workers about to leave for Spain"),
    ],
    "DE": [
        (A, "1", None, "", 0, ""),
        (A, "1", None, "", 1, ""),
        (A, "2", None, "", None, "Two drivers"),
        (S, "5", None, "", None, "Premises in Berlin and Leipzig"),
        (S, "2", None, "", 0, "Flat and business premises"),
        (Z, "63250", "EUR", "cash", 0, ""),
        (Z, "11", "units", "mobile phones", None, ""),
        (Z, "9", "units", "forged identity documents", None, ""),
        (Z, "0.352", "kg", "cocaine", 1, "Incidental find"),
        (V, "5", None, "", None, "Berlin premises; to the specialised counselling centre"),
        (V, "2", None, "", None, "Leipzig"),
        (F, "214800.50", "EUR", "bank balances", 0, "Vermögensarrest, § 111e StPO"),
    ],
    "FR": [
        (A, "1", None, "", 0, "Interpellé à Paris 10e"),
        (A, "1", None, "", None, "Cash courier, Gare de Bercy"),
        (S, "3", None, "", None, "Three flats in Paris"),
        (Z, "12300", "EUR", "cash", None, ""),
        (Z, "5", "units", "mobile phones", None, ""),
        (V, "3", None, "", None, "Taken in charge by an approved association"),
    ],
    "ES": [
        (A, "1", None, "", 0, ""),
        (A, "1", None, "", 1, ""),
        (A, "1", None, "", None, "Foreman"),
        (S, "4", None, "", None, "Moguer and Palos de la Frontera"),
        (S, "1", None, "", 1, "The farm"),
        (Z, "27900", "EUR", "cash", 0, ""),
        (Z, "4", "units", "mobile phones", None, ""),
        (Z, "23", "units", "identity documents withheld from workers", 0, ""),
        (V, "11", None, "", None, "Pickers housed in a shed on the farm"),
        (V, "3", None, "", None, "Housed in the contractor's garage"),
        (F, "88000", "EUR", "bank balances", 1, "Auto de embargo preventivo"),
    ],
}


def _action_day(desk: Desk, case: Case, own: dict[str, list[tuple[str, str]]]) -> ActionDay:
    session = desk.world.session
    ro = desk.who("ro-diicot.officer")
    when = desk.day(430)
    day = actions.plan(
        session,
        principal=ro,
        case=case,
        name=f"Action day Vizuina, {when:%d %B %Y}",
        countries=[
            actions.CountryPlan(country, agency, datetime.combine(when, time(hour)), zone)
            for country, agency, _, zone, hour in ACTION_PLAN
        ],
        now=desk.at(445, 10),
    )
    targets: dict[str, list[ActionTarget]] = {}
    for country, _, username, _, _ in ACTION_PLAN:
        targets[country] = [
            actions.add_target(
                session,
                principal=desk.who(username),
                case=case,
                day=day,
                country=country,
                label=caption,
                record_id=record_id,
                now=desk.at(440, 11),
            )
            for record_id, caption in own[country]
        ]
    actions.start(session, principal=ro, case=case, day=day, now=desk.at(430, 3, 45))
    for country, _, username, _, _ in ACTION_PLAN:
        officer = desk.who(username)
        for minutes, (kind, quantity, unit, item, target, note) in enumerate(
            RESULTS[country], start=1
        ):
            actions.report(
                session,
                principal=officer,
                case=case,
                day=day,
                country=country,
                kind=kind,
                quantity=Decimal(quantity),
                unit=unit,
                item=item,
                target_id=targets[country][target].id if target is not None else None,
                note=note,
                now=desk.at(430, 5, 10 * minutes),
            )
    actions.close(session, principal=ro, case=case, day=day, now=desk.at(430, 19))
    return day
