"""Demo chapter: eight months of notices and diffusions around the criminal groups.

Red Notices for the leaders of the cocaine and trafficking groups, requested by different
national central bureaus (one public, one restricted to some countries, one from 2021 that
was extended); a Yellow Notice for a missing victim; a Black Notice for a body found at a
port; Blue, Green, Orange, Purple and Silver Notices; a UN Special Notice from the UN list;
diffusions reviewed by the requesting bureau. Two requests are refused by the secretariat,
one is returned and resubmitted, some wait in the review queue, one is still a draft; one
notice is cancelled after an arrest and one suspended. Police officers abroad screen two
subjects: the hits reach the requesting bureaus, and one is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from palermo.demo.builder import DemoWorld
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.notices import Notice
from palermo.models.screening import ListEntry
from palermo.notices import hits, service
from palermo.notices.schemas import ActionIn, NoticeIn, ReviewIn
from palermo.policy.records import AccessContext
from palermo.records.envelope import SubjectCategory
from palermo.records.schemas import RecordOut
from palermo.records.service import full_views
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.service import screen

SECRETARIAT = "interpol.supervisor"
# What a notice says about who its subject is: none of the intelligence around them.
IDENTITY = (
    "name",
    "alias",
    "firstName",
    "lastName",
    "gender",
    "birthDate",
    "birthPlace",
    "nationality",
    "passportNumber",
    "idNumber",
)
ART2 = (
    "Nothing in the file raises a concern under the Universal Declaration of Human Rights; "
    "the data are limited to what the notice's purpose needs."
)


@dataclass(frozen=True)
class Cast:
    """The persons and things of the demo groups, as the agencies recorded them."""

    views: dict[str, RecordOut]

    @classmethod
    def of(cls, world: DemoWorld) -> Cast:
        ids = [rid for network in world.facts["groups"].values() for rid in network]
        return cls(full_views(world.session, ids))

    def find(
        self,
        schema: str,
        agency: str,
        *,
        category: SubjectCategory | None = None,
        **values: str,
    ) -> RecordOut:
        """The first record of `schema` the agency recorded that holds these values."""
        return next(
            v
            for v in self.views.values()
            if v.schema_ == schema
            and v.envelope.owner_agency == agency
            and (category is None or v.envelope.subject_category == category)
            and all(value in v.properties.get(prop, ()) for prop, value in values.items())
        )

    def caption(self, record_id: str) -> str:
        return self.views[record_id].caption


def identity(view: RecordOut) -> dict[str, Any]:
    properties = {p: view.properties[p] for p in IDENTITY if p in view.properties}
    return {"schema": view.schema_, "properties": properties}


def review(art3: str, *, warnings: bool = False) -> ReviewIn:
    return ReviewIn(
        art3_compliant=True,
        art3_reasoning=art3,
        art2_compliant=True,
        art2_reasoning=ART2,
        warnings_acknowledged=warnings,
    )


@dataclass
class Desk:
    """Requests and reviews acted as the demo users, at days counted from `start`."""

    world: DemoWorld
    start: datetime

    def who(self, username: str) -> Principal:
        return self.world.principal(username)

    def at(self, days: float) -> datetime:
        return self.start + timedelta(days=days)

    def date(self, days: float) -> str:
        return self.at(days).date().isoformat()

    def draft(self, username: str, days: float, **fields: Any) -> Notice:
        return service.create(
            self.world.session,
            principal=self.who(username),
            payload=NoticeIn.model_validate(fields),
            now=self.at(days),
        )

    def act(
        self,
        username: str,
        notice: Notice,
        action: str,
        days: float,
        reasons: str | None = None,
        review: ReviewIn | None = None,
    ) -> Notice:
        return service.act(
            self.world.session,
            principal=self.who(username),
            notice_id=notice.id,
            action=action,
            body=ActionIn(reasons=reasons, review=review),
            settings=self.world.settings,
            now=self.at(days),
        )

    def submit(self, username: str, days: float, **fields: Any) -> Notice:
        notice = self.draft(username, days, **fields)
        return self.act(username, notice, "submit", days + 0.05)

    def issue(
        self,
        username: str,
        days: float,
        *,
        art3: str,
        reviewer: str = SECRETARIAT,
        warnings: bool = False,
        **fields: Any,
    ) -> Notice:
        """Requested, submitted, taken for review the next day and published the day after."""
        notice = self.submit(username, days, **fields)
        self.act(reviewer, notice, "claim", days + 1)
        return self.act(
            reviewer, notice, "publish", days + 2, review=review(art3, warnings=warnings)
        )

    def screens(self, username: str, days: float, notice: Notice, why: str) -> None:
        """A police officer abroad checks the subject of a notice: the hit reaches its
        requester."""
        assert notice.subject is not None
        properties = notice.subject["properties"]
        screen(
            self.world.session,
            principal=self.who(username),
            context=AccessContext.of("criminal_investigation", why),
            query=ScreeningQuery.of(properties["name"][0], birth_date=properties["birthDate"][0]),
            now=self.at(days),
        )


def populate(world: DemoWorld) -> None:
    desk = Desk(world, start=utcnow() - timedelta(days=240))
    cast = Cast.of(world)
    _extended(desk, cast)
    cocaine = _cocaine(desk, cast)
    trafficking = _trafficking(desk, cast)
    _warnings_and_threats(desk, cast)
    _un_special(desk)
    _diffusions(desk, cast)
    _refused(desk)
    _waiting(desk, cast)
    _hits(desk, cocaine, trafficking)


def _extended(desk: Desk, cast: Cast) -> None:
    """A Red Notice of 2021 re-assessed six months before it expires, and extended."""
    leader = cast.find("Person", "KE-DCI", position="Leader")
    name = leader.properties["name"][0]
    warrant = desk.at(-1610)
    notice = desk.issue(
        "ncb-ke.officer",
        -1580,
        art3="Organised ivory and pangolin-scale trafficking: an ordinary-law crime; no "
        "political, military, religious or racial element.",
        kind="red",
        title=f"Wanted for prosecution: {name}",
        subject=identity(leader),
        particulars={
            "summary": f"{name} leads a syndicate that buys ivory and pangolin scales from "
            "poachers in Kenya, Tanzania and Mozambique and ships them from Mombasa to Viet "
            "Nam and Malaysia declared as cashew nuts or tea. He left Kenya after the seizure "
            "of 3.2 tonnes of ivory at Kilindini.",
            "sought_for": "prosecution",
            "offence_iccs": "1003",
            "law_reference": "Wildlife Conservation and Management Act 2013, s. 92",
            "charge": "Dealing in endangered species without a permit",
            "max_penalty_months": 1200,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": f"Misc. Criminal Application E214 of {warrant.year}",
            "warrant_date": warrant.date().isoformat(),
            "issuing_authority": "Chief Magistrate's Court at Mombasa",
            "matter": "ordinary_crime",
        },
    )
    assert notice.expires_at is not None
    due = (notice.expires_at - desk.start).days
    service.sweep(desk.world.session, principal=desk.world.operator, now=desk.at(due - 170))
    desk.act(
        "ncb-ke.officer",
        notice,
        "extend",
        due - 150,
        reasons="The subject is still at large (last reported in Hai Phong) and the warrant "
        "remains valid; the Office of the Director of Public Prosecutions still seeks him.",
    )


def _cocaine(desk: Desk, cast: Cast) -> Notice:
    """The Mar Abierto network: its leader (public), its broker in Spain (restricted), the
    leader's assets, a convicted extractor (later arrested), the Albanian broker (suspended),
    a dead extractor, the network's concealment methods and its transit organiser."""
    leader = cast.find("Person", "CO-DIJIN", position="Leader")
    name = leader.properties["name"][0]
    drugs = (
        "Organised cocaine trafficking: an ordinary-law crime; no political, military, "
        "religious or racial element."
    )
    wanted = desk.issue(
        "ncb-co.officer",
        5,
        art3=drugs,
        kind="red",
        title=f"Wanted for prosecution: {name}",
        subject=identity(leader),
        public_extract=True,
        particulars={
            "summary": f"{name} leads the Mar Abierto network, which since 2019 has shipped "
            "cocaine from laboratories in Nariño in banana reefer containers from Guayaquil "
            "to Rotterdam and Antwerp, and by mother ship to the Gulf of Guinea. He sets "
            "prices and volumes with the European buyers through brokers. Believed to have "
            "left Colombia through Ecuador.",
            "sought_for": "prosecution",
            "offence_iccs": "0601",
            "law_reference": "Código Penal (Ley 599 de 2000), arts. 340 y 376",
            "charge": "Concierto para delinquir agravado; tráfico, fabricación o porte de "
            "estupefacientes",
            "charge_translation": "Aggravated criminal conspiracy; manufacture and trafficking "
            "of narcotic drugs",
            "max_penalty_months": 360,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "Orden de captura 110016000099202500417",
            "warrant_date": desk.date(-20),
            "issuing_authority": "Juzgado 4 Penal Municipal con Función de Control de "
            "Garantías de Bogotá",
            "matter": "ordinary_crime",
        },
    )

    broker = cast.find("Person", "ES-UDYCO", position="Broker")
    desk.issue(
        "ncb-es.officer",
        12,
        art3=drugs,
        kind="red",
        title=f"Wanted for prosecution: {broker.properties['name'][0]}",
        subject=identity(broker),
        # Sought only where he is believed to move.
        countries=["CO", "EC", "NL", "BE", "IT"],
        particulars={
            "summary": "Colombian national resident in Marbella; speaks for the Colombian "
            "leadership of the Mar Abierto network to the Dutch and Italian buyers. Left "
            "Spain after the seizure of a load landed by speedboat near Barbate.",
            "sought_for": "prosecution",
            "offence_iccs": "0601",
            "law_reference": "Código Penal, arts. 368, 369 bis y 570 bis",
            "charge": "Delito contra la salud pública (tráfico de drogas) cometido en el seno "
            "de una organización criminal",
            "charge_translation": "Drug trafficking within a criminal organisation",
            "max_penalty_months": 144,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "Diligencias Previas 112/2025, auto de busca y captura",
            "warrant_date": desk.date(5),
            "issuing_authority": "Audiencia Nacional, Juzgado Central de Instrucción n.º 3",
            "matter": "ordinary_crime",
        },
    )

    home = cast.caption(leader.properties["addressEntity"][0])
    front = cast.find("Company", "CO-DIJIN")
    car = cast.find("Vehicle", "CO-DIJIN", owner=leader.id)
    desk.issue(
        "ncb-co.officer",
        20,
        art3="Asset recovery for organised cocaine trafficking: an ordinary-law matter.",
        warnings=True,  # the duplicate check finds the leader's Red Notice
        kind="silver",
        title=f"Assets of {name}",
        subject=identity(leader),
        particulars={
            "summary": f"Proceedings for the forfeiture of the assets of {name}, leader of "
            "the Mar Abierto network, held in his own name or through his brother and front "
            "companies.",
            "assets": f"Real estate: the house at {home}. Companies: {front.caption} "
            f"(NIT {front.properties['registrationNumber'][0]}), fruit exporter used as "
            f"cover for the loads. Vehicles: {car.caption} "
            f"({car.properties['registrationNumber'][0]}). Accounts: proceeds moved through "
            "a money-service business in Panama and the invoices of a Dubai trading company.",
            "asset_countries": ["CO", "EC", "PA", "AE", "ES"],
            "location_hints": "Property registered in the name of his brother; cash "
            "couriered to Guayaquil and deposited by an exporter's employees.",
            "offence_iccs": "0601",
            "law_reference": "Ley 1708 de 2014 (Código de Extinción de Dominio), arts. 16 y 87",
        },
    )

    extractor = cast.find("Person", "NL-NP", position="Extractor")
    extraction = desk.issue(
        "ncb-nl.officer",
        28,
        art3=drugs,
        kind="red",
        title=f"Wanted to serve a sentence: {extractor.properties['name'][0]}",
        subject=identity(extractor),
        particulars={
            "summary": "Convicted of retrieving cocaine from reefer containers at the "
            "Maasvlakte terminals for the Mar Abierto network's Dutch buyers; did not report "
            "to prison and is believed to be in Spain.",
            "sought_for": "sentence",
            "offence_iccs": "0601",
            "law_reference": "Opiumwet, art. 2 onder A en art. 10 lid 5",
            "charge": "Opzettelijk binnen het grondgebied van Nederland brengen van cocaïne",
            "charge_translation": "Intentional importation of cocaine into the Netherlands",
            "sentence_imposed_months": 48,
            "sentence_remaining_months": 41,
            "warrant_kind": "judgment",
            "warrant_reference": "ECLI:NL:RBROT:2022:10387",
            "warrant_date": "2022-11-24",
            "issuing_authority": "Rechtbank Rotterdam",
            "matter": "ordinary_crime",
        },
    )
    desk.act(
        "ncb-nl.officer",
        extraction,
        "cancel",
        150,
        reasons="Arrested in Málaga by the Guardia Civil on the strength of the notice and "
        "surrendered to the Netherlands under a European Arrest Warrant.",
    )

    al_broker = cast.find("Person", "EC-PN", position="Broker")
    suspended = desk.issue(
        "ncb-ec.officer",
        36,
        art3=drugs,
        kind="red",
        title=f"Wanted for prosecution: {al_broker.properties['name'][0]}",
        subject=identity(al_broker),
        particulars={
            "summary": "Albanian national who lived in Guayaquil; bought cocaine for European "
            "distributors and checked the loads before shipment. Left Ecuador when the "
            "exporter's containers were seized.",
            "sought_for": "prosecution",
            "offence_iccs": "0601",
            "law_reference": "Código Orgánico Integral Penal (COIP), art. 220, num. 1, lit. d)",
            "charge": "Tráfico ilícito de sustancias catalogadas sujetas a fiscalización a "
            "gran escala",
            "charge_translation": "Large-scale trafficking of controlled substances",
            "max_penalty_months": 156,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "Proceso 09281-2025-01873, orden de prisión preventiva",
            "warrant_date": desk.date(30),
            "issuing_authority": "Unidad Judicial Penal con sede en el cantón Guayaquil",
            "matter": "ordinary_crime",
        },
    )
    desk.act(
        SECRETARIAT,
        suspended,
        "suspend",
        170,
        reasons="The subject's counsel told the Commission for the Control of Files that "
        "the detention order was annulled on appeal; suspended until NCB Quito confirms "
        "that the warrant is still valid.",
    )

    desk.issue(
        "ncb-be.officer",
        44,
        art3="Identification of a deceased person: no political, military, religious or "
        "racial element.",
        kind="black",
        title="Unidentified man found in a reefer container, Deurganckdok, Antwerp",
        subject={
            "schema": "Person",
            "properties": {
                "name": ["Unidentified man (Deurganckdok, Antwerp)"],
                "gender": ["male"],
                "appearance": [
                    "Tattoo of a compass rose on the left forearm; gold crown on "
                    "the upper right canine"
                ],
            },
        },
        particulars={
            "summary": "Presumed extractor locked in a reefer container from Guayaquil: the "
            "Mar Abierto network uses young men to retrieve loads on the terminals.",
            "date_found": desk.date(41),
            "place_found": "MPET Deurganckdok, Port of Antwerp-Bruges, Belgium",
            "identifying_marks": "Compass-rose tattoo on the left forearm; gold crown on the "
            "upper right canine; appendectomy scar. Wore dark work clothes and a head torch; "
            "carried a Dutch SIM card.",
            "estimated_age": "20 to 30",
            "cause_of_death": "Hypothermia and lack of oxygen in a refrigerated container",
        },
    )

    desk.issue(
        "europol.officer",
        52,
        art3="A concealment method of drug traffickers: no political, military, religious "
        "or racial element.",
        kind="purple",
        title="Cocaine in banana boxes and fruit pulp, Guayaquil to Rotterdam and Antwerp",
        particulars={
            "summary": "Seizures in Antwerp, Rotterdam and Algeciras show the same methods "
            "in banana consignments from Ecuador.",
            "offence_iccs": "0601",
            "modus_operandi": "Bricks of cocaine are loaded with the fruit at the packing "
            "station or at the terminal, or placed in sports bags at the door end of the "
            "container after the customs seal (rip-on/rip-off). Liquid cocaine is mixed into "
            "frozen fruit pulp and extracted in laboratories in Europe.",
            "objects": "Banana boxes with a double cardboard bottom; drums of frozen "
            "passion-fruit and mango pulp; cloned container seals.",
            "concealment": "Double bottoms of banana boxes (bricks of 1 kg wrapped in carbon "
            "paper against scanners); the ceiling and the refrigeration unit of reefer "
            "containers; cocaine dissolved in fruit pulp (about 30% by weight).",
        },
    )

    organiser = cast.find("Person", "NG-NDLEA", position="Transit organiser (Tema)")
    desk.issue(
        "ncb-ng.officer",
        60,
        art3=drugs,
        kind="blue",
        title=f"Whereabouts and activities: {organiser.properties['name'][0]}",
        subject=identity(organiser),
        particulars={
            "summary": "Organises the onward shipment from Tema of cocaine transferred at sea "
            "in the Gulf of Guinea; managing director of a Tema logistics company.",
            "reason": "His present location, his travel since the Apapa seizure, and the "
            "identity documents he uses; believed to move between Tema, Lagos and Lomé.",
            "offence_iccs": "0601",
        },
    )
    return wanted


