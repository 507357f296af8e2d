"""Demo chapter: three cross-border criminal groups, each agency holding its own part.

- a cocaine pipeline from Colombia and Ecuador through the Gulf of Guinea to the ports of
  Rotterdam, Antwerp, Algeciras and Gioia Tauro;
- a human-trafficking ring recruiting in Romania, Bulgaria and Albania for exploitation in
  Germany, France, Italy and Spain;
- an ivory and pangolin-scale syndicate shipping from Kenya, Tanzania and Mozambique to
  Viet Nam, China, Malaysia and Thailand.

Every record is owned by the agency that collected it, under that country's law and that
agency's handling code, TLP label and shares. Logged in as ``ncb-nl.officer`` or
``europol.analyst``, a newcomer sees some of them in full, some only as hits (reference and
owner) and the rest not at all.

Everything variable (names, dates, numbers, amounts) is drawn from ``world.rng``; record ids
are fixed, so the same seed gives the same world, record for record.
"""

from __future__ import annotations

import json
import string
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from followthemoney import model

from palermo.demo.builder import DemoWorld
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.records.envelope import (
    AccessLevel,
    HandlingCode,
    InformationAccuracy,
    Nature,
    Purpose,
    ShareScope,
    SourceReliability,
    SubjectCategory,
    Tlp,
)
from palermo.records.schemas import EnvelopeIn, ShareIn
from palermo.records.transfer import import_ftm

ORIGIN = "demo:groups"

COCAINE = "cocaine"
TRAFFICKING = "trafficking"
WILDLIFE = "wildlife"

CI = Purpose.criminal_investigation
CA = Purpose.criminal_analysis
AR = Purpose.asset_recovery
FI = Purpose.financial_intelligence
BM = Purpose.border_management
H0, H1, H2, H3 = HandlingCode.H0, HandlingCode.H1, HandlingCode.H2, HandlingCode.H3
SUSPECT = SubjectCategory.suspect
CONVICTED = SubjectCategory.convicted
VICTIM = SubjectCategory.victim
WITNESS = SubjectCategory.witness
CONTACT = SubjectCategory.contact
INFORMANT = SubjectCategory.informant

SOURCE_PROTECTION = "Source protection: do not disclose outside the owner agency."
VICTIM_PROTECTION = (
    "Victim protection: identity and whereabouts not to be passed on by recipients, nor used "
    "in proceedings, without the owner agency's written consent."
)


# Locales: names, numbers and streets of each country -----------------------------------
def _pool(text: str) -> tuple[str, ...]:
    """ "a; b; c" as a tuple; a name is "Latin" or "Latin|native script"."""
    return tuple(item.strip() for item in text.split(";"))


@dataclass(frozen=True)
class Locale:
    """How people, phones, papers and places look in one country.

    Patterns use # for a digit, @ for a capital letter and * for either.
    """

    male: tuple[str, ...] = ()
    female: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    style: str = "western"  # western, hispanic, slavic, vietnamese, chinese
    phone: tuple[str, tuple[str, ...]] = ("", ())  # country calling code, national patterns
    passport: str = "@@#######"
    streets: tuple[tuple[str, str, str], ...] = ()  # (street with {n}, postcode, city)
    bank: str = ""
    iban: str | None = None  # the BBAN's pattern where the country uses IBANs
    account: str = "##########"
    company_number: str = "########"
    plate: str = "@@-###-@"


