"""Demo chapter: Europol's analysts cross-match the persons recorded around the groups.

Member and partner agencies pass what they hold on the groups' members to Europol's analysis
projects — AP Cola (cocaine), AP Phoenix (trafficking in human beings), AP EnviCrime
(wildlife) — each in its own way: a Bulgarian record in Cyrillic and the German and Spanish
transliterations of the same name, a Spanish record with the two surnames the other way
round, Dutch and Belgian records with only the year or month of birth, a Romanian record
with the surname first, a passport number with two characters transposed. A Europol analyst
links every Person record Europol may see; the analysts confirm proposals, reject namesakes,
leave one pair open — and two confirmations join a pair rejected as namesakes, so that
cluster is flagged for review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from normality import ascii_text

from palermo.demo.builder import DemoWorld
from palermo.demo.groups import (
    CA,
    CI,
    CONVICTED,
    H2,
    H3,
    SUSPECT,
    VICTIM,
    VICTIM_PROTECTION,
    WITNESS,
    policy,
)
from palermo.demo.notices import Cast, Desk
from palermo.linkage import service
from palermo.linkage.engine import Backend
from palermo.models.base import utcnow
from palermo.policy.records import AccessContext
from palermo.records.envelope import SubjectCategory
from palermo.records.schemas import RecordOut
from palermo.records.service import create_record

ORIGIN = "demo:linkage"
ANALYST, SUPERVISOR = "europol.analyst", "europol.supervisor"
CROSS_MATCH = AccessContext.of(
    "criminal_analysis",
    "AP Cola, AP Phoenix, AP EnviCrime — cross-match of the persons recorded around the "
    "cocaine, trafficking and wildlife networks",
)
# Each contributor's national basis; Europol processes the data for operational analysis.
BASES = {
    "BE-CUSTOMS": "Algemene wet inzake douane en accijnzen (AWDA), art. 320",
    "BG-GDBOP": "Закон за Министерството на вътрешните работи (ЗМВР), чл. 25",
    "DE-BKA": "StPO § 483; BKAG § 16",
    "ES-UDYCO": "Ley Orgánica 7/2021, art. 13",
    "IT-DIA": "D.Lgs. 51/2018, art. 5",
    "NL-DOUANE": "Algemene douanewet, art. 1:33",
    "NL-NP": "Wet politiegegevens, art. 10",
    "RO-DIICOT": "Legea nr. 508/2004 privind DIICOT",
}
EUROPOL_BASIS = "Regulation (EU) 2016/794, art. 18(2)(c)"
# Low enough that namesakes born the same year come up for review too.
THRESHOLD = 0.2


@dataclass(frozen=True)
class Judgement:
    """A Europol analyst's decision on a pair, and why."""

    username: str
    left_id: str
    right_id: str
    verdict: str
    note: str


@dataclass
class Project:
    """One of Europol's analysis projects: the Person records agencies contribute to it."""

    desk: Desk
    name: str
    offences: tuple[str, ...]
    contributed: int = 0

    def contribution(
        self, owner: str, days: float, subject: SubjectCategory, **properties: Any
    ) -> str:
        """A record `owner` shares with Europol for analysis; its id."""
        self.contributed += 1
        victim = subject is VICTIM
        envelope = policy(
            f"{BASES[owner]}; {EUROPOL_BASIS}",
            handling=H3 if victim else H2,
            note=VICTIM_PROTECTION if victim else None,
            purposes=(CI, CA),
            shares=("EUROPOL",),
            offences=self.offences,
        )
        world = self.desk.world
        record = create_record(
            world.session,
            principal=world.operator,
            settings=world.settings,
            entity={
                "id": f"{self.name}-{self.contributed:03d}",
                "schema": "Person",
                "properties": {p: v for p, v in properties.items() if v},
            },
            envelope=envelope.model_copy(update={"subject_category": subject}),
            owner_code=owner,
            origin=ORIGIN,
            now=self.desk.at(days),
        )
        return record.id


def _first(view: RecordOut, prop: str) -> str:
    return view.properties[prop][0]


def _passport(cast: Cast, holder: RecordOut) -> str:
    return _first(cast.find("Passport", holder.envelope.owner_agency, holder=holder.id), "number")