def _trafficking(desk: Desk, cast: Cast) -> Notice:
    """Clanul Vulpea: its leader, and a victim her family reported missing."""
    leader = cast.find("Person", "RO-DIICOT", position="Leader")
    wanted = desk.issue(
        "ncb-ro.officer",
        68,
        art3="Trafficking in persons by an organised group: an ordinary-law crime; no "
        "political, military, religious or racial element.",
        kind="red",
        title=f"Wanted for prosecution: {leader.properties['name'][0]}",
        subject=identity(leader),
        particulars={
            "summary": "Leads Clanul Vulpea, which since 2018 has recruited young women in "
            "Romania and Bulgaria with false job offers and the 'loverboy' method for sexual "
            "exploitation in Germany and France. Fled Iași before the searches.",
            "sought_for": "prosecution",
            "offence_iccs": "02041",
            "law_reference": "Codul penal, art. 210 alin. (1) și art. 367 alin. (1)",
            "charge": "Trafic de persoane; constituirea unui grup infracțional organizat",
            "charge_translation": "Trafficking in persons; setting up an organised criminal group",
            "max_penalty_months": 120,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "Mandat de arestare preventivă nr. 27/UP/2026, dosar 4821/3/2026",
            "warrant_date": desk.date(60),
            "issuing_authority": "Tribunalul București, Secția I penală",
            "matter": "ordinary_crime",
        },
    )

    victim = cast.find("Person", "RO-DIICOT", category=SubjectCategory.victim)
    name = victim.properties["name"][0]
    desk.issue(
        "ncb-ro.officer",
        76,
        art3="A missing person: no political, military, religious or racial element.",
        kind="yellow",
        title=f"Missing: {name}",
        subject=identity(victim),
        public_extract=True,  # at her family's request
        particulars={
            "summary": f"{name} left Iași for a job in a restaurant in Germany offered by a "
            "recruiter of a trafficking group; her family has heard nothing since.",
            "category": "missing",
            "date_missing": desk.date(50),
            "place_missing": "Frankfurt am Main Hauptbahnhof, Germany",
            "circumstances": "Last call to her mother from Frankfurt; said her passport had "
            "been taken 'for the work contract'. Her telephone has been off since.",
        },
    )
    return wanted