LOCALES: dict[str, Locale] = {
    "CO": Locale(
        male=_pool(
            "Hernán Darío; Jhon Jairo; Luis Fernando; Carlos Arturo; Wilmer; Édgar; "
            "Jorge Iván; Diego Alejandro; Fabián; Néstor Raúl"
        ),
        female=_pool("Luz Marina; Yesenia; Diana Carolina; María Fernanda; Paola Andrea"),
        family=_pool(
            "Quintero; Salazar; Restrepo; Cárdenas; Montoya; Valencia; Zapata; Ospina; "
            "Arango; Castaño; Mosquera; Benítez"
        ),
        style="hispanic",
        phone=("57", _pool("300#######; 310#######; 311#######; 313#######; 316#######")),
        passport="AW######",
        streets=(
            ("Carrera 43A # {n}-15, El Poblado", "050021", "Medellín"),
            ("Calle 10 Sur # {n}-40", "050022", "Medellín"),
            ("Calle 5 # {n}-22, San Fernando", "760042", "Cali"),
            ("Avenida San Martín # {n}-08, Bocagrande", "130001", "Cartagena"),
            ("Calle 18 # {n}-31", "520002", "Pasto"),
        ),
        bank="Banco Andino del Pacífico S.A.",
        account="###-######-##",
        company_number="900.###.###-#",
        plate="@@@###",
    ),
    "EC": Locale(
        male=_pool("Wilson; Byron; Darwin; Kléber; Galo; Segundo; Fausto"),
        female=_pool("Mayra; Jessenia; Gabriela"),
        family=_pool(
            "Cedeño; Zambrano; Vera; Macías; Mendoza; Alcívar; Loor; Intriago; Villacís; Andrade"
        ),
        style="hispanic",
        phone=("593", _pool("98#######; 99#######; 96#######")),
        passport="A#######",
        streets=(
            ("Av. Francisco de Orellana {n}, Kennedy Norte", "090505", "Guayaquil"),
            ("Circunvalación Sur {n}, Urdesa Central", "090504", "Guayaquil"),
            ("Av. 25 de Junio {n} y Guayas", "070101", "Machala"),
            ("Av. 9 de Octubre {n}", "090313", "Guayaquil"),
        ),
        bank="Banco Costa del Guayas S.A.",
        company_number="09########001",
        plate="G@@-####",
    ),
    "NG": Locale(
        male=_pool("Chukwuemeka; Olumide; Babatunde; Ifeanyi; Emeka; Tunde; Adebayo"),
        female=_pool("Chiamaka; Funmilayo; Bisola"),
        family=_pool("Okonkwo; Adeleke; Eze; Nwosu; Balogun; Ogunleye; Obi; Akande"),
        phone=("234", _pool("803#######; 806#######; 813#######; 703#######; 805#######")),
        passport="A########",
        streets=(
            ("{n} Wharf Road, Apapa", "102272", "Lagos"),
            ("{n} Adeola Odeku Street, Victoria Island", "101241", "Lagos"),
            ("{n} Trans-Amadi Road", "500272", "Port Harcourt"),
            ("{n} Admiralty Way, Lekki Phase 1", "105102", "Lagos"),
        ),
        bank="Lagoon Trust Bank Plc",
        company_number="RC ######",
        plate="LSD-###-@@",
    ),
    "GH": Locale(
        male=_pool("Kwabena; Kofi; Yaw; Kwaku; Ebo"),
        female=_pool("Akosua; Abena; Efua"),
        family=_pool("Asante; Owusu; Boateng; Osei; Agyeman; Ansah; Frimpong"),
        phone=("233", _pool("24#######; 54#######; 55#######; 20#######")),
        passport="G#######",
        streets=(
            ("House {n}, Harbour Road, Community 1", "GT-010", "Tema"),
            ("House {n}, Kofi Annan Street, Airport Residential", "GA-091", "Accra"),
        ),
        bank="Volta Commercial Bank Ltd",
        account="#############",
        company_number="CS#########",
        plate="GT ####-##",
    ),
    "NL": Locale(
        male=_pool("Dennis; Jeroen; Kevin; Sander; Bart; Youssef; Nordin; Ricardo"),
        female=_pool("Sanne; Kim; Naima; Esmée"),
        family=_pool(
            "de Groot; Bakker; Visser; van Dijk; Smit; Meijer; El Idrissi; Bouzid; Mulder; de Wit"
        ),
        phone=("31", ("6########",)),
        passport="N@*****#",
        streets=(
            ("Ringdijk {n}", "3062 MC", "Rotterdam"),
            ("Laan van Meerdervoort {n}", "2517 AK", "Den Haag"),
            ("Keizersgracht {n}", "1015 CN", "Amsterdam"),
            ("Nieuwe Binnenweg {n}", "3014 GD", "Rotterdam"),
            ("Haagweg {n}", "4814 GB", "Breda"),
        ),
        bank="Hanze Handelsbank N.V.",
        iban="HNZB##########",
        plate="@@-###-@",
    ),
    "BE": Locale(
        male=_pool("Jelle; Wouter; Dries; Rachid; Kenny"),
        female=_pool("Lien; Nathalie"),
        family=_pool("Peeters; Janssens; Maes; Claes; Wouters; El Amrani"),
        phone=("32", _pool("47#######; 48#######; 49#######")),
        passport="EM######",
        streets=(
            ("Turnhoutsebaan {n}", "2140", "Borgerhout"),
            ("Noorderlaan {n}", "2030", "Antwerpen"),
            ("Kioskplaats {n}", "2660", "Hoboken"),
        ),
        bank="Banque de l'Escaut S.A.",
        iban="############",
        company_number="0###.###.###",
        plate="1-@@@-###",
    ),
    "ES": Locale(
        male=_pool("Antonio; Francisco Javier; José Manuel; Rafael; Juan Carlos; Sergio"),
        female=_pool("Rocío; Inmaculada; Lorena"),
        family=_pool("García; Moreno; Jiménez; Ruiz; Navarro; Romero; Domínguez; Vázquez; Ortega"),
        style="hispanic",
        phone=("34", ("6########",)),
        passport="PA@######",
        streets=(
            ("Avenida Ricardo Soriano {n}", "29601", "Marbella"),
            ("Calle Real {n}", "11201", "Algeciras"),
            ("Avenida del Puerto {n}", "46021", "Valencia"),
            ("Calle Ancha {n}", "11140", "Conil de la Frontera"),
            ("Calle Huelva {n}", "21800", "Moguer"),
        ),
        bank="Banco Mediterráneo del Sur S.A.",
        iban="####################",
        company_number="B########",
        plate="####@@@",
    ),
    "IT": Locale(
        male=_pool("Giuseppe; Domenico; Rocco; Francesco; Salvatore; Vincenzo"),
        female=_pool("Carmela; Teresa; Rosaria"),
        family=_pool("Ferraro; Greco; Marino; Gallo; Caruso; Rizzo; Lombardi; Fontana"),
        phone=("39", _pool("320#######; 328#######; 333#######; 347#######; 349#######")),
        passport="YA#######",
        streets=(
            ("Via Nazionale {n}", "89013", "Gioia Tauro"),
            ("Corso Garibaldi {n}", "89127", "Reggio Calabria"),
            ("Via della Spiga {n}", "20121", "Milano"),
            ("Viale degli Aviatori {n}", "71122", "Foggia"),
        ),
        bank="Banca Popolare dello Stretto S.p.A.",
        iban="@######################",
        company_number="###########",
        plate="@@###@@",
    ),
    "AE": Locale(
        phone=("971", _pool("50#######; 55#######")),
        streets=(("Office {n}, Cluster X, Jumeirah Lake Towers", "", "Dubai"),),
        bank="Gulf Meridian Bank PJSC",
        iban="###################",
    ),
    "RO": Locale(
        male=_pool("Ionuț; Florin; Marian; Adrian; Cătălin; Bogdan; Gheorghe"),
        female=_pool("Alexandra; Mihaela; Andreea; Roxana; Ionela; Florentina; Denisa"),
        family=_pool("Popa; Dumitru; Stoica; Constantin; Munteanu; Lungu; Ciobanu; Radu; Vasile"),
        phone=("40", _pool("72#######; 74#######; 75#######; 76#######")),
        passport="05#######",
        streets=(
            ("Strada Republicii {n}", "800010", "Galați"),
            ("Bulevardul Independenței {n}", "700102", "Iași"),
            ("Strada Mihai Viteazu {n}", "200417", "Craiova"),
            ("Strada Lipscani {n}", "030033", "București"),
        ),
        bank="Banca Carpatică S.A.",
        iban="BCRP****************",
        company_number="J17/####/2019",
        plate="GL ##-@@@",
    ),
    "BG": Locale(
        male=_pool(
            "Georgi|Георги; Dimitar|Димитър; Nikolay|Николай; Ivaylo|Ивайло; Stoyan|Стоян; "
            "Plamen|Пламен"
        ),
        female=_pool(
            "Mariya|Мария; Desislava|Десислава; Tsvetelina|Цветелина; Gergana|Гергана; Yana|Яна"
        ),
        family=_pool(
            "Petrov|Петров; Georgiev|Георгиев; Dimitrov|Димитров; Stoyanov|Стоянов; "
            "Kolev|Колев; Todorov|Тодоров; Angelov|Ангелов"
        ),
        style="slavic",
        phone=("359", _pool("87#######; 88#######; 89#######")),
        passport="38#######",
        streets=(
            ("ul. Graf Ignatiev {n}", "1000", "Sofia"),
            ("bul. Maria Luiza {n}", "4000", "Plovdiv"),
            ("ul. Tsar Simeon {n}", "5800", "Pleven"),
            ("kv. Stolipinovo, bl. {n}", "4006", "Plovdiv"),
        ),
        bank="Тракийска търговска банка АД",
        iban="TRKB######********",
        company_number="20#######",
        plate="PB ####@@",
    ),
    "AL": Locale(
        male=_pool("Arben; Besnik; Ermal; Gentian; Klodian; Altin; Dritan"),
        female=_pool("Elira; Anisa; Klea; Jonida"),
        family=_pool("Hoxha; Shehu; Gjoka; Leka; Kola; Dervishi; Muça; Çela"),
        phone=("355", _pool("67#######; 68#######; 69#######")),
        passport="B@#######",
        streets=(
            ("Rruga e Durrësit {n}", "1001", "Tiranë"),
            ("Rruga Taulantia {n}, Lagjja 13", "2001", "Durrës"),
            ("Rruga Ismail Qemali {n}", "9401", "Vlorë"),
        ),
        bank="Banka e Adriatikut sh.a.",
        iban="########****************",
        company_number="L########@",
        plate="AA ###@@",
    ),
    "DE": Locale(
        male=_pool("Markus; Stefan; Sven; Andreas; Tobias; Dennis"),
        female=_pool("Nicole; Jana; Sabine"),
        family=_pool("Becker; Hoffmann; Wagner; Schulz; Krüger; Neumann; Braun"),
        phone=("49", _pool("151########; 160#######; 170#######; 176########")),
        passport="C@@#####*",
        streets=(
            ("Kurfürstenstraße {n}", "10785", "Berlin"),
            ("Reeperbahn {n}", "20359", "Hamburg"),
            ("Hafenstraße {n}", "47119", "Duisburg"),
            ("Bahnhofstraße {n}", "66111", "Saarbrücken"),
        ),
        bank="Havelbank eG",
        iban="##################",
        company_number="HRB ######",
        plate="B-@@ ####",
    ),
    "FR": Locale(
        male=_pool("Julien; Nicolas; Sébastien; Karim; Mehdi; Laurent"),
        female=_pool("Sandrine; Aurélie"),
        family=_pool("Lefebvre; Moreau; Girard; Lambert; Bonnet; Mercier; Benali"),
        phone=("33", _pool("6########; 7########")),
        passport="##@@#####",
        streets=(
            ("Rue du Faubourg Saint-Denis {n}", "75010", "Paris"),
            ("Avenue de la Capelette {n}", "13010", "Marseille"),
            ("Rue Gambetta {n}", "59000", "Lille"),
        ),
        bank="Banque Rhodanienne",
        iban="##########***********##",
        company_number="### ### ###",
        plate="@@-###-@@",
    ),
    "KE": Locale(
        male=_pool("Joseph; Peter; Samuel; Daniel; Hassan; Abdi; Francis"),
        female=_pool("Grace; Mercy; Wanjiku"),
        family=_pool("Kiprono; Mutua; Ochieng; Njoroge; Kariuki; Omondi; Said; Mohamed"),
        phone=("254", ("7########",)),
        passport="AK#######",
        streets=(
            ("Moi Avenue {n}", "80100", "Mombasa"),
            ("Plot {n}, Nyali Road", "80118", "Mombasa"),
            ("Ngong Road {n}", "00100", "Nairobi"),
        ),
        bank="Coast Equity Bank Ltd",
        account="############",
        company_number="PVT-@@@####",
        plate="KD@ ###@",
    ),
    "TZ": Locale(
        male=_pool("Juma; Hamisi; Rashidi; Baraka; Emmanuel; Salum"),
        female=_pool("Rehema; Neema; Zawadi"),
        family=_pool("Mwinyi; Mushi; Massawe; Kimaro; Mfinanga; Lyimo; Msuya"),
        phone=("255", _pool("71#######; 75#######; 76#######; 78#######")),
        passport="TAE######",
        streets=(
            ("Plot {n}, Uhuru Street, Kariakoo", "11101", "Dar es Salaam"),
            ("Plot {n}, Lindi Road", "65101", "Mtwara"),
            ("Plot {n}, Boma Road", "23101", "Arusha"),
        ),
        bank="Kilimanjaro Commercial Bank Ltd",
        account="#############",
        company_number="#########",
        plate="T ### @@@",
    ),
    "MZ": Locale(
        male=_pool("Armando; Celso; Abílio; Nelson; Fernando"),
        female=_pool("Albertina; Cacilda"),
        family=_pool("Macuácua; Nhantumbo; Cossa; Tembe; Sitoe; Muianga; Mabunda"),
        phone=("258", _pool("82#######; 84#######; 86#######")),
        passport="13@@#####",
        streets=(
            ("Avenida 24 de Julho {n}", "1100", "Maputo"),
            ("Rua de Pemba {n}", "3200", "Pemba"),
            ("Avenida Eduardo Mondlane {n}", "3100", "Nampula"),
        ),
        bank="Banco Comercial do Índico S.A.",
        account="###########",
        company_number="1########",
        plate="A@@ ### MC",
    ),
    "VN": Locale(
        male=_pool(
            "Hung|Hùng; Tuan|Tuấn; Dung|Dũng; Thanh|Thành; Quang|Quang; Cuong|Cường; Long|Long"
        ),
        female=_pool("Lan|Lan; Huong|Hương; Thu|Thu; Mai|Mai"),
        family=_pool(
            "Nguyen|Nguyễn; Tran|Trần; Le|Lê; Pham|Phạm; Hoang|Hoàng; Vu|Vũ; Dang|Đặng; "
            "Bui|Bùi; Do|Đỗ"
        ),
        style="vietnamese",
        phone=("84", _pool("9########; 3########")),
        passport="C#######",
        streets=(
            ("Số {n} Lạch Tray, Ngô Quyền", "180000", "Hải Phòng"),
            ("Số {n} Trần Hưng Đạo, Hoàn Kiếm", "100000", "Hà Nội"),
            ("Số {n} Hùng Vương, Móng Cái", "200000", "Quảng Ninh"),
        ),
        bank="Ngân hàng TMCP Hải Cảng",
        account="#############",
        company_number="02########",
        plate="15@-###.##",
    ),
    "CN": Locale(
        male=_pool("Guoqiang|国强; Jianhua|建华; Wei|伟; Haitao|海涛; Zhiming|志明"),
        female=_pool("Xiulan|秀兰; Li|丽; Mei|梅"),
        family=_pool("Zhang|张; Wang|王; Li|李; Liu|刘; Chen|陈; Huang|黄; Lin|林"),
        style="chinese",
        phone=("86", _pool("13#########; 15#########; 18#########")),
        passport="E########",
        streets=(
            ("{n} Youyiguan Road", "532600", "Pingxiang, Guangxi"),
            ("{n} Xinhua Road, Panyu District", "511400", "Guangzhou"),
            ("{n} Beilun Avenue", "538100", "Dongxing, Guangxi"),
        ),
        bank="Guangxi Border Commercial Bank",
        account="6222 #### #### #### ###",
        company_number="91450681MA5K******",
        plate="桂F·#####",
    ),
    "MY": Locale(
        male=_pool("Boon Keat|文杰; Chee Meng|志明; Kok Wai|国伟; Wai Leong|伟良"),
        female=_pool("Siew Ling|秀玲; Mei Yee|美仪"),
        family=_pool("Tan|陈; Lim|林; Wong|黄; Lee|李; Ong|王"),
        style="chinese",
        phone=("60", _pool("12#######; 16#######; 17#######")),
        passport="A########",
        streets=(
            ("No. {n}, Jalan Pelabuhan Utara", "42000", "Port Klang"),
            ("No. {n}, Jalan Sultan Ismail", "50250", "Kuala Lumpur"),
        ),
        bank="Straits Commerce Bank Berhad",
        company_number="2019010#####",
        plate="W@@ ####",
    ),
    "TH": Locale(
        male=_pool("Somchai|สมชาย; Prasert|ประเสริฐ; Anan|อนันต์; Wichai|วิชัย"),
        female=_pool("Malee|มาลี; Siriporn|ศิริพร"),
        family=_pool("Srisuk|ศรีสุข; Wongsawat|วงศ์สวัสดิ์; Chaiyaporn|ชัยพร; Rattanakorn|รัตนากร"),
        phone=("66", _pool("8########; 9########")),
        passport="AA#######",
        streets=(
            ("{n} Soi Sukhumvit 22, Khlong Toei", "10110", "Bangkok"),
            ("{n} Moo 1, Bang Phli", "10540", "Samut Prakan"),
        ),
        bank="Chao Phraya Trade Bank PCL",
        account="###-#-#####-#",
        company_number="0105########",
        plate="@@ ####",
    ),
}
VIETNAMESE_MIDDLE = {"male": _pool("Van|Văn; Duc|Đức; Quoc|Quốc"), "female": ("Thi|Thị",)}


def _split(name: str) -> tuple[str, str]:
    latin, _, native = name.partition("|")
    return latin, native or latin


# Envelopes --------------------------------------------------------------------------------
def share(target: str) -> ShareIn:
    """ "EUROPOL" (that agency, full), "@NL" (a country), "*" (everyone); ":hit" for hit only."""
    name, _, level = target.partition(":")
    access = AccessLevel.hit_only if level == "hit" else AccessLevel.full
    if name == "*":
        return ShareIn(scope=ShareScope.everyone, level=access)
    if name.startswith("@"):
        return ShareIn(scope=ShareScope.country, country=name[1:], level=access)
    return ShareIn(scope=ShareScope.agency, agency=name, level=access)


def policy(
    basis: str,
    *,
    handling: HandlingCode = H2,
    tlp: Tlp = Tlp.amber,
    evaluation: str = "B2",
    nature: Nature = Nature.fact,
    purposes: Sequence[Purpose] = (CI,),
    shares: Sequence[str] = (),
    offences: Sequence[str] = (),
    note: str | None = None,
) -> EnvelopeIn:
    """An envelope without a data-subject category: persons get theirs when imported."""
    return EnvelopeIn(
        nature=nature,
        source_reliability=SourceReliability(evaluation[0]),
        information_accuracy=InformationAccuracy(evaluation[1]),
        handling_code=handling,
        handling_note=note,
        tlp=tlp,
        purposes=list(purposes),
        shares=[share(s) for s in shares],
        legal_basis=basis,
        offences=list(offences),
    )