def _mistyped(number: str) -> str:
    """The number with two neighbouring characters transposed, as when copied by hand."""
    i = next(i for i in range(len(number) - 2, 0, -1) if number[i] != number[i + 1])
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _namesakes_birth(born: str) -> str:
    """A namesake's birth date: the same year, another month and another day (137 days is no
    whole number of months)."""
    day = date.fromisoformat(born)
    return (day + timedelta(days=137 if day.month <= 6 else -137)).isoformat()


def _surname_first(view: RecordOut) -> str:
    return f"{_first(view, 'lastName').upper()} {_first(view, 'firstName')}"


def _initialled(view: RecordOut) -> str:
    """The first given name in full, the others as initials: "Diego A. Ospina Cárdenas"."""
    first, *others = _first(view, "firstName").split()
    return " ".join([first, *(f"{name[0]}." for name in others), _first(view, "lastName")])


def populate(world: DemoWorld) -> None:
    desk = Desk(world, start=utcnow() - timedelta(days=30))
    cast = Cast.of(world)
    judgements = [
        *_cola(Project(desk, "cola", ("0601",)), cast),
        *_phoenix(Project(desk, "phoenix", ("0204",)), cast),
        *_envicrime(Project(desk, "envicrime", ("1003",)), cast),
    ]
    service.run(
        world.session,
        principal=desk.who(ANALYST),
        context=CROSS_MATCH,
        schema="Person",
        scope=None,
        backend=Backend.duckdb,
        threshold=THRESHOLD,
        now=desk.at(14),
    )
    # The analysts work through the pairs in the week after the run.
    for i, judgement in enumerate(judgements):
        service.judge(
            world.session,
            principal=desk.who(judgement.username),
            context=CROSS_MATCH,
            left_id=judgement.left_id,
            right_id=judgement.right_id,
            verdict=judgement.verdict,
            note=judgement.note,
            now=desk.at(15 + i * 0.6),
        )


def _cola(project: Project, cast: Cast) -> list[Judgement]:
    """The cocaine network as Spain, Italy, the Netherlands and Belgium recorded it."""
    leader = cast.find("Person", "CO-DIJIN", position="Leader")
    financier = cast.find("Person", "CO-DIJIN", position="Finance")
    broker = cast.find("Person", "ES-UDYCO", position="Broker")
    buyer = cast.find("Person", "IT-DIA", position="Buyer")
    distributor = cast.find("Person", "NL-NP", position="Distributor")
    extractor = cast.find("Person", "NL-NP", position="Extractor")
    driver = cast.find("Person", "ES-UDYCO", category=CONVICTED)

    given, family = _first(financier, "firstName"), _first(financier, "lastName")
    surnames_swapped = project.contribution(
        "ES-UDYCO",
        0,
        SUSPECT,
        name=f"{given} {' '.join(reversed(family.split()))}",
        birthDate=_first(financier, "birthDate"),
        nationality="co",
        gender="female",
        notes="Receives 'private loans' from a Marbella real-estate company in her Colombian "
        "account.",
    )
    passport = _passport(cast, broker)
    broker_it = project.contribution(
        "IT-DIA",
        1,
        SUSPECT,
        name=f"{_first(broker, 'firstName')} {_first(broker, 'lastName').split()[0]}",
        birthDate=_first(broker, "birthDate"),
        passportNumber=_mistyped(passport),
        nationality="co",
        gender="male",
        notes="Negotiates loads for the Calabrian buyers; passport number copied from a hotel "
        "register in Reggio Calabria.",
    )
    broker_nl = project.contribution(
        "NL-NP",
        2,
        SUSPECT,
        name=ascii_text(f"{_first(broker, 'firstName')} {_first(broker, 'lastName').upper()}"),
        birthDate=_first(broker, "birthDate"),
        passportNumber=passport,
        nationality="co",
        gender="male",
        notes="Met the distributor in Rotterdam; passport checked on arrival at Schiphol.",
    )
    buyer_nl = project.contribution(
        "NL-NP",
        2,
        SUSPECT,
        name=_surname_first(buyer),
        birthDate=_first(buyer, "birthDate"),
        nationality="it",
        gender="male",
        notes="Named in the distributor's decrypted messages as the buyer for Gioia Tauro.",
    )
    buyer_es = project.contribution(
        "ES-UDYCO",
        3,
        SUSPECT,
        name=_first(buyer, "name"),
        birthDate=_first(buyer, "birthDate")[:4],
        passportNumber=_passport(cast, buyer),
        nationality="it",
        gender="male",
        notes="Travels to Algeciras to oversee the transhipment of loads for Gioia Tauro.",
    )
    project.contribution(
        "BE-CUSTOMS",
        4,
        SUSPECT,
        name=_first(distributor, "name"),
        birthDate=_first(distributor, "birthDate")[:7],
        passportNumber=_passport(cast, distributor),
        nationality="nl",
        gender="male",
        notes="Attended the inspection of a banana container at the MPET terminal as the "
        "importer's representative.",
    )
    project.contribution(
        "ES-UDYCO",
        5,
        CONVICTED,
        name=_first(extractor, "name"),
        birthDate=_first(extractor, "birthDate"),
        nationality="nl",
        gender="male",
        notes="Seen in Marbella with the broker; uses a Spanish prepaid number.",
    )
    namesake = project.contribution(
        "NL-NP",
        5,
        WITNESS,
        name=_first(driver, "name"),
        birthDate=_namesakes_birth(_first(driver, "birthDate")),
        idNumber="48273915C",
        nationality="es",
        gender="male",
        notes="Lorry driver who collected a container at the ECT Delta terminal; no "
        "involvement found.",
    )
    project.contribution(
        "NL-NP",
        6,
        SUSPECT,
        name=_initialled(leader),
        birthDate=_first(leader, "birthDate")[:7],
        nationality="co",
        gender="male",
        notes="The Colombian who sets prices and volumes, in the distributor's decrypted messages.",
    )
    return [
        Judgement(
            ANALYST,
            surnames_swapped,
            financier.id,
            "confirmed",
            "Same date of birth and nationality; the Spanish record writes her two surnames "
            "the other way round.",
        ),
        Judgement(
            ANALYST,
            broker_it,
            broker_nl,
            "confirmed",
            "Same date of birth and passport numbers two characters transposed; the Italian "
            "record leaves out his second surname.",
        ),
        Judgement(
            SUPERVISOR,
            buyer_nl,
            buyer_es,
            "confirmed",
            "Same name and year of birth; both records tie him to the loads for Gioia Tauro.",
        ),
        Judgement(
            ANALYST,
            namesake,
            driver.id,
            "rejected",
            "Namesakes: a common Spanish name, born months apart; the lorry driver's DNI is "
            "not the convicted speedboat driver's.",
        ),
    ]