def _warnings_and_threats(desk: Desk, cast: Cast) -> None:
    """A released poacher feared to start again, and explosives on their way to the ports."""
    poacher = cast.find("Person", "TZ-NTSCIU", category=SubjectCategory.convicted)
    desk.issue(
        "ncb-tz.officer",
        86,
        art3="Wildlife crime by a convicted poacher: an ordinary-law crime; no political, "
        "military, religious or racial element.",
        kind="green",
        title=f"Warning: {poacher.properties['name'][0]}, convicted ivory poacher",
        subject=identity(poacher),
        particulars={
            "summary": "Convicted of unlawful possession of government trophies; released "
            "and back in contact with the poaching coordinator of the Ruvuma corridor.",
            "offence_iccs": "1003",
            "activities": "Organised elephant poaching in the Selous ecosystem; carried "
            "tusks to the Kenyan border.",
            "threat_assessment": "Since his release he has met the coordinator twice and "
            "bought a rifle; elephant carcasses have been found again on his former route.",
        },
    )
    desk.issue(
        "ncb-nl.officer",
        95,
        art3="A threat of violence by a criminal network: no political, military, religious "
        "or racial element.",
        kind="orange",
        title="Explosive devices for attacks on port workers, Rotterdam and Antwerp",
        particulars={
            "summary": "Intercepted messages of the Mar Abierto network's Dutch distributor "
            "order explosive devices to intimidate terminal workers who refused to move "
            "containers.",
            "threat_kind": "object",
            "threat": "Cobra-type explosive devices and hand grenades from the Western "
            "Balkans, to be carried in the refrigerated trailer of a fruit transport and "
            "used against the homes of port workers.",
            "place": "Port areas of Rotterdam and Antwerp and the roads from the Balkans",
            "valid_until": desk.date(160),
        },
    )