# The entities ------------------------------------------------------------------------------
@dataclass(eq=False)
class Node:
    """One entity to import: its owner and envelope, properties that may point at nodes."""

    network: str
    key: str
    schema: str
    owner: str
    policy: EnvelopeIn
    subject: SubjectCategory | None
    properties: dict[str, list[str | Node]]

    @property
    def record_id(self) -> str:
        return f"{self.owner.lower()}.{self.key}"  # as records.service.record_id_for

    def targets(self) -> list[Node]:
        return [v for vs in self.properties.values() for v in vs if isinstance(v, Node)]

    def ref(self, prop: str) -> Node:
        """The first node this one points at through `prop`."""
        return next(v for v in self.properties[prop] if isinstance(v, Node))

    def first(self, prop: str) -> str | None:
        values = [v for v in self.properties.get(prop, []) if isinstance(v, str)]
        return values[0] if values else None

    def line(self, batch: set[Node]) -> str:
        """FtM JSON: a node of the same import by its source id, others by record id."""
        properties = {
            prop: [
                (v.key if v in batch else v.record_id) if isinstance(v, Node) else v for v in values
            ]
            for prop, values in self.properties.items()
        }
        entity = {"id": self.key, "schema": self.schema, "properties": properties}
        return json.dumps(entity, ensure_ascii=False)


Value = str | int | Node | None
Values = Value | Sequence[Value]


@dataclass
class Groups:
    """The seed's random stream, and every entity drawn from it."""

    rng: Random
    nodes: list[Node] = field(default_factory=list)
    counters: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    used: set[str] = field(default_factory=set)
    organizations: dict[str, str] = field(default_factory=dict)
    informants: list[str] = field(default_factory=list)
    brokers: list[str] = field(default_factory=list)

    def cell(self, network: str, owner: str, basis: str, **envelope: Any) -> Cell:
        """Where `owner` records part of `network` under the envelope `policy` makes."""
        return Cell(self, network, owner, policy(basis, **envelope))

    def pick(self, choices: str) -> str:
        return self.rng.choice(_pool(choices))

    def fill(self, pattern: str) -> str:
        alphabet = {"#": string.digits, "@": string.ascii_uppercase}
        alphabet["*"] = string.digits + string.ascii_uppercase
        return "".join(self.rng.choice(alphabet[c]) if c in alphabet else c for c in pattern)

    def unique(self, make: Callable[[], str]) -> str:
        """A value not drawn before (and not empty: `make` refuses invalid ones that way)."""
        for _ in range(500):
            value = make()
            if value and value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError("the demo's pools ran out of unique values")

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def since(self, start: date, end: date) -> str:
        return self.day(start, end).isoformat()

    def amount(self, low: int, high: int) -> str:
        return str(self.rng.randrange(low, high, 500))

    def phone(self, country: str) -> str:
        code, patterns = LOCALES[country].phone
        return self.unique(
            lambda: cleaned_value(
                "Person", "phone", f"+{code}{self.fill(self.rng.choice(patterns))}"
            )
        )

    def iban(self, country: str) -> str:
        pattern = LOCALES[country].iban or ""
        return self.unique(
            lambda: cleaned_value("BankAccount", "iban", iban_of(country, self.fill(pattern)))
        )

    def name(
        self, country: str, *, female: bool, family_of: Node | None = None
    ) -> tuple[str, str, str, list[str]]:
        """(full name, given name, family name, aliases in the native script), unique.

        `family_of`: a sibling whose family name(s) this person shares."""
        locale = LOCALES[country]

        def draw() -> str:
            given = _split(self.rng.choice(locale.female if female else locale.male))
            family = _split(self.rng.choice(locale.family))
            if family_of is not None:
                family = (family_of.first("lastName") or "", family_of.first("lastName") or "")
            elif locale.style == "hispanic":  # father's and mother's family names
                second = _split(self.rng.choice([f for f in locale.family if f != family[0]]))
                family = (f"{family[0]} {second[0]}", f"{family[1]} {second[1]}")
            elif locale.style == "slavic" and female:
                family = (family[0] + "a", family[1] + "а")
            elif locale.style == "vietnamese":
                middle = _split(self.rng.choice(VIETNAMESE_MIDDLE["female" if female else "male"]))
                given = (f"{middle[0]} {given[0]}", f"{middle[1]} {given[1]}")
            return "|".join((*given, *family))

        given, given_native, family, family_native = self.unique(draw).split("|")
        if locale.style == "chinese":  # family name first; no space between characters
            latin, native = f"{family} {given}", f"{family_native}{given_native}"
        elif locale.style == "vietnamese":
            latin, native = f"{family} {given}", f"{family_native} {given_native}"
        else:
            latin, native = f"{given} {family}", f"{given_native} {family_native}"
        return latin, given, family, [native] if native != latin else []


@dataclass(frozen=True)
class Cell:
    """What one agency records about one network, under one envelope."""

    g: Groups
    network: str
    owner: str
    envelope: EnvelopeIn

    def add(self, schema: str, subject: SubjectCategory | None = None, /, **props: Values) -> Node:
        g = self.g
        g.counters[(self.network, schema)] += 1
        key = f"{self.network}-{schema.lower()}-{g.counters[(self.network, schema)]:03d}"
        properties: dict[str, list[str | Node]] = {}
        for prop, value in props.items():
            values = value if isinstance(value, list | tuple) else [value]
            kept = [v if isinstance(v, Node) else str(v) for v in values if v not in (None, "")]
            if kept:
                properties[prop] = kept
        node = Node(self.network, key, schema, self.owner, self.envelope, subject, properties)
        g.nodes.append(node)
        return node

    def address(self, country: str) -> Node:
        """A street address in `country`, not drawn before."""
        g = self.g

        def draw() -> str:
            street, postcode, city = g.rng.choice(LOCALES[country].streets)
            return "|".join((street.format(n=g.rng.randint(2, 240)), postcode, city))

        street, postcode, city = g.unique(draw).split("|")
        return self.place(street, postcode, city, country)

    def place(
        self, street: str, postcode: str, city: str, country: str, name: str | None = None
    ) -> Node:
        full = ", ".join(p for p in (name, street, f"{postcode} {city}".strip()) if p)
        return self.add(
            "Address",
            full=full,
            name=name,
            street=street,
            postalCode=postcode,
            city=city,
            country=country,
        )

    def person(
        self,
        subject: SubjectCategory,
        country: str,
        *,
        nationality: str | None = None,
        female: bool = False,
        sibling: Node | None = None,
        home: bool = False,
        passport: bool = False,
        phones: int = 1,
        born: tuple[int, int] = (1968, 1998),
        position: str | None = None,
        notes: str | None = None,
        topics: str | None = None,
    ) -> Node:
        """Someone living in `country`; name and papers from their nationality."""
        g = self.g
        nationality = nationality or country
        name, given, family, aliases = g.name(nationality, female=female, family_of=sibling)
        birth = g.day(date(born[0], 1, 1), date(born[1], 12, 31))
        numbers = [g.phone(country) for _ in range(phones)]
        if phones > 1 and nationality != country:
            numbers[-1] = g.phone(nationality)
        person = self.add(
            "Person",
            subject,
            name=name,
            alias=aliases,
            firstName=given,
            lastName=family,
            gender="female" if female else "male",
            birthDate=birth.isoformat(),
            nationality=nationality,
            country=country,
            phone=numbers,
            addressEntity=self.address(country) if home else None,
            position=position,
            notes=notes,
            topics=topics,
        )
        if passport:
            issued = g.day(date(2016, 1, 1), date(2023, 12, 31))
            self.add(
                "Passport",
                holder=person,
                number=g.unique(lambda: g.fill(LOCALES[nationality].passport)),
                country=nationality,
                surname=family,
                givenName=given,
                birthDate=birth.isoformat(),
                startDate=issued.isoformat(),
                endDate=(issued.replace(year=issued.year + 10) - timedelta(days=1)).isoformat(),
            )
        return person

    def company(
        self,
        name: str,
        country: str,
        *,
        sector: str,
        legal_form: str | None = None,
        alias: str | None = None,
        founded: tuple[int, int] = (2008, 2021),
        registered_office: bool = True,
    ) -> Node:
        g = self.g
        return self.add(
            "Company",
            name=name,
            alias=alias,
            jurisdiction=country,
            country=country,
            registrationNumber=g.unique(lambda: g.fill(LOCALES[country].company_number)),
            incorporationDate=g.since(date(founded[0], 1, 1), date(founded[1], 12, 31)),
            legalForm=legal_form,
            sector=sector,
            addressEntity=self.address(country) if registered_office else None,
        )

    def account(self, country: str, holder: Node, currency: str = "EUR") -> Node:
        """A bank account, with the Ownership that ties it to its holder."""
        g = self.g
        locale = LOCALES[country]
        opened = g.since(date(2015, 1, 1), date(2023, 12, 31))
        number: dict[str, Values] = (
            {"iban": g.iban(country)}
            if locale.iban
            else {"accountNumber": g.unique(lambda: g.fill(locale.account))}
        )
        account = self.add(
            "BankAccount",
            bankName=locale.bank,
            country=country,
            currency=currency,
            openingDate=opened,
            **number,
        )
        self.add(
            "Ownership",
            owner=holder,
            asset=account,
            ownershipType="Account holder",
            startDate=opened,
        )
        return account

    def car(self, country: str, name: str, kind: str = "Car", keeper: Node | None = None) -> Node:
        g = self.g
        return self.add(
            "Vehicle",
            name=name,
            model=name,
            type=kind,
            registrationNumber=g.unique(lambda: g.fill(LOCALES[country].plate)),
            country=country,
            owner=keeper,
            buildDate=str(g.rng.randint(2012, 2023)),
        )

    def container(self, prefix: str, kind: str) -> Node:
        """A shipping container: a Vehicle whose number carries its ISO 6346 check digit."""
        number = self.g.unique(lambda: iso6346(prefix, self.g.fill("######")))
        return self.add("Vehicle", name=f"Container {number}", registrationNumber=number, type=kind)

    def vessel(
        self,
        name: str,
        *,
        flag: str,
        kind: str,
        mid: str | None,
        tonnage: tuple[int, int],
        built: tuple[int, int] = (1998, 2016),
    ) -> Node:
        """A ship; `mid` is the flag's maritime identification digits (no AIS/IMO: None)."""
        g = self.g
        return self.add(
            "Vessel",
            name=name,
            type=kind,
            flag=flag,
            imoNumber=g.unique(lambda: _imo(g.fill("9#####"))) if mid else None,
            mmsi=g.unique(lambda: g.fill(mid + "######")) if mid else None,
            buildDate=str(g.rng.randint(*built)),
            grossRegisteredTonnage=str(g.rng.randrange(tonnage[0], tonnage[1], 10)),
        )

    def member(self, group: Node, member: Node, role: str, since: int = 2016) -> Node:
        start = self.g.since(date(since, 1, 1), date(2023, 6, 30))
        return self.add("Membership", member=member, organization=group, role=role, startDate=start)

    def call(
        self, caller: Node, receiver: Node, between: tuple[date, date], note: str | None = None
    ) -> Node:
        g = self.g
        at = datetime.combine(g.day(*between), datetime.min.time())
        at += timedelta(minutes=g.rng.randint(6 * 60, 23 * 60))
        return self.add(
            "Call",
            caller=caller,
            receiver=receiver,
            callerNumber=caller.first("phone"),
            receiverNumber=receiver.first("phone"),
            date=at.strftime("%Y-%m-%dT%H:%M"),
            duration=str(g.rng.randint(25, 900)),
            description=note,
        )

    def payment(
        self,
        payer: Node,
        beneficiary: Node,
        amount: tuple[int, int],
        between: tuple[date, date],
        *,
        currency: str = "EUR",
        accounts: tuple[Node | None, Node | None] = (None, None),
        purpose: str | None = None,
        description: str | None = None,
    ) -> Node:
        return self.add(
            "Payment",
            payer=payer,
            beneficiary=beneficiary,
            payerAccount=accounts[0],
            beneficiaryAccount=accounts[1],
            amount=self.g.amount(*amount),
            currency=currency,
            date=self.g.since(*between),
            purpose=purpose,
            description=description,
        )

    def trip(
        self,
        name: str,
        start: Node,
        end: Node,
        when: tuple[date, date],
        vehicle: Node | None = None,
        involved: Sequence[Node] = (),
    ) -> Node:
        return self.add(
            "Trip",
            name=name,
            vehicle=vehicle,
            startLocation=start,
            endLocation=end,
            involved=list(involved),
            startDate=self.g.since(*when),
        )