def _phoenix(project: Project, cast: Cast) -> list[Judgement]:
    """The trafficking ring as Germany, Romania, Bulgaria, Spain and Italy recorded it."""
    leader = cast.find("Person", "RO-DIICOT", position="Leader")
    enforcer = cast.find("Person", "DE-BKA", position="Enforcer")
    recruiter = cast.find("Person", "BG-GDBOP", position="Recruiter (farm labour)")
    victim = cast.find("Person", "ES-UDYCO", category=VICTIM, nationality="bg")

    leader_de = project.contribution(
        "DE-BKA",
        0.5,
        SUSPECT,
        name=ascii_text(_first(leader, "name")),
        birthDate=_first(leader, "birthDate")[:4],
        phone=_first(leader, "phone"),
        nationality="ro",
        gender="male",
        notes="Receives monthly 'consultancy' transfers from a German massage-parlour company "
        "and calls its operator from this number.",
    )
    cousin = project.contribution(
        "RO-DIICOT",
        1.5,
        SUSPECT,
        name=_surname_first(enforcer),
        birthDate=_first(enforcer, "birthDate")[:4],
        phone=_first(enforcer, "phone"),
        nationality="ro",
        gender="male",
        notes="Cousin of the leader; keeps order among the women exploited in Germany.",
    )
    namesake = project.contribution(
        "IT-DIA",
        3.5,
        VICTIM,
        name=_first(enforcer, "name"),
        birthDate=_namesakes_birth(_first(enforcer, "birthDate")),
        nationality="ro",
        gender="male",
        notes="Day labourer on a farm near Foggia; identified as a victim of the gangmaster.",
    )
    latin = _first(recruiter, "name")
    cyrillic = project.contribution(
        "BG-GDBOP",
        2.5,
        SUSPECT,
        name=_first(recruiter, "alias"),
        birthDate=_first(recruiter, "birthDate"),
        nationality="bg",
        gender="male",
        notes="Набира мъже от Пловдивска област за земеделска работа в Испания и Италия.",
    )
    spanish = project.contribution(
        "ES-UDYCO",
        4.5,
        SUSPECT,
        name=latin.replace("y", "i"),
        birthDate=_first(recruiter, "birthDate"),
        nationality="bg",
        gender="male",
        notes="Receives 'labour intermediation' payments from a strawberry farm near Huelva.",
    )
    german = project.contribution(
        "DE-BKA",
        6.5,
        SUSPECT,
        name=latin.replace("y", "j").replace("v", "w"),
        birthDate=_first(recruiter, "birthDate"),
        nationality="bg",
        gender="male",
        notes="Checked on the A3 near Passau with four young men from Plovdiv bound for "
        "strawberry farms in Spain.",
    )
    returned = project.contribution(
        "BG-GDBOP",
        7.5,
        VICTIM,
        name=_first(victim, "alias"),
        birthDate=_first(victim, "birthDate")[:4],
        nationality="bg",
        gender="male",
        notes="Завърнал се от Испания; съобщава за неплатен труд във ферма край Уелва.",
    )
    return [
        Judgement(
            ANALYST,
            leader_de,
            leader.id,
            "confirmed",
            "The Romanian number in the German record is the leader's in the DIICOT file.",
        ),
        Judgement(
            ANALYST,
            cyrillic,
            spanish,
            "confirmed",
            "Same date of birth; the Spanish record writes the Bulgarian name with i for й.",
        ),
        Judgement(
            SUPERVISOR,
            spanish,
            german,
            "confirmed",
            "The German transliteration of the same name, the same date of birth, and both "
            "place him on the route to the Huelva farms.",
        ),
        Judgement(
            ANALYST,
            returned,
            victim.id,
            "unsure",
            "A common Bulgarian name and only the year of birth: identity card number asked "
            "of GDBOP.",
        ),
        Judgement(
            ANALYST,
            cousin,
            enforcer.id,
            "confirmed",
            "Same telephone number; DIICOT records him as the leader's cousin, as the BKA does.",
        ),
        Judgement(
            SUPERVISOR,
            cousin,
            namesake,
            "confirmed",
            "Same name and year of birth; DIICOT gives no full date.",
        ),
        Judgement(
            ANALYST,
            enforcer.id,
            namesake,
            "rejected",
            "Namesakes born months apart: the Italian record is a farm worker identified as a "
            "victim near Foggia, ours the group's enforcer in Germany. One of the two "
            "confirmations is wrong.",
        ),
    ]