def _un_special(desk: Desk) -> None:
    """The secretariat's UN Special Notice for a person on the UN consolidated list."""
    record_id = desk.world.session.scalar(
        select(ListEntry.record_id).where(
            ListEntry.source == "un", ListEntry.reference == "QDi.901"
        )
    )
    assert record_id is not None, "the UN list is loaded by the watch-lists chapter"
    person = full_views(desk.world.session, [record_id])[record_id]
    name = person.properties["name"][0]
    subject = identity(person)
    # The UN gives first and second names, no last name: the public extract would show the
    # first name alone, so the notice carries the full name only.
    del subject["properties"]["firstName"]
    desk.issue(
        "interpol.officer",
        104,
        art3="Implements a Security Council sanctions measure: the Organization's "
        "cooperation with the United Nations, not a political matter.",
        kind="un_special",
        title=f"UN Special Notice: {name} (QDi.901)",
        subject=subject,
        particulars={
            "summary": "Listed by the Security Council as financier and facilitator of "
            "Al-Qaida in the Arabian Peninsula; head of its finance committee.",
            "un_reference": "QDi.901",
            "committee": "Security Council Committee pursuant to resolutions 1267 (1999), "
            "1989 (2011) and 2253 (2015) concerning ISIL (Da'esh), Al-Qaida",
            "measures": ["asset_freeze", "travel_ban", "arms_embargo"],
        },
    )