def cleaned_value(schema: str, prop: str, value: str) -> str:
    """The value as FtM cleans it, or "" when FtM refuses it (so `unique` draws again)."""
    found = model.get(schema)
    definition = found.get(prop) if found else None
    assert definition is not None
    cleaned = definition.type.clean(value, format=definition.format)
    return str(cleaned) if cleaned else ""


def iban_of(country: str, bban: str) -> str:
    """An IBAN with valid check digits, and national ones where FtM checks them too."""
    if country == "BE":  # account number modulo 97
        bban = f"{bban[:10]}{int(bban[:10]) % 97 or 97:02d}"
    elif country == "ES":  # the two "dígitos de control" of the CCC
        bban = f"{bban[:8]}{_es_control('00' + bban[:8])}{_es_control(bban[10:])}{bban[10:]}"
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


_ES_WEIGHTS = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)


def _es_control(ten: str) -> int:
    check = 11 - sum(int(d) * w for d, w in zip(ten, _ES_WEIGHTS, strict=True)) % 11
    return {11: 0, 10: 1}.get(check, check)


def _imo(six: str) -> str:
    check = sum(int(d) * w for d, w in zip(six, range(7, 1, -1), strict=True)) % 10
    return f"IMO {six}{check}"


# ISO 6346 letter values: from A=10 up, skipping multiples of 11.
_ISO6346 = dict(zip(string.ascii_uppercase, [v for v in range(10, 39) if v % 11], strict=True))


def iso6346(owner: str, serial: str) -> str:
    code = owner + "U" + serial
    total = sum((_ISO6346.get(c) or int(c)) * 2**i for i, c in enumerate(code))
    return f"{owner}U {serial} {total % 11 % 10}"