def _envicrime(project: Project, cast: Cast) -> list[Judgement]:
    """The wildlife syndicate's Kenyans, checked in transit at Brussels and Schiphol."""
    leader = cast.find("Person", "KE-DCI", position="Leader")
    forwarder = cast.find("Person", "KE-DCI", position="Freight forwarder")

    passport = _passport(cast, leader)
    brussels = project.contribution(
        "BE-CUSTOMS",
        3,
        SUSPECT,
        name=_surname_first(leader),
        birthDate=_first(leader, "birthDate"),
        passportNumber=_mistyped(passport),
        nationality="ke",
        gender="male",
        notes="In transit at Brussels Airport from Nairobi to Hanoi; worked ivory in the hold "
        "baggage of his travelling companion.",
    )
    schiphol = project.contribution(
        "NL-DOUANE",
        8,
        SUSPECT,
        name=_first(leader, "name"),
        birthDate=_first(leader, "birthDate")[:4],
        passportNumber=passport,
        nationality="ke",
        gender="male",
        notes="Transit check at Schiphol on a Nairobi–Amsterdam–Hanoi itinerary.",
    )
    project.contribution(
        "BE-CUSTOMS",
        9,
        SUSPECT,
        name=_first(forwarder, "name"),
        birthDate=_first(forwarder, "birthDate"),
        passportNumber=_passport(cast, forwarder),
        nationality="ke",
        gender="male",
        notes="Exporter on the air waybill of 'cashew nuts' found to hold pangolin scales, "
        "Brussels Airport cargo.",
    )
    project.contribution(
        "NL-DOUANE",
        10,
        SUSPECT,
        name=_surname_first(forwarder),
        birthDate=_first(forwarder, "birthDate")[:7],
        nationality="ke",
        gender="male",
        notes="Consignor of a Nairobi–Amsterdam air cargo of 'tea' held for inspection.",
    )
    return [
        Judgement(
            SUPERVISOR,
            brussels,
            schiphol,
            "confirmed",
            "Same name and year of birth; the passport numbers differ by two transposed "
            "characters: the Belgian entry was mistyped.",
        )
    ]