def _diffusions(desk: Desk, cast: Cast) -> None:
    """Straight to chosen countries and agencies, reviewed by the bureau's own supervisor."""
    enforcer = cast.find("Person", "DE-BKA", position="Enforcer")
    desk.issue(
        "ncb-de.officer",
        110,
        art3="Trafficking in persons: an ordinary-law crime.",
        reviewer="ncb-de.supervisor",
        kind="blue",
        diffusion=True,
        title=f"Whereabouts of {enforcer.properties['name'][0]}",
        subject=identity(enforcer),
        countries=["RO", "BG", "FR"],
        particulars={
            "summary": "Enforcer of Clanul Vulpea at a brothel in Saarbrücken; threatened "
            "victims who wanted to leave. Left Germany after the searches.",
            "reason": "Where he lives now and which telephone numbers he uses.",
            "offence_iccs": "02041",
        },
    )
    desk.issue(
        "ncb-ke.officer",
        118,
        art3="Wildlife trafficking: an ordinary-law crime.",
        reviewer="ncb-ke.supervisor",
        kind="purple",
        diffusion=True,
        title="Ivory and pangolin scales declared as cashew nuts, Mombasa to South-East Asia",
        countries=["VN", "CN", "MY", "TH"],
        agencies=["ZA-DPCI"],
        particulars={
            "summary": "Two seizures at Kilindini show the syndicate's present method.",
            "offence_iccs": "1003",
            "modus_operandi": "Ivory cut into blocks and pangolin scales in sacks are loaded "
            "behind a front row of cashew-nut bags in 40-foot containers, declared to a Hai "
            "Phong importer and transhipped in Port Klang to change the origin.",
            "concealment": "Behind the first two rows of cashew-nut sacks; in sacks lined "
            "with chilli powder against detection dogs.",
        },
    )