# The cocaine pipeline ----------------------------------------------------------------------
def _cocaine(g: Groups) -> None:
    net = COCAINE
    drugs = ["0601"]
    bribery = ["0601", "07031"]
    story = (date(2023, 2, 1), date(2025, 4, 30))

    co_law = (
        "Ley 906 de 2004 (Código de Procedimiento Penal), arts. 235 y 244; "
        "Ley 30 de 1986 (Estatuto Nacional de Estupefacientes), art. 376"
    )
    co = g.cell(
        net,
        "CO-DIJIN",
        co_law,
        handling=H1,
        purposes=(CI, CA),
        shares=("EC-PN", "EUROPOL", "US-DEA", "@NL", "ES-UDYCO:hit", "IT-DIA:hit"),
        offences=drugs,
    )
    co_red = g.cell(
        net,
        "CO-DIJIN",
        co_law,
        tlp=Tlp.red,
        evaluation="A2",
        shares=("EUROPOL", "US-DEA", "ES-UDYCO:hit"),
        offences=drugs,
    )
    co_source = g.cell(
        net, "CO-DIJIN", co_law, handling=H3, tlp=Tlp.red, note=SOURCE_PROTECTION, offences=drugs
    )
    co_assessed = g.cell(
        net,
        "CO-DIJIN",
        co_law,
        nature=Nature.assessment,
        evaluation="C3",
        purposes=(CI, CA),
        shares=("EUROPOL", "EC-PN"),
        offences=drugs,
    )
    co_public = g.cell(
        net,
        "CO-DIJIN",
        "Código de Comercio, art. 26 (registro mercantil); Ley 906 de 2004, art. 244",
        handling=H0,
        tlp=Tlp.clear,
        evaluation="A1",
        purposes=(CI, AR),
        shares=("*",),
        offences=drugs,
    )
    ec_law = "Código Orgánico Integral Penal (COIP), arts. 220, 280, 370 y 476"
    ec = g.cell(
        net,
        "EC-PN",
        ec_law,
        shares=("CO-DIJIN", "EUROPOL", "IT-DIA", "@ES:hit", "@BE:hit"),
        offences=bribery,
    )
    ec_public = g.cell(
        net,
        "EC-PN",
        "Ley de Compañías, art. 18; COIP, art. 220",
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        purposes=(CI, AR),
        shares=("*:hit", "CO-DIJIN", "NL-NP"),
        offences=drugs,
    )
    senae = g.cell(
        net,
        "EC-SENAE",
        "Código Orgánico de la Producción, Comercio e Inversiones (COPCI), art. 211",
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        purposes=(CI, BM),
        shares=("*:hit", "BE-CUSTOMS", "NL-DOUANE", "EC-PN"),
        offences=drugs,
    )
    ng_law = "National Drug Law Enforcement Agency Act (Cap. N30 LFN 2004), ss. 3, 11 and 14"
    ng = g.cell(
        net,
        "NG-NDLEA",
        ng_law,
        tlp=Tlp.amber_strict,
        evaluation="B3",
        shares=("NCB-GH", "EUROPOL:hit", "US-DEA:hit"),
        offences=drugs,
    )
    ng_assessed = g.cell(
        net,
        "NG-NDLEA",
        ng_law,
        tlp=Tlp.amber_strict,
        nature=Nature.assessment,
        evaluation="X4",
        offences=drugs,
    )
    nl_law = "Wetboek van Strafvordering art. 126; Wet politiegegevens art. 10"
    nl = g.cell(
        net,
        "NL-NP",
        nl_law,
        handling=H1,
        evaluation="A2",
        purposes=(CI, CA),
        shares=("@NL", "EUROPOL", "@BE", "ES-UDYCO", "CO-DIJIN:hit", "IT-DIA:hit"),
        offences=bribery,
    )
    nl_taps = g.cell(
        net,
        "NL-NP",
        "Wetboek van Strafvordering art. 126m (opnemen van telecommunicatie)",
        handling=H1,
        tlp=Tlp.amber_strict,
        shares=("EUROPOL:hit", "@NL:hit"),
        offences=drugs,
    )
    nl_assessed = g.cell(
        net,
        "NL-NP",
        nl_law,
        nature=Nature.assessment,
        evaluation="C3",
        purposes=(CI, CA),
        shares=("EUROPOL",),
        offences=drugs,
    )
    nl_public = g.cell(
        net,
        "NL-NP",
        "Handelsregisterwet 2007, art. 22; Wet politiegegevens art. 10",
        handling=H0,
        tlp=Tlp.clear,
        evaluation="A1",
        purposes=(CI, AR),
        shares=("*",),
        offences=drugs,
    )
    fiu = g.cell(
        net,
        "NL-FIU",
        "Wet ter voorkoming van witwassen en financieren van terrorisme (Wwft), art. 13",
        purposes=(FI, CI, AR),
        shares=("NL-NP", "EUROPOL", "@BE:hit"),
        offences=drugs,
    )
    douane = g.cell(
        net,
        "NL-DOUANE",
        "Algemene douanewet, art. 1:33",
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        purposes=(CI, BM),
        shares=("*:hit", "@NL", "EUROPOL", "EC-SENAE"),
        offences=drugs,
    )
    be_customs = g.cell(
        net,
        "BE-CUSTOMS",
        "Algemene wet inzake douane en accijnzen (AWDA), art. 320",
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        purposes=(CI, BM),
        shares=("*:hit", "NL-NP", "EUROPOL", "EC-SENAE"),
        offences=drugs,
    )
    es_law = (
        "Ley Orgánica 7/2021, art. 13; Ley de Enjuiciamiento Criminal, art. 588 bis a; "
        "Código Penal, arts. 368 y 369 bis"
    )
    es = g.cell(
        net,
        "ES-UDYCO",
        es_law,
        purposes=(CI, CA),
        shares=("EUROPOL", "NL-NP", "CO-DIJIN", "IT-DIA:hit", "@NL:hit"),
        offences=drugs,
    )
    es_red = g.cell(
        net,
        "ES-UDYCO",
        es_law,
        tlp=Tlp.red,
        evaluation="A2",
        shares=("CO-DIJIN", "NL-NP", "IT-DIA", "EUROPOL"),
        offences=drugs,
    )
    it = g.cell(
        net,
        "IT-DIA",
        "D.P.R. 309/1990, art. 74; D.Lgs. 51/2018, art. 5; Codice di procedura penale, art. 266",
        tlp=Tlp.amber_strict,
        shares=("EUROPOL", "ES-UDYCO:hit"),
        offences=bribery,
    )
    it_assets = g.cell(
        net,
        "IT-DIA",
        "D.Lgs. 159/2011 (Codice antimafia), art. 19; D.P.R. 309/1990, art. 74",
        handling=H1,
        evaluation="A1",
        purposes=(CI, AR),
        shares=("EUROPOL", "IT-UIF", "@NL:hit"),
        offences=drugs,
    )

    group = co.add(
        "Organization",
        name="Mar Abierto",
        alias=["Red Mar Abierto", "La Ruta del Banano"],
        country=["co", "ec", "ng", "gh", "nl", "be", "es", "it"],
        topics="crime.traffick.drug",
        description="Cocaine network active since 2019: cocaine from Colombian laboratories "
        "travels in banana containers from Guayaquil to Rotterdam and Antwerp, or by mother "
        "ship to the Gulf of Guinea and on to Spain and Italy.",
    )

    # Colombia: the leadership and the suppliers
    leader = co_red.person(
        SUSPECT,
        "CO",
        home=True,
        passport=True,
        phones=2,
        born=(1966, 1978),
        position="Leader",
        topics="crime.boss",
        notes="Sets prices and volumes with the European buyers through brokers; has not "
        "travelled abroad since 2021.",
    )
    brother = co_assessed.person(
        CONTACT,
        "CO",
        sibling=leader,
        born=(1970, 1982),
        notes="Brother of the leader; believed to hold assets in his name.",
    )
    supplier = co.person(
        SUSPECT,
        "CO",
        home=True,
        position="Supplier",
        notes="Controls cocaine laboratories in Nariño.",
    )
    logistics = co.person(
        SUSPECT,
        "CO",
        home=True,
        position="Logistics",
        notes="Organises transport to the Ecuadorian border and the loading of mother ships "
        "off the Pacific coast.",
    )
    financier = co.person(
        CONVICTED,
        "CO",
        home=True,
        female=True,
        position="Finance",
        notes="Convicted in 2016 of laundering drug proceeds (Juzgado 3 Penal del Circuito "
        "Especializado de Medellín); handling the network's cash again since 2022.",
    )
    informant = co_source.person(
        INFORMANT,
        "CO",
        notes="Registered human source close to the logistics cell.",
    )
    co_front = co_public.company(
        f"Agroexportadora {g.pick('Los Andes; Cordillera; Tumaco; Pacífico Sur')} S.A.S.",
        "CO",
        sector="Fruit export",
        legal_form="Sociedad por Acciones Simplificada",
    )
    co_account = co.account("CO", financier, currency="COP")
    co.car("CO", "Toyota Land Cruiser Prado", keeper=leader)

    # Ecuador: the export side, and the Albanian broker in Guayaquil
    exporter = ec.person(
        SUSPECT,
        "EC",
        home=True,
        passport=True,
        position="Exporter",
        notes="Legal representative of the banana exporter whose reefer containers carry "
        "the loads.",
    )
    port_insider = ec.person(
        SUSPECT,
        "EC",
        position="Port insider",
        notes="Crane supervisor at the Guayaquil container terminal; paid per container.",
    )
    al_broker = ec.person(
        SUSPECT,
        "EC",
        home=True,
        nationality="AL",
        passport=True,
        phones=2,
        position="Broker",
        notes="Albanian national living in Guayaquil; buys for European distributors and "
        "checks the loads before shipment. Links the Ecuadorian and Italian cells.",
    )
    banana = ec_public.company(
        f"Exportadora Bananera {g.pick('El Oro; Costa Verde; Río Jubones; Pasaje')} S.A.",
        "EC",
        sector="Banana export",
        legal_form="Sociedad Anónima",
    )
    ec_account = ec.account("EC", banana, currency="USD")
    start = g.since(date(2019, 1, 1), date(2021, 6, 30))
    ec.add("Ownership", owner=exporter, asset=banana, percentage="60", startDate=start)
    ec.add(
        "Directorship",
        director=exporter,
        organization=banana,
        role="Gerente general",
        startDate=start,
    )
    guayaquil = senae.place(
        "Av. de la Marina", "090101", "Guayaquil", "EC", "Terminal de contenedores de Guayaquil"
    )
    reefers = [senae.container("MRK", "40ft reefer container") for _ in range(2)]

    # West Africa: the transit hub
    ng_boss = ng.person(
        SUSPECT,
        "NG",
        home=True,
        passport=True,
        phones=2,
        position="Transit coordinator",
        notes="Receives loads transferred at sea in the Gulf of Guinea and arranges their "
        "onward shipment to Spain.",
    )
    gh_organiser = ng.person(SUSPECT, "GH", home=True, position="Transit organiser (Tema)")
    ng_contact = ng_assessed.person(
        CONTACT, "NG", female=True, notes="Frequent contact of the coordinator."
    )
    marine = ng.company(
        f"{g.pick('Bight; Lagoon; Atlantic')} Marine Services Ltd",
        "NG",
        sector="Offshore supply",
        legal_form="Private Limited Company",
        registered_office=False,
    )
    tema = ng.company(
        f"Tema {g.pick('Gateway; Harbour; Coastal')} Logistics Ltd",
        "GH",
        sector="Freight forwarding",
        registered_office=False,
    )
    ng.add(
        "Ownership",
        owner=ng_boss,
        asset=marine,
        percentage="100",
        startDate=g.since(date(2018, 1, 1), date(2021, 12, 31)),
    )
    ng.add(
        "Directorship",
        director=gh_organiser,
        organization=tema,
        role="Managing director",
        startDate=g.since(date(2019, 1, 1), date(2022, 12, 31)),
    )
    supply_ship = ng.vessel(
        f"{g.pick('Ocean; Bonny; Gulf')} {g.pick('Grace; Pride; Star')}",
        flag="TG",
        kind="Offshore supply vessel",
        mid="671",
        tonnage=(600, 2400),
    )
    ng.add("Ownership", owner=marine, asset=supply_ship, percentage="100")
    ng_account = ng.account("NG", marine, currency="USD")
    apapa = ng.place("Wharf Road", "102272", "Lagos", "NG", "Apapa Port Complex")

    # The Netherlands and Belgium: import and distribution
    nl_boss = nl.person(
        SUSPECT,
        "NL",
        home=True,
        passport=True,
        phones=2,
        position="Distributor",
        topics="crime.boss",
        notes="Buys per container from the brokers; uses encrypted phones.",
    )
    nl_insider = nl.person(
        SUSPECT,
        "NL",
        home=True,
        position="Port insider",
        notes="Planner at a Maasvlakte terminal; moves targeted containers to where the "
        "extractors can reach them.",
    )
    extractor = nl.person(
        CONVICTED,
        "NL",
        born=(1995, 2003),
        position="Extractor",
        notes="Convicted in 2022 of entering the port area to extract cocaine "
        "(Rechtbank Rotterdam).",
    )
    launderer = nl.person(SUSPECT, "NL", home=True, female=True, position="Finance")
    partner = nl_assessed.person(
        CONTACT,
        "NL",
        female=True,
        notes="Partner of the distributor; registered keeper of his car.",
    )
    be_distributor = nl.person(SUSPECT, "BE", home=True, position="Distributor (Antwerp)")
    fruit = nl_public.company(
        f"{g.pick('Verskern; Zuidvrucht; Tropenhaven; Maasfruit')} Import B.V.",
        "NL",
        sector="Fruit import",
        legal_form="Besloten vennootschap",
    )
    start = g.since(date(2020, 1, 1), date(2022, 6, 30))
    nl.add(
        "Directorship", director=launderer, organization=fruit, role="Bestuurder", startDate=start
    )
    nl.add("Ownership", owner=launderer, asset=fruit, percentage="100", startDate=start)
    audi = nl.car("NL", "Audi RS6 Avant", keeper=partner)
    sprinter = nl.car("NL", "Mercedes-Benz Sprinter", kind="Van")
    feeder = nl_public.vessel(
        f"{g.pick('Nordic; Atlantic; Pacific')} {g.pick('Harmony; Horizon; Fortune')}",
        flag="LR",
        kind="Container ship",
        mid="636",
        built=(2005, 2016),
        tonnage=(30000, 90000),
    )
    maasvlakte = nl_public.place(
        "Europaweg 875", "3199 LD", "Rotterdam", "NL", "ECT Delta Terminal, Maasvlakte"
    )
    fruit_account = fiu.account("NL", fruit)
    dubai_account = fiu.account("AE", launderer, currency="AED")
    antwerp = be_customs.place(
        "Kaai 1333", "2040", "Antwerpen", "BE", "MPET Deurganckdok, Port of Antwerp-Bruges"
    )
    be_customs.add(
        "Event",
        name=f"Seizure of {g.rng.randint(11, 48) * 100} kg of cocaine in banana containers",
        date=g.since(date(2024, 1, 15), date(2024, 6, 30)),
        country="be",
        addressEntity=antwerp,
        involved=[fruit],
        summary=f"Scanner alert on reefer container {reefers[0].first('registrationNumber')} "
        "from Guayaquil; sports bags behind the banana pallets at the door end.",
    )
    douane.add(
        "Event",
        name=f"Seizure of {g.rng.randint(4, 19) * 100} kg of cocaine, Maasvlakte",
        date=g.since(date(2024, 7, 1), date(2024, 12, 15)),
        country="nl",
        addressEntity=maasvlakte,
        involved=[feeder],
        summary=f"Rip-on/rip-off load in the ceiling of reefer container "
        f"{reefers[1].first('registrationNumber')} after extractors were seen on the terminal.",
    )

    # Spain and Italy: the southern route
    broker = es_red.person(
        SUSPECT,
        "ES",
        home=True,
        nationality="CO",
        passport=True,
        phones=2,
        born=(1970, 1985),
        position="Broker",
        topics="crime.traffick.drug",
        notes="Colombian national living in Marbella; speaks for the Colombian leadership "
        "to the Dutch and Italian buyers. Links the cells.",
    )
    es_receiver = es.person(SUSPECT, "ES", position="Reception (Campo de Gibraltar)")
    es_launderer = es.person(SUSPECT, "ES", position="Finance (real estate)")
    es_driver = es.person(
        CONVICTED,
        "ES",
        notes="Convicted in 2019 of running hashish by speedboat (Audiencia Provincial de Cádiz).",
    )
    costa = es.company(
        f"Inversiones {g.pick('Costa del Sol; Puerto Banús; Guadalmina')} S.L.",
        "ES",
        sector="Real estate",
        legal_form="Sociedad Limitada",
    )
    es.add(
        "Directorship",
        director=es_launderer,
        organization=costa,
        role="Administrador único",
        startDate=g.since(date(2018, 1, 1), date(2021, 12, 31)),
    )
    es.add(
        "Ownership",
        owner=broker,
        asset=costa,
        percentage="50",
        startDate=g.since(date(2021, 1, 1), date(2022, 12, 31)),
    )
    costa_account = es.account("ES", costa)
    rhib = es.vessel(
        "Unnamed rigid inflatable boat (4 × 350 hp)",
        flag="ES",
        kind="Rigid inflatable boat",
        mid=None,
        built=(2021, 2024),
        tonnage=(10, 20),
    )
    algeciras = es.place(
        "Muelle Juan Carlos I", "11207", "Algeciras", "ES", "Puerto Bahía de Algeciras"
    )
    barbate = es.place("Avenida del Mar", "11160", "Barbate", "ES", "Playa del Carmen")
    it_buyer = it.person(
        SUSPECT, "IT", home=True, passport=True, phones=2, position="Buyer", topics="crime.boss"
    )
    it_insider = it.person(SUSPECT, "IT", position="Port insider (Gioia Tauro)")
    it_financier = it_assets.person(SUSPECT, "IT", position="Finance")
    it_wife = it.person(
        CONTACT,
        "IT",
        female=True,
        notes="Wife of the buyer; nominal owner of the family's companies.",
    )
    ortofrutta = it_assets.company(
        f"{g.pick('Agrumi; Ortofrutta')} {g.pick('dello Stretto; Tirrenica; Calabra')} S.r.l.",
        "IT",
        sector="Fruit wholesale",
        legal_form="Società a responsabilità limitata",
    )
    start = g.since(date(2017, 1, 1), date(2021, 12, 31))
    it_assets.add(
        "Directorship",
        director=it_financier,
        organization=ortofrutta,
        role="Amministratore unico",
        startDate=start,
    )
    it_assets.add("Ownership", owner=it_wife, asset=ortofrutta, percentage="100", startDate=start)
    ortofrutta_account = it_assets.account("IT", ortofrutta)
    gioia = it.place("Contrada Lamia", "89013", "Gioia Tauro", "IT", "Porto di Gioia Tauro")

    # Who belongs to the group, as each member's owner recorded it
    for cell, member, role in (
        (co_red, leader, "Leader"),
        (co, supplier, "Supplier"),
        (co, logistics, "Logistics"),
        (ec, exporter, "Exporter"),
        (ec, al_broker, "Broker"),
        (ng, ng_boss, "Transit coordinator"),
        (ng, gh_organiser, "Transit organiser"),
        (nl, nl_boss, "Distributor"),
        (es_red, broker, "Broker"),
        (it, it_buyer, "Buyer"),
    ):
        cell.member(group, member, role, since=2019)

    # Links between people
    co_assessed.add("Family", person=leader, relative=brother, relationship="Brother")
    it.add("Family", person=it_buyer, relative=it_wife, relationship="Wife")
    nl_assessed.add("Family", person=nl_boss, relative=partner, relationship="Partner")
    for associate, relationship in (
        (leader, "Speaks for him to the European buyers"),
        (nl_boss, "Negotiates container loads"),
        (it_buyer, "Negotiates loads for the southern route"),
    ):
        es_red.add(
            "Associate",
            person=broker,
            associate=associate,
            relationship=relationship,
            startDate=g.since(date(2021, 1, 1), date(2023, 12, 31)),
        )
    ec.add("Associate", person=al_broker, associate=it_buyer, relationship="Buys for him")
    ng.add("Associate", person=ng_boss, associate=logistics, relationship="Transfers at sea")
    nl.add("Associate", person=nl_boss, associate=be_distributor, relationship="Supplies him")
    co_assessed.add(
        "UnknownLink", subject=supplier, object=banana, role="Suspected source of the loads"
    )
    co.add("UnknownLink", subject=co_front, object=logistics, role="Company trucks used")
    nl_assessed.add(
        "UnknownLink", subject=extractor, object=sprinter, role="Seen in the van at the terminal"
    )
    nl_assessed.add(
        "Ownership", owner=nl_boss, asset=audi, ownershipType="Beneficial owner (assessed)"
    )
    ng_assessed.add("UnknownLink", subject=ng_contact, object=ng_boss, role="Possible cash courier")

    # Intercepted calls, held by the intercepting agency
    co_red.call(leader, broker, story, "Price per kilo agreed for the next two loads")
    co.call(logistics, ng_boss, story)
    es_red.call(broker, nl_boss, story)
    nl_taps.call(nl_boss, nl_insider, story, "Container number passed on")
    ng.call(ng_boss, gh_organiser, story)
    it.call(it_buyer, al_broker, story)
    ec.call(port_insider, exporter, story)

    # Money, as the FIU and the investigators saw it
    for _ in range(2):
        fiu.payment(
            fruit,
            banana,
            (38000, 96000),
            story,
            currency="USD",
            accounts=(fruit_account, ec_account),
            purpose=f"Invoice {g.fill('FE-####')}: bananas, 20 × 40ft reefer",
        )
    fiu.payment(
        fruit,
        launderer,
        (150000, 480000),
        story,
        accounts=(fruit_account, dubai_account),
        purpose="Consultancy fees",
        description="Round sums to the director's own account in Dubai, each just under the "
        "bank's review threshold.",
    )
    es.payment(
        costa,
        financier,
        (90000, 240000),
        story,
        accounts=(costa_account, co_account),
        purpose="Préstamo entre particulares",
    )
    it_assets.payment(
        ortofrutta,
        costa,
        (120000, 360000),
        story,
        accounts=(ortofrutta_account, costa_account),
        purpose="Acconto fornitura agrumi",
    )
    nl.payment(nl_boss, nl_insider, (25000, 75000), story, description="Cash per container")
    ec.payment(
        exporter, port_insider, (5000, 20000), story, currency="USD", description="Per container"
    )
    ng.payment(
        marine,
        tema,
        (20000, 80000),
        story,
        currency="USD",
        accounts=(ng_account, None),
        purpose="Vessel agency fees, Tema",
    )

    # Movements
    nl_public.trip(
        f"{feeder.first('name')}: Guayaquil → Rotterdam",
        guayaquil,
        maasvlakte,
        (date(2024, 5, 1), date(2024, 5, 31)),
        vehicle=feeder,
    )
    senae.trip(
        f"{reefers[0].first('registrationNumber')}: Guayaquil → Antwerp",
        guayaquil,
        antwerp,
        (date(2023, 12, 1), date(2023, 12, 20)),
        vehicle=reefers[0],
    )
    ng.trip(
        f"{supply_ship.first('name')}: Lagos → transfer at sea → Lagos",
        apapa,
        apapa,
        (date(2023, 9, 1), date(2023, 9, 30)),
        vehicle=supply_ship,
        involved=[ng_boss],
    )
    es.trip(
        "Night run: Algeciras → Barbate",
        algeciras,
        barbate,
        (date(2024, 2, 1), date(2024, 3, 31)),
        vehicle=rhib,
        involved=[es_driver, es_receiver],
    )
    it.trip(
        "Transhipment: Algeciras → Gioia Tauro",
        algeciras,
        gioia,
        (date(2024, 8, 1), date(2024, 9, 30)),
        involved=[it_insider],
    )

    g.organizations[net] = group.record_id
    g.brokers += [broker.record_id, al_broker.record_id]
    g.informants.append(informant.record_id)


# The human-trafficking ring ---------------------------------------------------------------
def _trafficking(g: Groups) -> None:
    net = TRAFFICKING
    sexual = ["02041"]
    labour = ["02042"]
    story = (date(2022, 9, 1), date(2025, 3, 31))

    ro_law = (
        "Legea nr. 508/2004 privind DIICOT; Codul de procedură penală, art. 138; "
        "Codul penal, art. 210"
    )
    ro = g.cell(
        net,
        "RO-DIICOT",
        ro_law,
        handling=H1,
        purposes=(CI, CA),
        shares=("EUROPOL", "DE-BKA", "NCB-FR", "BG-GDBOP:hit", "@IT:hit"),
        offences=sexual,
    )
    ro_wanted = g.cell(
        net,
        "RO-DIICOT",
        ro_law,
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        shares=("*:hit", "EUROPOL", "DE-BKA"),
        offences=["0204"],
    )
    ro_victims = g.cell(
        net,
        "RO-DIICOT",
        ro_law,
        handling=H3,
        tlp=Tlp.amber_strict,
        evaluation="A2",
        note=VICTIM_PROTECTION,
        shares=("EUROPOL", "DE-BKA"),
        offences=sexual,
    )
    bg_law = (
        "Закон за Министерството на вътрешните работи (ЗМВР), чл. 25; Наказателен кодекс, чл. 159а"
    )
    bg = g.cell(
        net,
        "BG-GDBOP",
        bg_law,
        evaluation="B3",
        shares=("EUROPOL", "RO-DIICOT", "DE-BKA:hit", "@ES:hit"),
        offences=["02041", "02042"],
    )
    bg_red = g.cell(net, "BG-GDBOP", bg_law, tlp=Tlp.red, shares=("EUROPOL",), offences=labour)
    al = g.cell(
        net,
        "AL-SPAK",
        "Kodi i Procedurës Penale, neni 221; Ligji nr. 95/2016 (SPAK)",
        tlp=Tlp.amber_strict,
        nature=Nature.assessment,
        evaluation="C3",
        shares=("IT-DIA:hit", "EUROPOL:hit"),
        offences=["02041", "02042"],
    )
    de_law = "StPO § 483; BKAG § 16; StGB § 232a"
    de = g.cell(
        net,
        "DE-BKA",
        de_law,
        handling=H1,
        evaluation="A2",
        purposes=(CI, CA),
        shares=("EUROPOL", "RO-DIICOT", "BG-GDBOP", "@FR:hit"),
        offences=sexual,
    )
    de_victims = g.cell(
        net,
        "DE-BKA",
        de_law,
        handling=H3,
        tlp=Tlp.red,
        evaluation="A1",
        note=VICTIM_PROTECTION,
        shares=("RO-DIICOT",),
        offences=sexual,
    )
    de_source = g.cell(
        net,
        "DE-BKA",
        "StPO § 483; RiStBV Anlage D (Vertrauenspersonen)",
        handling=H3,
        tlp=Tlp.red,
        note="Source protection (VP): do not disclose outside the owner agency; not for use "
        "in proceedings.",
        offences=sexual,
    )
    de_public = g.cell(
        net,
        "DE-BKA",
        "Handelsregisterverordnung § 9; BKAG § 16",
        handling=H0,
        tlp=Tlp.clear,
        evaluation="A1",
        purposes=(CI, AR),
        shares=("*",),
        offences=sexual,
    )
    fr_law = "Code de procédure pénale, art. 230-6 (TAJ); Code pénal, art. 225-4-1"
    fr = g.cell(
        net,
        "NCB-FR",
        fr_law,
        shares=("EUROPOL", "DE-BKA", "RO-DIICOT:hit", "@ES:hit"),
        offences=["02041", "0302"],
    )
    fr_victims = g.cell(
        net, "NCB-FR", fr_law, tlp=Tlp.amber_strict, shares=("RO-DIICOT",), offences=sexual
    )
    it = g.cell(
        net,
        "IT-DIA",
        "Codice penale, artt. 600 e 601; Codice di procedura penale, art. 266",
        shares=("EUROPOL", "AL-SPAK:hit", "RO-DIICOT:hit"),
        offences=labour,
    )
    es = g.cell(
        net,
        "ES-UDYCO",
        "Código Penal, art. 177 bis; Ley de Enjuiciamiento Criminal, art. 588 bis a",
        handling=H1,
        purposes=(CI, CA),
        shares=("EUROPOL", "RO-DIICOT", "BG-GDBOP"),
        offences=labour,
    )

    group = ro.add(
        "Organization",
        name="Clanul Vulpea",
        alias=["Vulpea network", "Лисицата"],
        country=["ro", "bg", "al", "de", "fr", "it", "es"],
        topics="crime.traffick.human",
        description="Since 2018 recruits young women in Romania and Bulgaria with the "
        "'loverboy' method and false job offers for sexual exploitation in Germany and "
        "France; with Albanian and Bulgarian partners, supplies forced labour to farms in "
        "Italy and Spain.",
    )

    # Romania: leadership and recruiters
    ro_leader = ro.person(
        SUSPECT,
        "RO",
        home=True,
        passport=True,
        phones=2,
        born=(1975, 1986),
        position="Leader",
        topics="crime.boss",
    )
    recruiters = [
        cell.person(
            SUSPECT,
            "RO",
            home=cell is ro,
            born=(1990, 2001),
            position="Recruiter",
            notes="Befriends young women online and promises work or marriage abroad.",
        )
        for cell in (ro, ro_wanted)
    ]
    ro_victims_list = [
        ro_victims.person(
            VICTIM,
            "RO",
            female=True,
            born=(1999, 2006),
            passport=True,
            notes="Promised work in a restaurant; passport taken on arrival.",
        )
        for _ in range(2)
    ]
    ro.person(WITNESS, "RO", female=True, notes="Former victim; described the recruitment.")
    agency = ro.company(
        f"Euro {g.pick('Job; Work; Career')} Consult S.R.L.",
        "RO",
        sector="Recruitment agency",
        legal_form="Societate cu răspundere limitată",
        registered_office=False,
    )
    ro.add(
        "Directorship",
        director=recruiters[0],
        organization=agency,
        role="Administrator",
        startDate=g.since(date(2019, 1, 1), date(2021, 12, 31)),
    )
    ro_account = ro.account("RO", ro_leader)
    minibus = ro.car("RO", "Ford Transit (9 seats)", kind="Minibus", keeper=agency)

    # Bulgaria and Albania
    bg_recruiter = bg.person(SUSPECT, "BG", home=True, position="Recruiter (farm labour)")
    bg_driver = bg.person(SUSPECT, "BG", position="Driver")
    bg_victims = [
        bg.person(
            VICTIM,
            "BG",
            passport=True,
            born=(1985, 2003),
            notes="Recruited to pick strawberries; wages withheld against 'debts'.",
        )
        for _ in range(2)
    ]
    bg_red.person(
        WITNESS, "BG", female=True, notes="Relative of a victim; reported her disappearance."
    )
    bg_account = bg.account("BG", bg_recruiter, currency="BGN")
    al_enforcer = al.person(SUSPECT, "AL", position="Enforcer")
    al_supervisor = al.person(SUSPECT, "AL", position="Supervises workers in Italy")

    # Germany: the exploitation side
    de_operator = de.person(SUSPECT, "DE", home=True, position="Brothel operator")
    de_enforcer = de.person(SUSPECT, "DE", nationality="RO", position="Enforcer")
    de_victim = de_victims.person(
        VICTIM,
        "DE",
        nationality="RO",
        female=True,
        born=(2000, 2005),
        notes="Found during an inspection; in a protection programme.",
    )
    de.person(WITNESS, "DE", female=True, notes="Neighbour of the premises.")
    source = de_source.person(INFORMANT, "DE", notes="Vertrauensperson in the Berlin milieu.")
    wellness = de_public.company(
        f"{g.pick('Wellness Oase; Relax Lounge; Spa Paradies')} GmbH",
        "DE",
        sector="Massage parlour",
        legal_form="Gesellschaft mit beschränkter Haftung",
    )
    de.add(
        "Directorship",
        director=de_operator,
        organization=wellness,
        role="Geschäftsführer",
        startDate=g.since(date(2017, 1, 1), date(2021, 12, 31)),
    )
    wellness_account = de.account("DE", wellness)

    # France, Italy and Spain
    fr_manager = fr.person(SUSPECT, "FR", home=True, position="Manages the apartments")
    fr_victim = fr_victims.person(VICTIM, "FR", nationality="RO", female=True, born=(1998, 2004))
    gangmaster = it.person(SUSPECT, "IT", home=True, position="Caporale (gangmaster)")
    it_victim = it.person(
        VICTIM,
        "IT",
        nationality="AL",
        notes="Worked 14-hour days in the tomato fields near Foggia for €3 an hour.",
    )
    farm = it.company(
        f"Azienda Agricola {g.pick('Tavoliere; Sole di Puglia; Daunia')} S.r.l.",
        "IT",
        sector="Agriculture",
        registered_office=False,
    )
    es_farmer = es.person(SUSPECT, "ES", position="Farm owner")
    es_contractor = es.person(SUSPECT, "ES", home=True, position="Labour contractor")
    es_victims = [
        es.person(
            VICTIM,
            "ES",
            nationality="BG",
            notes="Housed in a shed with twenty others; papers kept by the contractor.",
        )
        for _ in range(2)
    ]
    agricola = es.company(
        f"Agrícola {g.pick('Doñana; Fresas del Condado; Río Tinto')} S.L.",
        "ES",
        sector="Soft fruit",
        registered_office=False,
    )
    es.add(
        "Ownership",
        owner=es_farmer,
        asset=agricola,
        percentage="100",
        startDate=g.since(date(2012, 1, 1), date(2019, 12, 31)),
    )
    agricola_account = es.account("ES", agricola)

    for cell, member, role in (
        (ro, ro_leader, "Leader"),
        (ro, recruiters[0], "Recruiter"),
        (bg, bg_recruiter, "Recruiter"),
        (al, al_enforcer, "Enforcer"),
        (de, de_operator, "Exploitation, Germany"),
        (fr, fr_manager, "Exploitation, France"),
        (it, gangmaster, "Gangmaster, Italy"),
        (es, es_contractor, "Labour contractor, Spain"),
    ):
        cell.member(group, member, role, since=2018)

    ro.add("Family", person=ro_leader, relative=recruiters[0], relationship="Nephew")
    de.add("Family", person=de_enforcer, relative=ro_leader, relationship="Cousin")
    ro.add("Associate", person=ro_leader, associate=bg_recruiter, relationship="Shares recruits")
    bg.add("Associate", person=bg_recruiter, associate=es_contractor, relationship="Supplies him")
    al.add("Associate", person=al_supervisor, associate=gangmaster, relationship="Places workers")
    fr.add("Associate", person=fr_manager, associate=de_operator, relationship="Rotates women")
    for victim in ro_victims_list:
        ro_victims.add("UnknownLink", subject=victim, object=recruiters[0], role="Recruited by")
    de_victims.add("UnknownLink", subject=de_victim, object=de_operator, role="Exploited by")
    fr_victims.add("UnknownLink", subject=fr_victim, object=fr_manager, role="Exploited by")
    for victim in es_victims:
        es.add(
            "Employment",
            employer=agricola,
            employee=victim,
            role="Seasonal picker (undeclared)",
            startDate=g.since(date(2024, 2, 1), date(2024, 3, 15)),
        )
    it.add(
        "Employment",
        employer=farm,
        employee=it_victim,
        role="Day labourer (undeclared)",
        startDate=g.since(date(2023, 7, 1), date(2023, 8, 15)),
    )

    ro.call(ro_leader, de_operator, story)
    de.call(de_enforcer, fr_manager, story)
    bg.call(bg_recruiter, bg_driver, story)
    de.payment(
        wellness,
        ro_leader,
        (4000, 15000),
        story,
        accounts=(wellness_account, ro_account),
        purpose="Beratungsleistungen",
        description="Monthly transfers matching the victims' takings.",
    )
    es.payment(
        agricola,
        bg_recruiter,
        (8000, 30000),
        story,
        accounts=(agricola_account, bg_account),
        purpose="Servicios de intermediación laboral",
    )
    ro.payment(
        fr_manager,
        ro_leader,
        (1500, 6000),
        story,
        accounts=(None, ro_account),
        description="Cash through a money-transfer agency, Paris → Galați",
    )
    ro.trip(
        "Minibus: Galați → Berlin",
        recruiters[0].ref("addressEntity"),
        de_operator.ref("addressEntity"),
        (date(2023, 3, 1), date(2023, 4, 30)),
        vehicle=minibus,
        involved=[recruiters[0], *ro_victims_list],
    )
    bg.trip(
        "Workers' bus: Plovdiv → Moguer",
        bg_recruiter.ref("addressEntity"),
        es_contractor.ref("addressEntity"),
        (date(2024, 1, 15), date(2024, 2, 10)),
        involved=[bg_driver, *bg_victims],
    )

    g.organizations[net] = group.record_id
    g.informants.append(source.record_id)