def _refused(desk: Desk) -> None:
    """Two requests that pass the automatic checks and that the secretariat refuses."""
    debt = desk.submit(
        "ncb-ae.officer",
        125,
        kind="red",
        title="Wanted for prosecution: Sameer Vinod Kulkarni",
        subject={
            "schema": "Person",
            "properties": {
                "name": ["Sameer Vinod Kulkarni"],
                "birthDate": ["1974-08-19"],
                "nationality": ["in"],
                "gender": ["male"],
            },
        },
        particulars={
            "summary": "Manager of a Dubai trading company that took a loan of AED 2.4 "
            "million from the complainant company; the unpaid loan was secured by a "
            "bounced cheque. He left the country when the company closed.",
            "sought_for": "prosecution",
            "offence_iccs": "0701",
            "law_reference": "Federal Decree-Law No. 31 of 2021 (Crimes and Penalties Law), "
            "art. 451",
            "charge": "Fraud",
            "max_penalty_months": 36,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "Dubai Public Prosecution, case 18342/2026",
            "warrant_date": desk.date(100),
            "issuing_authority": "Dubai Court of First Instance",
            "matter": "ordinary_crime",
        },
    )
    desk.act(SECRETARIAT, debt, "claim", 128)
    desk.act(
        SECRETARIAT,
        debt,
        "refuse",
        129,
        reasons="RPD Art. 83(1)(a)(ii): the facts are a private dispute — a commercial loan "
        "between two companies, not repaid after the business failed. The file shows no "
        "deception when the loan was granted, the complainant is the lender, and a civil "
        "claim for the same amount is pending before the Dubai Courts; no link to serious "
        "or organised crime.",
    )

    opposition = desk.submit(
        "ncb-pe.officer",
        130,
        kind="red",
        title="Wanted for prosecution: Julio César Huamán Quispe",
        subject={
            "schema": "Person",
            "properties": {
                "name": ["Julio César Huamán Quispe"],
                "birthDate": ["1969-02-03"],
                "nationality": ["pe"],
                "birthPlace": ["Sicuani, Cusco"],
                "gender": ["male"],
            },
        },
        particulars={
            "summary": "As national leader of the Frente Popular Andino he called the regional "
            "strike and addressed the crowds that blocked the Cusco–Puno road, where clashes "
            "with the police followed. He left the country after his party was suspended.",
            "sought_for": "prosecution",
            "offence_iccs": "08",
            "law_reference": "Código Penal, art. 315",
            "charge": "Disturbios",
            "charge_translation": "Riot",
            "max_penalty_months": 96,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "Expediente 00412-2026-0-1001-JR-PE-01",
            "warrant_date": desk.date(110),
            "issuing_authority": "Juzgado de Investigación Preparatoria de Cusco",
            "matter": "ordinary_crime",
        },
    )
    desk.act(SECRETARIAT, opposition, "claim", 134)
    desk.act(
        SECRETARIAT,
        opposition,
        "refuse",
        136,
        reasons="Constitution Art. 3, predominance test (RPD Art. 34): the subject leads an "
        "opposition party; the charge arises from a strike he called in that role; the "
        "facts rest on his speeches and attribute no act of violence to him; the warrant "
        "followed the suspension of his party. The political element predominates over "
        "the ordinary-law element.",
    )