# The wildlife syndicate --------------------------------------------------------------------
def _wildlife(g: Groups) -> None:
    net = WILDLIFE
    species = ["1003"]
    story = (date(2022, 6, 1), date(2025, 5, 31))

    ke_law = (
        "National Police Service Act 2011, s. 24; "
        "Wildlife Conservation and Management Act 2013, s. 92"
    )
    ke = g.cell(
        net,
        "KE-DCI",
        ke_law,
        purposes=(CI, CA),
        shares=("TZ-NTSCIU", "KE-KRA", "VN-C04:hit", "MY-PDRM:hit", "@CN:hit"),
        offences=species,
    )
    ke_wanted = g.cell(
        net,
        "KE-DCI",
        ke_law,
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        shares=("*:hit", "TZ-NTSCIU", "VN-C04"),
        offences=species,
    )
    ke_assessed = g.cell(
        net,
        "KE-DCI",
        ke_law,
        nature=Nature.assessment,
        evaluation="X4",
        shares=("KE-KRA",),
        offences=species,
    )
    kra = g.cell(
        net,
        "KE-KRA",
        "East African Community Customs Management Act 2004, ss. 200 and 210",
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        purposes=(CI, BM),
        shares=("*:hit", "KE-DCI", "VN-GDC"),
        offences=["1003", "0701"],
    )
    tz = g.cell(
        net,
        "TZ-NTSCIU",
        "Wildlife Conservation Act 2009 (Cap. 283), s. 86; "
        "Economic and Organised Crime Control Act (Cap. 200)",
        tlp=Tlp.amber_strict,
        evaluation="B3",
        shares=("KE-DCI", "MZ-SERNIC:hit"),
        offences=species,
    )
    mz = g.cell(
        net,
        "MZ-SERNIC",
        "Lei n.º 16/2014 (Lei da Conservação), alterada pela Lei n.º 5/2017, art. 60",
        nature=Nature.assessment,
        evaluation="C3",
        shares=("TZ-NTSCIU", "KE-DCI:hit"),
        offences=species,
    )
    vn_law = "Bộ luật Hình sự 2015, Điều 244; Bộ luật Tố tụng hình sự 2015, Điều 88"
    vn = g.cell(
        net,
        "VN-C04",
        vn_law,
        shares=("VN-GDC", "MY-PDRM", "CN-MPS:hit", "KE-DCI:hit"),
        offences=species,
    )
    vn_red = g.cell(
        net,
        "VN-C04",
        vn_law,
        tlp=Tlp.red,
        shares=("MY-PDRM", "CN-MPS"),
        offences=["1003", "07031"],
    )
    gdc = g.cell(
        net,
        "VN-GDC",
        "Luật Hải quan 2014, Điều 88",
        handling=H0,
        tlp=Tlp.green,
        evaluation="A1",
        purposes=(CI, BM),
        shares=("*:hit", "KE-KRA", "VN-C04"),
        offences=species,
    )
    my = g.cell(
        net,
        "MY-PDRM",
        "Wildlife Conservation Act 2010 (Act 716), s. 68; "
        "Criminal Procedure Code (Act 593), s. 112",
        purposes=(CI, CA),
        shares=("VN-C04", "@TH:hit", "KE-DCI:hit"),
        offences=species,
    )
    cn = g.cell(
        net,
        "CN-MPS",
        "中华人民共和国刑事诉讼法 第一百一十五条 (Criminal Procedure Law, art. 115)",
        tlp=Tlp.amber_strict,
        nature=Nature.assessment,
        evaluation="C3",
        shares=("VN-C04:hit",),
        offences=species,
    )
    th = g.cell(
        net,
        "NCB-TH",
        "Wild Animal Conservation and Protection Act B.E. 2562 (2019), s. 17",
        handling=H1,
        evaluation="B3",
        shares=("MY-PDRM", "VN-C04:hit"),
        offences=species,
    )

    group = ke.add(
        "Organization",
        name="Shirika la Pembe",
        alias=["Mombasa–Hải Phòng syndicate"],
        country=["ke", "tz", "mz", "vn", "cn", "my", "th"],
        topics="crime.env",
        description="Since 2016 buys ivory and pangolin scales from poaching networks in "
        "Tanzania and northern Mozambique and ships them from Mombasa, declared as timber or "
        "cashew nuts, via Port Klang to Hải Phòng for buyers in Viet Nam and China.",
    )

    kingpin = ke.person(
        SUSPECT,
        "KE",
        home=True,
        passport=True,
        phones=2,
        born=(1962, 1975),
        position="Leader",
        topics="crime.boss",
    )
    forwarder = ke_wanted.person(
        SUSPECT, "KE", home=True, passport=True, position="Freight forwarder"
    )
    clearing = ke.person(SUSPECT, "KE", position="Clearing agent, Kilindini")
    ranger = ke.person(
        SUSPECT,
        "KE",
        position="Wildlife ranger (suspended)",
        notes="Suspected of passing patrol schedules to poachers.",
    )
    godown_owner = ke_assessed.person(
        CONTACT,
        "KE",
        female=True,
        notes="Owns the godown where loads were repacked; knowledge not established.",
    )
    tally_clerk = ke.person(WITNESS, "KE", notes="Port tally clerk.")
    exporter = ke.company(
        f"{g.pick('Jumbo; Coastline; Tana River')} {g.pick('Timber; Cashew')} Exporters Ltd",
        "KE",
        sector="Commodity export",
    )
    start = g.since(date(2015, 1, 1), date(2019, 12, 31))
    ke.add(
        "Directorship", director=forwarder, organization=exporter, role="Director", startDate=start
    )
    ke.add("Ownership", owner=kingpin, asset=exporter, percentage="70", startDate=start)
    ke_account = ke.account("KE", exporter, currency="USD")
    kilindini = kra.place("Kilindini Road", "80100", "Mombasa", "KE", "Kilindini Harbour")
    boxes = [kra.container("TGH", "20ft dry container") for _ in range(2)]

    tz_boss = tz.person(SUSPECT, "TZ", home=True, position="Poaching coordinator")
    tz_transporter = tz.person(SUSPECT, "TZ", position="Transporter")
    poacher = tz.person(
        CONVICTED,
        "TZ",
        notes="Convicted in 2019 of unlawful possession of government trophies.",
    )
    tz_wife = tz.person(CONTACT, "TZ", female=True)
    seafood = tz.company(
        f"{g.pick('Kilwa; Mafia; Rufiji')} Sea Products Ltd",
        "TZ",
        sector="Seafood export",
        registered_office=False,
    )
    tz.add("Ownership", owner=tz_wife, asset=seafood, percentage="100")
    tz.add("Family", person=tz_boss, relative=tz_wife, relationship="Wife")
    truck = tz.car("TZ", "Mitsubishi Fuso Fighter", kind="Truck", keeper=seafood)
    collector = mz.person(SUSPECT, "MZ", position="Buys pangolin scales from hunters")
    runner = mz.person(SUSPECT, "MZ", position="Border runner (Ruvuma)")

    vn_boss = vn_red.person(
        SUSPECT,
        "VN",
        home=True,
        passport=True,
        phones=2,
        born=(1968, 1980),
        position="Buyer",
        topics="crime.boss",
    )
    vn_importer = vn.person(SUSPECT, "VN", female=True, position="Importer")
    vn_logistics = vn.person(SUSPECT, "VN", position="Logistics")
    vn_company = vn.company(
        f"Công ty TNHH Thương mại {g.pick('Hải Phát; Đại Dương; Thành Long')}",
        "VN",
        sector="Timber import",
        legal_form="Công ty trách nhiệm hữu hạn",
    )
    vn.add(
        "Directorship",
        director=vn_importer,
        organization=vn_company,
        role="Giám đốc",
        startDate=g.since(date(2016, 1, 1), date(2020, 12, 31)),
    )
    vn_account = vn.account("VN", vn_company, currency="USD")
    cn_trader = cn.person(SUSPECT, "CN", position="Cross-border trader")
    my_fixer = my.person(SUSPECT, "MY", home=True, position="Transhipment facilitator")
    my_agent = my.person(SUSPECT, "MY", position="Shipping agent")
    my_company = my.company(
        f"{g.pick('Lucky Dragon; Golden Straits; Harbour Link')} Trading Sdn. Bhd.",
        "MY",
        sector="Shipping agency",
        registered_office=False,
    )
    my.add("Directorship", director=my_agent, organization=my_company, role="Director")
    th_courier = th.person(SUSPECT, "TH", position="Air cargo facilitator, Suvarnabhumi")
    feeder = my.vessel(
        f"{g.pick('Kota; Straits; Asian')} {g.pick('Bintang; Pearl; Mariner')}",
        flag="MY",
        kind="Container feeder",
        mid="533",
        tonnage=(8000, 25000),
    )
    port_klang = my.place("Jalan Pelabuhan Utara", "42000", "Port Klang", "MY", "Westports")
    hai_phong = gdc.place("Tân Vũ", "180000", "Hải Phòng", "VN", "Cảng Tân Vũ")

    # Seizures, recorded by the customs or police that made them
    kra.add(
        "Event",
        name=f"Seizure of {g.rng.randint(18, 46) * 100} kg of ivory declared as sawn timber",
        date=g.since(date(2023, 2, 1), date(2023, 5, 31)),
        country="ke",
        addressEntity=kilindini,
        involved=[exporter],
        summary=f"Tusks cut into blocks inside hollowed logs, container "
        f"{boxes[0].first('registrationNumber')}.",
    )
    gdc.add(
        "Event",
        name=f"Seizure of {g.rng.randint(30, 90) * 100} kg of pangolin scales, Tân Vũ port",
        date=g.since(date(2024, 3, 1), date(2024, 6, 30)),
        country="vn",
        addressEntity=hai_phong,
        involved=[vn_company],
        summary=f"Declared as cashew nuts; scales in sacks under the declared cargo, container "
        f"{boxes[1].first('registrationNumber')}.",
    )
    my.add(
        "Event",
        name="Seizure of rhino horn and worked ivory in transhipment, Port Klang",
        date=g.since(date(2024, 8, 1), date(2024, 11, 30)),
        country="my",
        addressEntity=port_klang,
        involved=[my_company, my_fixer],
    )
    th.add(
        "Event",
        name="Seizure of ivory bangles in air cargo, Suvarnabhumi",
        date=g.since(date(2025, 1, 1), date(2025, 4, 30)),
        country="th",
        involved=[th_courier],
    )

    for cell, member, role in (
        (ke, kingpin, "Leader"),
        (ke_wanted, forwarder, "Freight forwarding"),
        (tz, tz_boss, "Supply, Tanzania"),
        (mz, collector, "Supply, Mozambique"),
        (vn_red, vn_boss, "Buyer"),
        (my, my_fixer, "Transhipment"),
    ):
        cell.member(group, member, role)

    ke.add("Associate", person=kingpin, associate=tz_boss, relationship="Buys raw ivory")
    ke.add("Associate", person=clearing, associate=forwarder, relationship="Clears his boxes")
    vn_red.add(
        "Associate",
        person=vn_boss,
        associate=kingpin,
        relationship="Met in Mombasa and Hà Nội; agrees prices per kilo",
    )
    vn.add("Associate", person=vn_logistics, associate=cn_trader, relationship="Móng Cái route")
    tz.add("Associate", person=tz_transporter, associate=runner, relationship="Collects loads")
    ke_assessed.add("UnknownLink", subject=godown_owner, object=forwarder, role="Rents the godown")
    ke.add("UnknownLink", subject=ranger, object=poacher, role="Calls before a 2019 poaching")
    ke.add("UnknownLink", subject=tally_clerk, object=boxes[0], role="Tallied the container")

    ke.call(kingpin, vn_boss, story)
    ke.call(forwarder, my_agent, story)
    vn.payment(
        vn_company,
        exporter,
        (45000, 160000),
        story,
        currency="USD",
        accounts=(vn_account, ke_account),
        purpose=f"Invoice {g.fill('JTE/####/##')}: sawn timber",
    )
    ke.payment(
        exporter,
        tz_boss,
        (8000, 30000),
        story,
        currency="USD",
        description="Mobile money and cash; 'transport costs' for raw ivory",
    )
    my.payment(
        vn_company,
        my_company,
        (6000, 22000),
        story,
        currency="USD",
        accounts=(vn_account, None),
        purpose="Transhipment handling",
    )
    kra.trip(
        f"{boxes[1].first('registrationNumber')}: Mombasa → Port Klang → Hải Phòng",
        kilindini,
        hai_phong,
        (date(2024, 1, 10), date(2024, 2, 20)),
        vehicle=boxes[1],
    )
    my.trip(
        f"{feeder.first('name')}: Port Klang → Hải Phòng",
        port_klang,
        hai_phong,
        (date(2024, 2, 21), date(2024, 2, 28)),
        vehicle=feeder,
    )
    tz.trip(
        "Truck: Mtwara → Mombasa",
        tz_boss.ref("addressEntity"),
        kilindini,
        (date(2022, 10, 1), date(2022, 12, 31)),
        vehicle=truck,
        involved=[tz_transporter],
    )

    g.organizations[net] = group.record_id


# Importing ---------------------------------------------------------------------------------
Batch = tuple[str, str, SubjectCategory | None]  # owner, envelope (JSON), subject category


def _batches(nodes: Sequence[Node]) -> dict[Batch, list[Node]]:
    """Nodes by owner, envelope and subject category: `import_ftm` takes one envelope a call.

    Things have no subject category, so they join the owner's persons under the same
    envelope: one call fewer.
    """
    texts: dict[int, str] = {}
    subjects: dict[tuple[str, str], list[SubjectCategory]] = defaultdict(list)
    for node in nodes:
        text = texts.setdefault(id(node.policy), node.policy.model_dump_json())
        if node.subject and node.subject not in subjects[(node.owner, text)]:
            subjects[(node.owner, text)].append(node.subject)
    batches: dict[Batch, list[Node]] = defaultdict(list)
    for node in nodes:
        base = (node.owner, texts[id(node.policy)])
        subject = node.subject or (subjects[base][0] if subjects[base] else None)
        batches[(*base, subject)].append(node)
    return batches


def _import(world: DemoWorld, principal: Principal, nodes: Sequence[Node], now: datetime) -> None:
    """Import batch by batch, each once what it points at exists.

    A batch goes in whole when it can; only when none can (they point at one another) does
    the first one import the part that is ready, the rest later.
    """
    pending = _batches(nodes)
    envelopes = {n.policy.model_dump_json(): n.policy for n in nodes}
    done: set[Node] = set()

    def ready(batch: list[Node]) -> set[Node]:
        found = set(batch)
        while blocked := {
            n for n in found if any(t not in done and t not in found for t in n.targets())
        }:
            found -= blocked
        return found

    def load(key: Batch, part: set[Node]) -> None:
        owner, text, subject = key
        import_ftm(
            world.session,
            principal=principal,
            settings=world.settings,
            lines=_constant([n.line(part) for n in pending[key] if n in part]),
            envelope=envelopes[text].model_copy(update={"subject_category": subject}),
            owner_code=owner,
            origin=ORIGIN,
            now=now,
        )
        done.update(part)
        pending[key] = [n for n in pending[key] if n not in part]
        if not pending[key]:
            del pending[key]

    while pending:
        whole = False
        for key in list(pending):
            part = ready(pending[key])
            if len(part) == len(pending[key]):
                load(key, part)
                whole = True
        if whole:
            continue
        for key in pending:
            if part := ready(pending[key]):
                load(key, part)
                break
        else:
            raise RuntimeError("the demo's groups refer to one another in a cycle")


def _constant(lines: list[str]) -> Callable[[], list[str]]:
    return lambda: lines


def populate(world: DemoWorld) -> None:
    g = Groups(world.rng)
    _cocaine(g)
    _trafficking(g)
    _wildlife(g)
    _import(world, world.operator, g.nodes, utcnow())
    groups: dict[str, list[str]] = defaultdict(list)
    for node in g.nodes:
        groups[node.network].append(node.record_id)
    world.facts["groups"] = dict(groups)
    world.facts["group_organizations"] = g.organizations
    world.facts["broker"] = g.brokers[0]  # links the Colombian, Dutch and Italian cells
    world.facts["brokers"] = g.brokers
    world.facts["informants"] = g.informants