def _waiting(desk: Desk, cast: Cast) -> None:
    """The review queue: a request returned and resubmitted, one new, one under review, a
    bureau's diffusion; and a draft still missing its judicial data."""
    buyer = cast.find("Person", "IT-DIA", position="Buyer")
    name = buyer.properties["name"][0]
    fields: dict[str, Any] = {
        "kind": "red",
        "title": f"Wanted for prosecution: {name}",
        "subject": identity(buyer),
        "particulars": {
            "summary": "Member of the Mar Abierto network.",
            "sought_for": "prosecution",
            "offence_iccs": "0601",
            "law_reference": "D.P.R. 309/1990, art. 74",
            "charge": "art. 74",
            "max_penalty_months": 288,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "R.G.N.R. 4127/2025, R.G. GIP 2981/2025",
            "warrant_date": desk.date(150),
            "issuing_authority": "Tribunale di Reggio Calabria, Ufficio del GIP",
            "matter": "ordinary_crime",
        },
    }
    returned = desk.submit("ncb-it.officer", 176, **fields)
    desk.act(SECRETARIAT, returned, "claim", 180)
    desk.act(
        SECRETARIAT,
        returned,
        "return",
        181,
        reasons="Quote the charge as worded in the judge's order, and say what the subject "
        "himself did: membership of the network alone does not show his participation.",
    )
    fields["particulars"] |= {
        "summary": f"{name} buys cocaine by the container for the Calabrian clans from the "
        "Mar Abierto network's brokers and organises its release at the port of Gioia Tauro "
        "through a port insider; proceeds pass through a citrus wholesaler in his wife's name.",
        "charge": "Associazione finalizzata al traffico illecito di sostanze stupefacenti, "
        "con ruolo di promotore e organizzatore",
        "charge_translation": "Leading an association for the purpose of drug trafficking",
    }
    service.update(
        desk.world.session,
        principal=desk.who("ncb-it.officer"),
        notice_id=returned.id,
        payload=NoticeIn.model_validate(fields),
        now=desk.at(188),
    )
    desk.act("ncb-it.officer", returned, "submit", 188.1)

    recruiter = cast.find("Person", "BG-GDBOP", position="Recruiter (farm labour)")
    claimed = desk.submit(
        "ncb-bg.officer",
        215,
        kind="red",
        title=f"Wanted for prosecution: {recruiter.properties['name'][0]}",
        subject=identity(recruiter),
        particulars={
            "summary": "Recruits men in the Plovdiv region with promises of farm work in "
            "Spain and Italy, where they work without pay to repay invented debts.",
            "sought_for": "prosecution",
            "offence_iccs": "02042",
            "law_reference": "Наказателен кодекс, чл. 159а, ал. 1 и чл. 159в",
            "charge": "Трафик на хора с цел принудителен труд",
            "charge_translation": "Trafficking in human beings for forced labour",
            "max_penalty_months": 96,
            "warrant_kind": "arrest_warrant",
            "warrant_reference": "ЧНД № 3419/2026",
            "warrant_date": desk.date(200),
            "issuing_authority": "Софийски градски съд",
            "matter": "ordinary_crime",
        },
    )
    desk.act(SECRETARIAT, claimed, "claim", 230)

    manager = cast.find("Person", "NCB-FR", position="Manages the apartments")
    desk.submit(
        "ncb-fr.officer",
        225,
        kind="green",
        title=f"Warning: {manager.properties['name'][0]}, procurer",
        subject=identity(manager),
        particulars={
            "summary": "Rents the Paris apartments where victims of Clanul Vulpea are "
            "exploited and collects their takings.",
            "offence_iccs": "0302",
            "activities": "Aggravated procuring; rents short-stay apartments under borrowed names.",
            "threat_assessment": "The network moves victims between France and Germany; he "
            "is expected to open apartments in other cities.",
        },
    )

    # A diffusion of the Spanish bureau, waiting for the bureau's own supervisor.
    receiver = cast.find("Person", "ES-UDYCO", position="Reception (Campo de Gibraltar)")
    desk.submit(
        "ncb-es.officer",
        236,
        kind="blue",
        diffusion=True,
        title=f"Whereabouts of {receiver.properties['name'][0]}",
        subject=identity(receiver),
        countries=["CO", "NL", "MA"],
        particulars={
            "summary": "Receives the network's cocaine loads on the beaches of the Campo de "
            "Gibraltar; not seen in Algeciras since the last seizure.",
            "reason": "Where he stays now and which telephone numbers he uses.",
            "offence_iccs": "0601",
        },
    )

    enforcer = cast.find("Person", "AL-SPAK", position="Enforcer")
    desk.draft(
        "ncb-al.officer",
        232,
        kind="red",
        title=f"Wanted for prosecution: {enforcer.properties['name'][0]}",
        subject=identity(enforcer),
        particulars={
            "summary": "Enforcer of Clanul Vulpea's Albanian partners; guards workers on "
            "farms in Italy.",
            "sought_for": "prosecution",
            "offence_iccs": "02042",
            "law_reference": "Kodi Penal, neni 110/a",
            "charge": "Trafikimi i personave madhorë",
            "max_penalty_months": 180,
            "matter": "ordinary_crime",
        },
    )


def _hits(desk: Desk, cocaine: Notice, trafficking: Notice) -> None:
    """Officers abroad screen two wanted leaders; the Colombian bureau confirms its hit."""
    desk.screens(
        "es-udyco.officer", 140, cocaine, "Passenger list check, flight AV26 Bogotá–Madrid"
    )
    desk.screens(
        "de-bka.officer",
        200,
        trafficking,
        "Roadside check on the A3 near Passau: minibus from Romania",
    )
    [hit] = hits.hits_of(desk.world.session, cocaine)
    hits.decide(
        desk.world.session,
        principal=desk.who("ncb-co.officer"),
        hit_id=hit.id,
        confirmed=True,
        note="Same person: name, date of birth and nationality match our file. NCB Madrid "
        "asked to request his provisional arrest on arrival.",
        now=desk.at(140.3),
    )
