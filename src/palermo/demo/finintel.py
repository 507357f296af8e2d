"""Demo chapter: banks in several countries report on the groups' money, and the FIUs find
the rest of it in the banks' bulk returns.

The story, in the order it is played (times count back from the day the world is built):

1. Each FIU's administrator registers its country's bank as a reporting entity under its
   goAML id: FIU-Nederland ← Hanze Handelsbank, Tracfin ← Banque Rhodanienne, the UAE FIU ←
   Gulf Meridian Bank, Nigeria's NFIU ← Lagoon Trust Bank, Colombia's UIAF ← Banco Andino del
   Pacífico, South Africa's FIC ← Cape Meridian Bank, FinCEN ← Hudson Harbor Bank.
2. The banks file what their monitoring caught, about five months ago:
   - Hanze (CSV, the format its core system exports): three round sums just under its own
     review limit from the cocaine network's fruit importer to its director's account in
     Dubai, "consultancy fees". FIU-Nederland declares the report suspicious and says so.
   - Gulf Meridian (goAML STR): the same director pays cash into that Dubai account five
     times in six days, each deposit just under the UAE's AED 55,000 reporting threshold,
     then wires almost all of it to the network's financier in Colombia. The UAE FIU asks
     for the source of funds; the bank answers.
   - Banco Andino (goAML STR): the financier's side of that wire, and where it went on — to
     the network's fruit-export front and out in cash. Its first file writes the amounts
     with decimal commas, as its Spanish-language system prints them; the UIAF refuses it
     at `/report/transaction[1]/amount_local` and nothing is stored; the corrected file is
     accepted.
   - Lagoon Trust (goAML STR): trade-based layering — the transit coordinator's marine
     services company is paid from Dubai for supply-vessel charters that never sailed and
     passes almost every dollar on within a day to the Tema freight forwarder.
   - Banque Rhodanienne (JSON SAR): the trafficking ring's apartment manager in Paris pays
     in cash at many branches and sends monthly "family support" to the ring's leader in
     Galați, who is no relative of his.
3. FIU-Nederland and the UAE FIU then import the banks' bulk returns for the three months
   since (CSV, each bank's own column names, a few thousand ordinary payments; an import job
   each, done on their jobs pages) in which the
   rest of the laundering hides, on the accounts the reports named: the distributor's
   partner structuring cash into her account and on to the importer; the importer paying
   seven young money mules who forward it to Dubai at once; a cycle Rotterdam → Dubai →
   the director's holding → her private account → back to the importer; in Dubai the
   director structuring again, a "foodstuff trading" company passing the network's money
   straight through to Nigeria and Colombia, and the wildlife syndicate's buyer in Viet Nam
   paying the Kenyan exporter through two Dubai trading companies (a chain through high-risk
   countries). A homeowners' association collecting its yearly contributions looks like
   a fan-in, and is not.
4. The FIUs' analysts run monitoring (DuckDB), so the queues hold alerts. FIU-Nederland's
   analyst takes the cycle into review, dismisses the homeowners' association with the
   reason, escalates the partner's structuring to a case and disseminates the money-mule
   alert to the national police as an H2 message; the rest stay new. The UAE FIU's analyst
   reviews the wildlife chain; Nigeria's finds the pass-through in its reports alone.

Everything drawn comes from a generator of the chapter's own, seeded by the world's seed; the
people, companies and accounts of the groups are read from the records the groups chapter
made, so reports, bulk returns and records name the same accounts (IBANs with valid check
digits).

Log in as (password of the demo):
``nl-fiu.analyst``, ``ae-fiu.analyst``, ``ng-nfiu.analyst`` (alert queues, reports, traces),
``ae-fiu.supervisor`` (thresholds), ``nl-fiu.admin`` (reporting entities), ``co-uiaf.analyst``,
``fr-tracfin.analyst``; the banks' ``nl-hanze.compliance``, ``ae-gmb.compliance``,
``ng-ltb.compliance``, ``co-bap.compliance``, ``fr-brho.compliance``; ``nl-np.officer`` reads
the disseminated alert.
"""

from __future__ import annotations

import csv
import html
import json
import random
import string
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from palermo.demo.builder import DemoWorld
from palermo.demo.groups import LOCALES, cleaned_value, iban_of
from palermo.exchange.keys import Keyring
from palermo.finintel import reporting, service, triage
from palermo.finintel.currencies import Rates, load_rates
from palermo.finintel.engine import Backend
from palermo.finintel.filing import ReportRejected
from palermo.imports import service as imports
from palermo.models.base import utcnow
from palermo.models.finintel import MonitoringAlert
from palermo.models.records import Statement
from palermo.policy.records import AccessContext

# Reporting entities: FIU ← bank, goAML rentity id.
REGISTRATIONS = (
    ("NL-FIU", "NL-HANZE", "2741"),
    ("FR-TRACFIN", "FR-BRHO", "5170"),
    ("AE-FIU", "AE-GMB", "1187"),
    ("NG-NFIU", "NG-LTB", "3306"),
    ("CO-UIAF", "CO-BAP", "7724"),
    ("ZA-FIC", "ZA-CAPE", "4415"),
    ("US-FINCEN", "US-HUDSON", "9902"),
)
RENTITY = {bank: rentity for _, bank, rentity in REGISTRATIONS}
BANK_NAMES = {
    "CO-BAP": "Banco Andino del Pacífico S.A.",
    "NG-LTB": "Lagoon Trust Bank Plc",
    "FR-BRHO": "Banque Rhodanienne",
}
# Fictional BICs: of the demo's banks, and of the banks of the groups' accounts (by the agency
# that recorded the account).
BICS = {
    "NL-HANZE": "HNZBNL2R",
    "AE-GMB": "GMBPAEAD",
    "NG-LTB": "LTBKNGLA",
    "CO-BAP": "BAPACOBB",
    "FR-BRHO": "BRHOFRPP",
    "RO-DIICOT": "BCRPROBU",
    "ES-UDYCO": "BMDSESMM",
    "IT-DIA": "BPSTITRC",
    "KE-DCI": "CEQBKENA",
    "VN-C04": "HCBKVNVX",
    "GH": "VCBLGHAC",
}
FRENCH_BRANCHES = "Paris 10e; Paris 18e; Saint-Denis; Marseille; Lyon; Lille"
RECEIVED_AFTER = timedelta(minutes=7)  # the portal acknowledges at once
ANALYSIS = "Monitoring of the bank's return: typologies of the cocaine and wildlife networks"
# What the story needs the monitoring to find, per FIU: the typologies injected.
INJECTED = {
    "NL-FIU": ("structuring", "fan_out", "scatter_gather", "cycle"),
    "AE-FIU": ("structuring", "rapid_pass_through", "cross_border"),
    "NG-NFIU": ("rapid_pass_through",),
}


# The cast: people, companies and accounts as the banks know them -----------------------------
@dataclass(frozen=True)
class Party:
    """A bank's client or counterparty: a person or a company."""

    name: str
    country: str
    person: bool = True
    first: str = ""
    last: str = ""
    female: bool = False
    birth: str = ""  # YYYY-MM-DD
    nationality: str = ""
    phone: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    document: str = ""  # passport or company registration number
    document_issued: str = ""
    incorporated: str = ""
    business: str = "WTEMV"  # goAML legal form (activity) code
    occupation: str = ""
    director: Party | None = None


@dataclass(frozen=True)
class Account:
    """An account as the bulk returns key it: its IBAN, else its domestic number."""

    number: str
    country: str
    bank: str
    bic: str
    currency: str
    holder: Party
    opened: str = "2019-01-01"

    @property
    def iban(self) -> str | None:
        return self.number if self.number[:2].isalpha() and self.number[2:4].isdigit() else None


BACKGROUND = Party("", "")  # a bank's ordinary client: only the account appears in a return


@dataclass
class Cast:
    """The groups' people and accounts the banks deal with, and those only the banks know."""

    director: Party  # the cocaine network's finance, director of the fruit importer
    director_ae: Account  # her AED account at Gulf Meridian, Dubai
    director_nl: Account  # her private account at Hanze
    importer: Account  # the fruit importer's account at Hanze
    holding: Account  # her personal holding company's account at Hanze
    partner: Account  # the distributor's partner, Hanze
    mules: list[Account]
    financier: Account  # the financier's COP account at Banco Andino
    export_front: Account  # the fruit-export front's account at Banco Andino
    marine: Account  # the transit coordinator's company at Lagoon Trust (USD)
    forwarder: Account  # the Tema freight forwarder at Volta Commercial Bank (USD)
    vessel: str  # the marine company's supply vessel
    real_estate: Account  # the broker's real-estate company in Marbella
    wholesaler: Account  # the Italian buyers' fruit wholesaler
    foodstuff: Account  # a Dubai "foodstuff trading" company passing the money through
    manager: Account  # the trafficking ring's apartment manager at Banque Rhodanienne
    ring_leader: Account  # the ring's leader in Galați
    wildlife_buyer: Account  # the wildlife buyers' import company in Hai Phong (USD)
    wildlife_exporter: Account  # the Kenyan timber exporter shipping the ivory (USD)
    trader: Account  # Dubai trading companies the wildlife money passes through
    timber_trader: Account
    homeowners: Account  # a homeowners' association: a fan-in that is not laundering

    def accounts(self) -> dict[str, Any]:
        """Each role's account number (the mules': a list), as the stores key them."""
        found: dict[str, Any] = {}
        for role, value in vars(self).items():
            if isinstance(value, Account):
                found[role] = value.number
            elif isinstance(value, list):
                found[role] = [account.number for account in value]
        return found


class Draw:
    """The chapter's own random stream: its data depend on the seed alone."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}/finintel")
        self.used: set[str] = set()

    def digits(self, pattern: str) -> str:
        return "".join(str(self.rng.randrange(10)) if c == "#" else c for c in pattern)

    def fill(self, pattern: str) -> str:
        """# a digit, @ a capital letter, * either (the groups' patterns)."""
        alphabet = {"#": string.digits, "@": string.ascii_uppercase}
        alphabet["*"] = string.digits + string.ascii_uppercase
        return "".join(self.rng.choice(alphabet[c]) if c in alphabet else c for c in pattern)

    def iban(self, country: str, bban_pattern: str) -> str:
        """A new IBAN whose check digits (and FtM's view of it) are valid."""
        for _ in range(200):
            bban = self.digits(bban_pattern)
            value = cleaned_value("BankAccount", "iban", iban_of(country, bban))
            if value and value not in self.used:
                self.used.add(value)
                return value
        raise RuntimeError("no valid IBAN drawn")

    def name(self, country: str, *, female: bool) -> tuple[str, str]:
        locale = LOCALES[country]
        for _ in range(200):
            first = self.rng.choice(locale.female if female else locale.male).split("|")[0]
            last = self.rng.choice(locale.family).split("|")[0]
            if f"{first} {last}" not in self.used:
                self.used.add(f"{first} {last}")
                return first, last
        raise RuntimeError("the name pools ran out")

    def pick(self, choices: str) -> str:
        return self.rng.choice([c.strip() for c in choices.split(";")])

    def amount(self, low: float, high: float, step: float = 1) -> float:
        return round(self.rng.randrange(round(low / step), round(high / step)) * step, 2)


def _records(world: DemoWorld, network: str) -> dict[str, dict[str, list[str]]]:
    """Every property of the network's records, as the groups chapter imported them."""
    rows = world.session.execute(
        select(Statement.record_id, Statement.prop, Statement.value)
        .where(Statement.record_id.like(f"%.{network}-%"), Statement.removed_version.is_(None))
        .order_by(Statement.record_id, Statement.id)
    ).all()
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for record_id, prop, value in rows:
        found[record_id][prop].append(value)
    return found


class Known:
    """The records of one network, and lookups by what the story knows of them."""

    def __init__(self, world: DemoWorld, network: str) -> None:
        self.records = _records(world, network)
        self.network = network

    def find(self, owner: str, schema: str, **props: str) -> str:
        prefix = f"{owner.lower()}.{self.network}-{schema.lower()}-"
        for record_id, values in self.records.items():
            if record_id.startswith(prefix) and all(
                (values.get(p) or [""])[0].startswith(v) for p, v in props.items()
            ):
                return record_id
        raise LookupError(f"no {schema} of {owner} with {props} in the {self.network} records")

    def value(self, record_id: str, prop: str) -> str:
        return (self.records.get(record_id, {}).get(prop) or [""])[0]

    def account_of(self, owner: str, country: str | None = None) -> str:
        """The first bank account `owner` recorded for the network (in `country`)."""
        prefix = f"{owner.lower()}.{self.network}-bankaccount-"
        return next(
            record_id
            for record_id in self.records
            if record_id.startswith(prefix)
            and (country is None or self.value(record_id, "country") == country)
        )

    def holder(self, account_id: str) -> str:
        for values in self.records.values():
            if values.get("asset") == [account_id] and values.get("owner"):
                return values["owner"][0]
        raise LookupError(f"no holder of {account_id}")

    def party(self, record_id: str, draw: Draw, **extra: Any) -> Party:
        """A person or company as its bank's KYC file shows it (a person's passport, drawn
        in the pattern of their country's, is the bank's own knowledge)."""
        one = partial(self.value, record_id)
        address = partial(self.value, one("addressEntity"))
        country = (one("country") or one("jurisdiction")).upper()
        fields: dict[str, Any] = {
            "name": one("name"),
            "country": country,
            "street": address("street"),
            "postcode": address("postalCode"),
            "city": address("city"),
        }
        if record_id.split("-")[-2] == "person":
            nationality = one("nationality").upper() or country
            issued = date(2017, 1, 1) + timedelta(days=draw.rng.randrange(7 * 365))
            fields |= {
                "first": one("firstName"),
                "last": one("lastName"),
                "female": one("gender") == "female",
                "birth": one("birthDate"),
                "nationality": nationality,
                "phone": one("phone"),
                "document": draw.fill(LOCALES[nationality].passport),
                "document_issued": issued.isoformat(),
            }
        else:
            fields |= {
                "person": False,
                "document": one("registrationNumber"),
                "incorporated": one("incorporationDate") or "2015-01-01",
            }
        return Party(**(fields | extra))

    def account(
        self, record_id: str, holder: Party, *, bank: str, bic: str, currency: str | None = None
    ) -> Account:
        return Account(
            number=self.value(record_id, "iban") or self.value(record_id, "accountNumber"),
            country=self.value(record_id, "country").upper(),
            bank=bank,
            bic=bic,
            currency=currency or self.value(record_id, "currency") or "EUR",
            holder=holder,
            opened=self.value(record_id, "openingDate") or "2019-01-01",
        )


def _rib(digits: str) -> str:
    """A French BBAN: bank, branch and account number with their RIB key."""
    bank, branch, number = int(digits[:5]), int(digits[5:10]), int(digits[10:])
    return f"{digits}{97 - (89 * bank + 15 * branch + 3 * number) % 97:02d}"


def _cast(world: DemoWorld, draw: Draw) -> Cast:
    cocaine = Known(world, "cocaine")
    trafficking = Known(world, "trafficking")
    wildlife = Known(world, "wildlife")
    hanze, gmb, andino = "Hanze Handelsbank N.V.", "Gulf Meridian Bank PJSC", BANK_NAMES["CO-BAP"]

    # The Dutch cell's finance: the importer's director, her accounts in Rotterdam and Dubai.
    director = cocaine.party(
        cocaine.find("NL-NP", "Person", position="Finance"), draw, occupation="Company director"
    )
    importer = cocaine.party(
        cocaine.find("NL-NP", "Company", sector="Fruit import"), draw, director=director
    )
    director_ae = cocaine.account(
        cocaine.account_of("NL-FIU", country="ae"), director, bank=gmb, bic=BICS["AE-GMB"]
    )
    gmb_code = director_ae.number[4:7]  # the bank code of Gulf Meridian's IBANs

    def hanze_account(holder: Party, opened: str) -> Account:
        number = draw.iban("NL", "HNZB##########")
        return Account(number, "NL", hanze, BICS["NL-HANZE"], "EUR", holder, opened)

    def gmb_account(holder: Party, opened: str) -> Account:
        number = draw.iban("AE", gmb_code + "#" * 16)
        return Account(number, "AE", gmb, BICS["AE-GMB"], "USD", holder, opened)

    holding = Party(
        f"{director.last} Beheer B.V.",
        "NL",
        person=False,
        document=draw.digits("########"),
        incorporated="2020-09-01",
        business="AHOMC",
        street=director.street,
        postcode=director.postcode,
        city=director.city,
        director=director,
    )
    partner = cocaine.party(
        cocaine.find("NL-NP", "Person", notes="Partner of the distributor"), draw
    )
    mules = []
    for index in range(7):
        first, last = draw.name("NL", female=index % 3 == 1)
        born = date(2003, 1, 1) + timedelta(days=draw.rng.randrange(4 * 365))
        mule = Party(
            f"{first} {last}",
            "NL",
            first=first,
            last=last,
            birth=born.isoformat(),
            city="Rotterdam",
        )
        mules.append(hanze_account(mule, f"202{draw.rng.randint(2, 5)}-0{index + 1}-02"))

    # Colombia: the financier, and the fruit-export front at the same bank.
    financier = cocaine.party(
        cocaine.find("CO-DIJIN", "Person", position="Finance"), draw, occupation="Comerciante"
    )
    front = cocaine.party(
        cocaine.find("CO-DIJIN", "Company", sector="Fruit export"), draw, director=financier
    )
    # West Africa: the transit coordinator's marine company, the Tema forwarder.
    coordinator = cocaine.party(
        cocaine.find("NG-NDLEA", "Person", position="Transit coordinator"), draw
    )
    marine = cocaine.party(
        cocaine.find("NG-NDLEA", "Company", sector="Offshore supply"),
        draw,
        business="WTRTR",
        director=coordinator,
        street="Wharf Road, Apapa",
        postcode="102272",
        city="Lagos",
    )
    organiser = cocaine.party(
        cocaine.find("NG-NDLEA", "Person", position="Transit organiser"), draw
    )
    forwarder = cocaine.party(
        cocaine.find("NG-NDLEA", "Company", sector="Freight forwarding"),
        draw,
        director=organiser,
        street="Harbour Road, Community 1",
        city="Tema",
    )
    # A Dubai trader between the buyers' companies (Marbella, Calabria) and the suppliers.
    foodstuff = Party(
        f"{draw.pick('Palm Crest; Oasis Star; Blue Dhow; Al Sahil')} Foodstuff Trading FZE",
        "AE",
        person=False,
        document=f"JAFZA-{draw.digits('######')}",
        incorporated="2023-01-17",
        street="Jebel Ali Free Zone, LOB 16",
        city="Dubai",
    )
    # The trafficking ring's apartment manager in Paris (its leader's account is known).
    manager = trafficking.party(
        trafficking.find("NCB-FR", "Person", position="Manages the apartments"),
        draw,
        occupation="Gérant de locations meublées",
    )
    # Two Dubai traders between the wildlife syndicate's buyer and its exporter.
    traders = [
        Party(
            name,
            "AE",
            person=False,
            document=f"DED-{draw.digits('#######')}",
            incorporated="2022-05-30",
            street="Deira, Al Ras",
            city="Dubai",
        )
        for name in (
            f"{draw.pick('Crescent; Sapphire; Horizon; Seven Seas')} General Trading LLC",
            f"{draw.pick('Teakwood; Evergreen; Savanna; Mahogany')} Timber Trading FZE",
        )
    ]
    homeowners = Party(
        f"VvE {draw.pick('Parkzicht; Maasoever; De Kade; Schiezicht')}", "NL", person=False
    )

    def known(network: Known, owner: str, bank: str, **fields: Any) -> Account:
        record_id = network.account_of(owner)
        holder = network.party(network.holder(record_id), draw, **fields)
        return network.account(record_id, holder, bank=bank, bic=BICS[owner])

    return Cast(
        director=director,
        director_ae=director_ae,
        director_nl=hanze_account(director, "2016-04-11"),
        importer=cocaine.account(
            cocaine.account_of("NL-FIU", country="nl"), importer, bank=hanze, bic=BICS["NL-HANZE"]
        ),
        holding=hanze_account(holding, "2020-09-14"),
        partner=hanze_account(partner, "2012-08-30"),
        mules=mules,
        financier=cocaine.account(
            cocaine.account_of("CO-DIJIN"), financier, bank=andino, bic=BICS["CO-BAP"]
        ),
        export_front=Account(
            draw.digits("###-######-##"), "CO", andino, BICS["CO-BAP"], "COP", front, "2018-03-12"
        ),
        marine=cocaine.account(
            cocaine.account_of("NG-NDLEA"), marine, bank=BANK_NAMES["NG-LTB"], bic=BICS["NG-LTB"]
        ),
        forwarder=Account(
            draw.digits("#############"),
            "GH",
            "Volta Commercial Bank Ltd",
            BICS["GH"],
            "USD",
            forwarder,
            "2019-11-20",
        ),
        vessel=cocaine.value(cocaine.find("NG-NDLEA", "Vessel"), "name"),
        real_estate=known(cocaine, "ES-UDYCO", "Banco Mediterráneo del Sur S.A.", business="REALA"),
        wholesaler=known(cocaine, "IT-DIA", "Banca Popolare dello Stretto S.p.A."),
        foodstuff=gmb_account(foodstuff, "2023-02-06"),
        manager=Account(
            draw.iban("FR", _rib(draw.digits("30188" + "#" * 16))),
            "FR",
            BANK_NAMES["FR-BRHO"],
            BICS["FR-BRHO"],
            "EUR",
            manager,
            "2020-06-08",
        ),
        ring_leader=known(trafficking, "RO-DIICOT", "Banca Carpatică S.A."),
        wildlife_buyer=known(wildlife, "VN-C04", "Ngân hàng TMCP Hải Cảng"),
        wildlife_exporter=known(wildlife, "KE-DCI", "Coast Equity Bank Ltd"),
        trader=gmb_account(traders[0], "2022-06-21"),
        timber_trader=gmb_account(traders[1], "2022-07-04"),
        homeowners=hanze_account(homeowners, "2009-01-05"),
    )


# The story's clock ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Clock:
    """Days before the day the world is built (midnight UTC)."""

    today: datetime

    def ago(self, days: float, hour: int = 0, minute: int = 0) -> datetime:
        return self.today - timedelta(days=days) + timedelta(hours=hour, minutes=minute)


def _ascii(text: str) -> str:
    """Names in this goAML profile are plain ASCII letters: Benítez → Benitez."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c if c.isascii() and (c.isalnum() or c in " .'-") else " " for c in kept)
    return " ".join(plain.split())


def _stamp(moment: datetime) -> str:
    """goAML dates: local time without a zone."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


# goAML -----------------------------------------------------------------------------------------
Xml = tuple[str, "str | Sequence[Xml | None]"]


def _xml(node: Xml, depth: int = 0) -> str:
    tag, content = node
    pad = "  " * depth
    if isinstance(content, str):
        return f"{pad}<{tag}>{html.escape(content, quote=False)}</{tag}>\n"
    inner = "".join(_xml(child, depth + 1) for child in content if child is not None)
    return f"{pad}<{tag}>\n{inner}{pad}</{tag}>\n"


def _phone(party: Party) -> Xml | None:
    if not party.phone:
        return None
    # E.164, as the groups' records hold them: the calling code is one of the locales'.
    digits = party.phone.removeprefix("+")
    codes = {locale.phone[0] for locale in LOCALES.values() if locale.phone[0]}
    code = max((c for c in codes if digits.startswith(c)), key=len, default="")
    return (
        "phones",
        [
            (
                "phone",
                [
                    ("tph_contact_type", "PRIVT" if party.person else "BU"),
                    ("tph_communication_type", "M" if party.person else "L"),
                    ("tph_country_prefix", code) if code else None,
                    ("tph_number", digits.removeprefix(code)),
                ],
            )
        ],
    )


def _address(party: Party, kind: str = "PRIVT") -> Xml:
    return (
        "address",
        [
            ("address_type", kind),
            ("address", party.street or "-"),
            ("city", party.city or "-"),
            ("zip", party.postcode) if party.postcode else None,
            ("country_code", party.country),
            ("state", party.city or "-"),
        ],
    )


def _person(party: Party, *, client: bool) -> list[Xml | None]:
    """A t_person (a client's t_person_my_client carries what the bank's KYC holds)."""
    birth = f"{party.birth}T00:00:00" if party.birth else None
    if not client:
        return [
            ("gender", "F" if party.female else "M") if party.first else None,
            ("first_name", _ascii(party.first or party.name.split()[0])),
            ("last_name", _ascii(party.last or party.name.split()[-1])),
            ("birthdate", birth) if birth else None,
            ("nationality1", party.nationality) if party.nationality else None,
            ("residence", party.country),
        ]
    issued = datetime.fromisoformat(party.document_issued or "2020-01-01")
    return [
        ("gender", "F" if party.female else "M"),
        ("first_name", _ascii(party.first)),
        ("last_name", _ascii(party.last)),
        ("birthdate", birth or "1980-01-01T00:00:00"),
        ("passport_number", party.document),
        ("passport_country", party.nationality),
        ("id_number", party.document),
        ("nationality1", party.nationality),
        ("residence", party.country),
        _phone(party) or ("phones", []),
        ("addresses", [_address(party)]),
        ("occupation", party.occupation) if party.occupation else None,
        (
            "identification",
            [
                ("type", "PASSP"),
                ("number", party.document),
                ("issue_date", _stamp(issued)),
                ("expiry_date", _stamp(issued + timedelta(days=3652))),  # ten years
                ("issue_country", party.nationality),
            ],
        ),
        ("tax_reg_number", "N"),
    ]


def _entity(party: Party, *, client: bool) -> list[Xml | None]:
    if not client:
        return [
            ("name", _ascii(party.name)),
            ("incorporation_number", party.document) if party.document else None,
            ("incorporation_country_code", party.country),
        ]
    director = party.director
    return [
        ("name", _ascii(party.name)),
        ("incorporation_legal_form", party.business),
        ("incorporation_number", party.document or "-"),
        ("business", party.business),
        ("addresses", [_address(party, "BU")]),
        ("incorporation_state", party.city or "-"),
        ("incorporation_country_code", party.country),
        (
            "director_id",
            [*_person(director, client=False), ("role", "DIR")],
        )
        if director
        else None,
        ("incorporation_date", f"{party.incorporated}T00:00:00"),
        ("tax_reg_number", "N"),
    ]


def _account(account: Account, *, client: bool) -> list[Xml | None]:
    holder = account.holder
    signatory = holder if holder.person else holder.director
    fields: list[Xml | None] = [
        ("institution_name", account.bank),
        ("swift", account.bic),
        ("non_bank_institution", "false") if client else None,
        ("branch", "HQ") if client else None,
        ("account", account.number),
        ("currency_code", account.currency),
        ("account_name", _ascii(holder.name)),
        ("iban", account.iban) if account.iban else None,
        ("personal_account_type", "A" if holder.person else "B"),
        ("t_entity", _entity(holder, client=client)) if not holder.person else None,
    ]
    if signatory is not None:
        fields.append(
            (
                "signatory",
                [
                    ("is_primary", "1"),
                    ("t_person", _person(signatory, client=client)),
                    ("role", "PAH" if holder.person else "AGENT"),
                ],
            )
        )
    fields += [
        ("opened", f"{account.opened}T00:00:00") if client else None,
        ("status_code", "A"),
        ("beneficiary", _ascii(holder.name)) if client else None,
    ]
    return fields


@dataclass(frozen=True)
class Side:
    """One side of a goAML transaction: an account, or a person paying or taking cash."""

    account: Account | None = None
    person: Party | None = None
    client: bool = True
    funds: str = "ELCFT"

    def xml(self, direction: str, foreign: tuple[str, float, float] | None = None) -> Xml:
        """`foreign`: (currency, amount, rate) when this side paid in another currency."""
        prefix = "t_from" if direction == "from" else "t_to"
        tag = f"{prefix}_my_client" if self.client else prefix
        if self.account is not None:
            party: Xml = (f"{direction}_account", _account(self.account, client=self.client))
            country = self.account.country
        else:
            assert self.person is not None
            party = (f"{direction}_person", _person(self.person, client=self.client))
            country = self.person.country
        exchanged: Xml | None = None
        if foreign is not None:
            code, amount, rate = foreign
            exchanged = (
                f"{direction}_foreign_currency",
                [
                    ("foreign_currency_code", code),
                    ("foreign_amount", f"{amount:.2f}"),
                    ("foreign_exchange_rate", f"{rate:.4f}"),
                ],
            )
        return (
            tag,
            [
                (f"{direction}_funds_code", self.funds),
                exchanged,
                party,
                (f"{direction}_country", country),
            ],
        )


@dataclass(frozen=True)
class GoamlTransaction:
    number: str
    at: datetime
    amount: str  # as the file writes it
    description: str
    source: Side
    target: Side
    mode: str = "SWIFT"
    location: str = "Head office"
    items: tuple[Xml, ...] = ()
    foreign: tuple[str, float, float] | None = None  # what the payer paid: currency, amount, rate

    def xml(self) -> Xml:
        return (
            "transaction",
            [
                ("transactionnumber", self.number),
                ("transaction_location", self.location),
                ("transaction_description", self.description),
                ("date_transaction", _stamp(self.at)),
                ("transmode_code", self.mode),
                ("transmode_comment", "E"),
                ("amount_local", self.amount),
                self.source.xml("from", self.foreign),
                self.target.xml("to"),
                ("goods_services", list(self.items)) if self.items else None,
            ],
        )


def _goaml(
    world: DemoWorld,
    bank: str,
    *,
    reference: str,
    branch: str,
    submitted: datetime,
    currency: str,
    reason: str,
    action: str,
    transactions: Sequence[GoamlTransaction],
    indicators: Sequence[str],
) -> bytes:
    """A goAML 5.0.2 STR as the bank's goAML web form exports it; its compliance officer
    (the demo user) files it."""
    officer = world.users[f"{bank.lower()}.compliance"].display_name.split(" ", 1)
    country = bank[:2]
    report: Xml = (
        "report",
        [
            ("rentity_id", RENTITY[bank]),
            ("rentity_branch", branch),
            ("submission_code", "E"),
            ("report_code", "STR"),
            ("entity_reference", reference),
            ("submission_date", _stamp(submitted)),
            ("currency_code_local", currency),
            (
                "reporting_person",
                [
                    ("first_name", _ascii(officer[0])),
                    ("last_name", _ascii(officer[-1])),
                    ("nationality1", country),
                    ("residence", country),
                    ("occupation", "Money Laundering Reporting Officer"),
                ],
            ),
            ("reason", reason),
            ("action", action),
            *(t.xml() for t in transactions),
            ("report_indicators", [("indicator", code) for code in indicators]),
        ],
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _xml(report)).encode()


# Filing ----------------------------------------------------------------------------------------
@dataclass
class Filed:
    """What the reports chapter leaves for the rest of the story (and the tests)."""

    references: dict[str, str] = field(default_factory=dict)  # bank → FIU reference
    refused: dict[str, list[str]] = field(default_factory=dict)  # bank → problem paths
    wire: tuple[datetime, float] = (datetime.min, 0.0)  # Gulf Meridian's wire to Colombia (AED)


def _file(world: DemoWorld, bank: str, content: bytes, format: str, submitted: datetime) -> str:
    report = reporting.submit(
        world.session,
        world.principal(f"{bank.lower()}.compliance"),
        world.settings,
        content=content,
        format=format,
        now=submitted + RECEIVED_AFTER,
    )
    return report.fiu_reference


def _register(world: DemoWorld) -> None:
    for fiu, bank, rentity in REGISTRATIONS:
        reporting.register(
            world.session,
            world.principal(f"{fiu.lower()}.admin"),
            partner_code=bank,
            registration=rentity,
            sector="bank",
        )


def _reports(world: DemoWorld, cast: Cast, draw: Draw, clock: Clock, rates: Rates) -> Filed:
    filed = Filed()
    year = clock.ago(120).year
    filed.references["NL-HANZE"] = _hanze(world, cast, draw, clock)
    filed.references["AE-GMB"] = _gulf_meridian(world, cast, draw, clock, year, filed)
    filed.references["CO-BAP"] = _banco_andino(world, cast, draw, clock, year, rates, filed)
    filed.references["NG-LTB"] = _lagoon_trust(world, cast, draw, clock, year, rates)
    filed.references["FR-BRHO"] = _rhodanienne(world, cast, draw, clock, year)
    return filed


def _hanze(world: DemoWorld, cast: Cast, draw: Draw, clock: Clock) -> str:
    """An unusual-transaction report as Hanze's core system exports it: one CSV row each."""
    submitted = clock.ago(140, 11, 5)
    fruit, dubai = cast.importer, cast.director_ae
    reason = (
        f"{fruit.holder.name} (fruit importer, Rotterdam) paid three round sums, each just under "
        f"our EUR 150,000 review limit, to a private AED account of its director "
        f"{cast.director.name} at {dubai.bank}, Dubai, as 'consultancy fees'. No consultancy "
        "agreement was provided; the amounts do not fit the company's margins."
    )
    reference = f"HNZ-MOT-{submitted.year}-{draw.digits('0####')}"
    rows = []
    for index, days in enumerate((160, 153, 146)):
        rows.append(
            {
                "report_reference": reference,
                "report_kind": "STR",
                "reporter_id": RENTITY["NL-HANZE"],
                "submitted_at": submitted.isoformat(),
                "currency": "EUR",
                "reason": reason,
                "indicators": "FTRWA;TAICE;NBRPT",
                "transaction_number": f"HNZ{draw.digits('##########')}",
                "time": clock.ago(days, 10 + index, 12).isoformat(),
                "amount": f"{draw.amount(148_000, 149_900, 50):.2f}",
                "from_account": fruit.number,
                "from_bank": fruit.bank,
                "from_country": "NL",
                "from_holder": fruit.holder.name,
                "to_account": dubai.number,
                "to_bank": dubai.bank,
                "to_country": "AE",
                "to_holder": cast.director.name,
                "channel": "SWIFT",
                "description": f"Consultancy fees Q{index + 1} - invoice NB/{index + 7:03d}",
            }
        )
    with tempfile.SpooledTemporaryFile(mode="w+", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        handle.seek(0)
        content = handle.read().encode()
    fiu_reference = _file(world, "NL-HANZE", content, "csv", submitted)
    analyst = world.principal("nl-fiu.analyst")
    reporting.add_message(
        world.session,
        analyst,
        fiu_reference,
        kind="feedback",
        body="Thank you. FIU-Nederland has declared the transactions of this report suspicious "
        "(Wwft art. 16) and made them available to the investigating services.",
        now=clock.ago(120, 9, 40),
    )
    reporting.set_status(world.session, analyst, fiu_reference, "disseminated")
    return fiu_reference


def _gulf_meridian(
    world: DemoWorld, cast: Cast, draw: Draw, clock: Clock, year: int, filed: Filed
) -> str:
    """Cash just under the AED 55,000 threshold, five times in six days, then wired to
    Colombia: the bank's STR in goAML, and the FIU's request for more."""
    director, dubai = cast.director, cast.director_ae
    deposits = [draw.amount(49_000, 54_900, 100) for _ in range(5)]
    transactions = [
        GoamlTransaction(
            number=f"GMB{draw.digits('#########')}",
            at=clock.ago(150 - day, draw.rng.randint(9, 16), draw.rng.randint(0, 59)),
            amount=f"{amount:.2f}",
            description="Cash deposit at the counter",
            source=Side(person=director, funds="CASH"),
            target=Side(account=dubai),
            mode="BO",
            location="Jumeirah Lake Towers branch",
        )
        for day, amount in zip((0, 1, 2, 4, 5), deposits, strict=True)
    ]
    wired = round(sum(deposits) * draw.rng.uniform(0.95, 0.985), -2)
    filed.wire = (clock.ago(143, 11, 20), wired)
    transactions.append(
        GoamlTransaction(
            number=f"GMB{draw.digits('#########')}",
            at=filed.wire[0],
            amount=f"{wired:.2f}",
            description="Outward remittance: family support",
            source=Side(account=dubai),
            target=Side(account=cast.financier, client=False),
            mode="SWIFT",
        )
    )
    submitted = clock.ago(118, 10, 20)
    content = _goaml(
        world,
        "AE-GMB",
        reference=f"GMB-STR-{year}-{draw.digits('0###')}",
        branch="DXB-JLT",
        submitted=submitted,
        currency="AED",
        reason=(
            f"Non-resident client {director.name} (Dutch national, director of "
            f"{cast.importer.holder.name}, Rotterdam) paid in AED {sum(deposits):,.0f} in cash "
            "at our JLT branch in five deposits within six days, each just under the AED 55,000 "
            f"cash-reporting threshold, then wired AED {wired:,.0f} to a personal account in "
            f"Colombia ({cast.financier.holder.name}, {cast.financier.bank}) as 'family "
            "support'. The account was opened to receive consultancy fees from her company; "
            "cash does not fit that purpose and no relation to the beneficiary is known."
        ),
        action="Enhanced due diligence opened; no further cash accepted without evidence of its "
        "source; relationship under review.",
        transactions=transactions,
        indicators=("MCDSL", "ML002", "HRJWT"),
    )
    fiu_reference = _file(world, "AE-GMB", content, "goaml", submitted)
    reporting.add_message(
        world.session,
        world.principal("ae-fiu.analyst"),
        fiu_reference,
        kind="information_request",
        body="Please send the client's source-of-funds declaration for the five cash deposits, "
        "the teller's notes and CCTV stills of the deposits, the KYC file, and every account the "
        f"client, {cast.importer.holder.name} or the beneficiary hold or held with you.",
        now=clock.ago(112, 10, 0),
    )
    reporting.add_message(
        world.session,
        world.principal("ae-gmb.compliance"),
        fiu_reference,
        kind="reply",
        body="The client declared the cash as the proceeds of selling two cars in Rotterdam; she "
        "provided no sale documents and has not answered our reminder. The tellers note she "
        "came with a man who carried the cash in a sports bag. She holds only this account; "
        f"{cast.importer.holder.name} and the beneficiary have none with us. KYC file and "
        "stills sent through the goAML message board.",
        now=clock.ago(108, 15, 30),
    )
    return fiu_reference


def _banco_andino(
    world: DemoWorld, cast: Cast, draw: Draw, clock: Clock, year: int, rates: Rates, filed: Filed
) -> str:
    """The financier's side of the Dubai wire. The first file writes amounts the Colombian
    way (236.540.000,00): refused at the element, nothing stored; the corrected file passes."""
    financier, front = cast.financier, cast.export_front
    arrived, wired_aed = filed.wire
    cop_per_aed = rates.units_per_eur["COP"] / rates.units_per_eur["AED"]
    received = round(wired_aed * cop_per_aed * draw.rng.uniform(0.99, 0.995), -3)
    to_front = round(received * draw.rng.uniform(0.70, 0.78), -5)
    cash = round((received - to_front) * 0.9, -5)
    branch = "Oficina El Poblado, Medellín"
    legs = (
        (
            arrived + timedelta(hours=27, minutes=45),
            received,
            "Transferencia internacional recibida (AED convertidos a COP)",
            Side(account=cast.director_ae, client=False),
            Side(account=financier),
            "SWIFT",
            "Casa matriz, Medellín",
        ),
        (
            arrived + timedelta(days=2, hours=-1),
            to_front,
            f"Transferencia a {front.holder.name}: 'anticipo de cosecha'",
            Side(account=financier),
            Side(account=front),
            "ONBNK",
            branch,
        ),
        (
            arrived + timedelta(days=3, hours=1),
            cash,
            "Retiro en efectivo por ventanilla",
            Side(account=financier),
            Side(person=financier.holder, funds="CASH"),
            "BO",
            branch,
        ),
    )
    numbers = [f"BAP{draw.digits('##########')}" for _ in legs]
    reference = f"BAP-ROS-{year}-{draw.digits('1###')}"
    submitted = clock.ago(119, 16, 40)

    def report(written: Callable[[float], str]) -> bytes:
        return _goaml(
            world,
            "CO-BAP",
            reference=reference,
            branch="MDE-POBLADO",
            submitted=submitted,
            currency="COP",
            reason=(
                f"Nuestra clienta {financier.holder.name} recibió una transferencia "
                f"internacional de una cuenta personal en Dubái ({cast.director.name}, "
                f"{cast.director_ae.bank}) por COP {received:,.0f}, sin relación conocida con la "
                f"ordenante. Al día siguiente transfirió la mayor parte a {front.holder.name} y "
                "retiró el resto en efectivo. La clienta fue condenada en 2016 por lavado de "
                "activos (noticia pública)."
            ),
            action="Cuenta en seguimiento reforzado; relación comercial en revisión.",
            transactions=[
                GoamlTransaction(number, at, written(amount), text, source, target, mode, place)
                for number, (at, amount, text, source, target, mode, place) in zip(
                    numbers, legs, strict=True
                )
            ],
            indicators=("IIWTA", "TAICE", "DTNTR"),
        )

    def colombian(amount: float) -> str:
        return f"{amount:,.2f}".translate(str.maketrans(",.", ".,"))

    try:
        _file(world, "CO-BAP", report(colombian), "goaml", submitted - timedelta(hours=2))
    except ReportRejected as refused:
        filed.refused["CO-BAP"] = [problem.path for problem in refused.problems]
    else:
        raise AssertionError("the UIAF accepted amounts with decimal commas")
    return _file(world, "CO-BAP", report(lambda amount: f"{amount:.2f}"), "goaml", submitted)


def _lagoon_trust(
    world: DemoWorld, cast: Cast, draw: Draw, clock: Clock, year: int, rates: Rates
) -> str:
    """Trade-based layering: charters paid from Dubai, passed on to Tema within a day."""
    usd = rates.units_per_eur["USD"]
    ngn = rates.units_per_eur["NGN"]
    transactions = []
    for index, days in enumerate((140, 135, 129)):
        charter = draw.amount(180_000, 260_000, 500)
        onward = round(charter * draw.rng.uniform(0.92, 0.97), -2)
        invoice = f"LMS-INV-{year}-{draw.digits('0##')}"
        for number, amount, at, source, target, description, items in (
            (
                f"LTB{draw.digits('##########')}",
                charter,
                clock.ago(days, 10, 30),
                Side(account=cast.foodstuff, client=False),
                Side(account=cast.marine),
                f"Charter hire {cast.vessel}, invoice {invoice}",
                (
                    (
                        "item",
                        [
                            ("item_type", "SSERV"),
                            (
                                "description",
                                f"Time charter of the offshore supply vessel {cast.vessel}, "
                                f"14 days, Bonny anchorage (invoice {invoice})",
                            ),
                            ("estimated_value", f"{charter * 0.35:.2f}"),
                            ("currency_code", "USD"),
                        ],
                    ),
                ),
            ),
            (
                f"LTB{draw.digits('##########')}",
                onward,
                clock.ago(days - 1, 9 + index, 15),
                Side(account=cast.marine),
                Side(account=cast.forwarder, client=False),
                "Vessel agency and port fees, Tema",
                (),
            ),
        ):
            transactions.append(
                GoamlTransaction(
                    number=number,
                    at=at,
                    amount=f"{amount * ngn / usd:.2f}",
                    description=description,
                    source=source,
                    target=target,
                    items=items,
                    location="Apapa branch, Lagos",
                    foreign=("USD", amount, ngn / usd),
                )
            )
    submitted = clock.ago(118, 14, 0)
    content = _goaml(
        world,
        "NG-LTB",
        reference=f"LTB/STR/{year}/{draw.digits('00###')}",
        branch="APAPA",
        submitted=submitted,
        currency="NGN",
        reason=(
            f"Our client {cast.marine.holder.name} received three USD payments from "
            f"{cast.foodstuff.holder.name} (Dubai) for time charters of its supply vessel "
            f"{cast.vessel}, which port records show at anchor in Lagos throughout. Each time, "
            f"92-97 % left within a day to {cast.forwarder.holder.name} (Ghana) as 'agency and "
            "port fees'. The invoices are far above market rates and the payer is a foodstuff "
            "trader with no shipping business: the account appears to be a transit account."
        ),
        action="Account placed under enhanced monitoring; invoices and bills of lading "
        "requested from the client.",
        transactions=transactions,
        indicators=("TML03", "TML15", "TML17"),
    )
    return _file(world, "NG-LTB", content, "goaml", submitted)


def _rhodanienne(world: DemoWorld, cast: Cast, draw: Draw, clock: Clock, year: int) -> str:
    """A suspicious-activity report in JSON, Banque Rhodanienne's API format."""
    manager, ring_leader = cast.manager, cast.ring_leader
    transactions: list[dict[str, Any]] = []
    for index, days in enumerate((172, 166, 159, 151, 145, 138, 131, 124)):
        transactions.append(
            {
                "number": f"BRH-{draw.digits('#########')}",
                "time": clock.ago(days, draw.rng.randint(9, 17), 5).isoformat(),
                "amount": f"{draw.amount(1_800, 4_900, 10):.2f}",
                "from": None,
                "to": "a1",
                "channel": "CASH",
                "description": f"Versement espèces, agence {draw.pick(FRENCH_BRANCHES)}",
            }
        )
        if index % 2:
            transactions.append(
                {
                    "number": f"BRH-{draw.digits('#########')}",
                    "time": clock.ago(days - 1, 10, 30).isoformat(),
                    "amount": f"{draw.amount(2_400, 4_800, 10):.2f}",
                    "from": "a1",
                    "to": "a2",
                    "from_country": "FR",
                    "to_country": "RO",
                    "channel": "ELCFT",
                    "description": "Aide familiale",
                }
            )
    submitted = clock.ago(115, 9, 50)
    document = {
        "reference": f"BRH-DS-{year}-{draw.digits('0###')}",
        "kind": "SAR",
        "reporter_id": RENTITY["FR-BRHO"],
        "submitted_at": submitted.isoformat(),
        "currency": "EUR",
        "reason": (
            f"Notre client {manager.holder.name} (gérant de locations meublées, "
            f"{manager.holder.city}) verse "
            "des espèces dans des agences de plusieurs villes, paie les loyers de quatre "
            "appartements occupés par de jeunes femmes roumaines et envoie chaque mois une "
            f"« aide familiale » à {ring_leader.holder.name} à Galați, sans lien familial connu. "
            "Suspicion de traite des êtres humains et de proxénétisme."
        ),
        "action": "Relation sous surveillance renforcée.",
        "branch": "PARIS-MAGENTA",
        "indicators": ["FOWNB", "IETHR", "TAICE"],
        "parties": [
            {
                "id": "p1",
                "type": "person",
                "subject": True,
                "first_name": manager.holder.first,
                "last_name": manager.holder.last,
                "birth_date": manager.holder.birth,
                "nationality": manager.holder.nationality,
                "phone": manager.holder.phone or None,
                "address": f"{manager.holder.street}, {manager.holder.postcode} "
                f"{manager.holder.city}",
            },
            {
                "id": "p2",
                "type": "person",
                "first_name": ring_leader.holder.first,
                "last_name": ring_leader.holder.last,
                "nationality": "RO",
            },
            {
                "id": "a1",
                "type": "account",
                "iban": manager.number,
                "bank_name": manager.bank,
                "swift": manager.bic,
                "currency": "EUR",
                "country": "FR",
                "holder": "p1",
            },
            {
                "id": "a2",
                "type": "account",
                "iban": ring_leader.number,
                "bank_name": ring_leader.bank,
                "swift": ring_leader.bic,
                "country": "RO",
                "holder": "p2",
            },
        ],
        "transactions": transactions,
    }
    content = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return _file(world, "FR-BRHO", content, "json", submitted)


# Bulk returns -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Payment:
    at: datetime
    source: Account | None  # None: cash paid in
    target: Account | None
    amount: float
    currency: str
    channel: str

    def touches(self, bic: str) -> bool:
        return any(side is not None and side.bic == bic for side in (self.source, self.target))


@dataclass(frozen=True)
class Return:
    """How one bank exports its transactions: file name, column names, local time."""

    bank: str
    file: str
    columns: tuple[str, ...]  # in the order of FIELDS
    currency: str  # the default currency of the import
    zone: timedelta  # the bank's clock (written with its offset when not UTC)

    def write(self, payments: Sequence[Payment], path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.columns)
            prefix = self.bank.split("-")[1][:3]
            for number, p in enumerate(sorted(payments, key=lambda p: p.at), start=1):
                local = (p.at + self.zone).strftime("%Y-%m-%dT%H:%M:%S")
                if self.zone:
                    local += f"+{self.zone.seconds // 3600:02d}:00"
                writer.writerow(
                    [
                        f"{prefix}{number:07d}",
                        local,
                        p.source.number if p.source else "",
                        p.target.number if p.target else "",
                        f"{p.amount:.2f}",
                        p.currency,
                        p.source.country if p.source else "",
                        p.target.country if p.target else "",
                        p.channel,
                        p.source.bic if p.source else "",
                        p.target.bic if p.target else "",
                    ]
                )


FIELDS = (
    "tx_id",
    "time",
    "source",
    "target",
    "amount",
    "currency",
    "source_country",
    "target_country",
    "channel",
    "source_bank",
    "target_bank",
)
RETURNS = {
    "NL-FIU": Return(
        "NL-HANZE",
        "hanze-retour-rotterdam.csv",
        (
            "transactie_id",
            "boekdatum",
            "rekening_debet",
            "rekening_credit",
            "bedrag",
            "valuta",
            "land_debet",
            "land_credit",
            "kanaal",
            "bic_debet",
            "bic_credit",
        ),
        "EUR",
        timedelta(0),
    ),
    "AE-FIU": Return(
        "AE-GMB",
        "gmb-return-dxb.csv",
        (
            "TXN_REF",
            "VALUE_DATE",
            "DR_ACCOUNT",
            "CR_ACCOUNT",
            "AMOUNT",
            "CCY",
            "DR_CTRY",
            "CR_CTRY",
            "CHANNEL",
            "DR_BIC",
            "CR_BIC",
        ),
        "AED",
        timedelta(hours=4),
    ),
}
RETURN_DAYS = (100, 10)  # the returns cover the three months after the reports


def _laundering(cast: Cast, draw: Draw, clock: Clock, rates: Rates) -> list[Payment]:
    """The groups' money in the months after the reports, on the accounts they named; each
    bank's return holds the payments that touch its accounts."""
    rng = draw.rng
    found: list[Payment] = []

    def pay(
        at: datetime,
        source: Account | None,
        target: Account | None,
        amount: float,
        currency: str = "EUR",
        channel: str = "sepa",
    ) -> float:
        found.append(Payment(at, source, target, round(amount, 2), currency, channel))
        return amount

    # Rotterdam. The distributor's partner pays in cash just under EUR 10,000, five times in
    # six days, and lends it to the importer.
    paid_in = sum(
        pay(
            clock.ago(day, rng.randint(9, 16), rng.randint(0, 59)),
            None,
            cast.partner,
            draw.amount(8_600, 9_850, 50),
            channel="cash",
        )
        for day in (80, 79, 78, 76, 75)
    )
    pay(clock.ago(73, 10, 2), cast.partner, cast.importer, round(paid_in * 0.97, -2))
    # The importer pays seven money mules a "wage advance"; each forwards it to the
    # director's account in Dubai within hours.
    for index, mule in enumerate(cast.mules):
        sent = clock.ago(60, 9, 10 + 37 * index)
        amount = pay(sent, cast.importer, mule, draw.amount(4_850, 4_990, 5))
        onward = sent + timedelta(hours=rng.uniform(2, 9))
        pay(onward, mule, cast.director_ae, amount * rng.uniform(0.95, 0.98), channel="swift")
    # The cycle: the importer → her Dubai account → her holding → her own account → back.
    amount = draw.amount(180_000, 190_000, 500)
    for at, source, target in (
        (clock.ago(45, 10, 12), cast.importer, cast.director_ae),
        (clock.ago(43, 15, 40), cast.director_ae, cast.holding),
        (clock.ago(42, 11, 5), cast.holding, cast.director_nl),
        (clock.ago(41, 9, 30), cast.director_nl, cast.importer),
    ):
        swift = "AE" in (source.country, target.country)
        pay(at, source, target, amount, channel="swift" if swift else "sepa")
        amount = round(amount * rng.uniform(0.95, 0.985), -2)

    # Dubai. The director structures cash again after the STR, and wires it to Colombia.
    paid_in = sum(
        pay(
            clock.ago(day, rng.randint(9, 16), rng.randint(0, 59)),
            None,
            cast.director_ae,
            draw.amount(48_000, 54_800, 100),
            "AED",
            "cash",
        )
        for day in (70, 69, 68, 67, 66)
    )
    pay(
        clock.ago(64, 11),
        cast.director_ae,
        cast.financier,
        round(paid_in * 0.98, -2),
        "AED",
        "swift",
    )
    # The foodstuff trader takes the buyers' money and pays the network's Nigerian and
    # Colombian companies within hours: a rapid pass-through.
    usd = rates.units_per_eur["USD"]
    for index, (day, payer, payee) in enumerate(
        (
            (55, cast.real_estate, cast.marine),
            (52, cast.wholesaler, cast.export_front),
            (49, cast.importer, cast.marine),
            (46, cast.real_estate, cast.export_front),
        )
    ):
        arrived = clock.ago(day, 8 + index, 20)
        credit = pay(
            arrived, payer, cast.foodstuff, draw.amount(85_000, 125_000, 500), channel="swift"
        )
        paid_out = arrived + timedelta(hours=rng.uniform(3, 20))
        pay(paid_out, cast.foodstuff, payee, credit * rng.uniform(0.93, 0.98) * usd, "USD", "swift")
    # The wildlife money: the Vietnamese buyer pays the Kenyan exporter through two Dubai
    # trading companies, each passing it on the next day.
    amount = draw.amount(140_000, 160_000, 500)
    for day, source, target in (
        (35, cast.wildlife_buyer, cast.trader),
        (34, cast.trader, cast.timber_trader),
        (33, cast.timber_trader, cast.wildlife_exporter),
    ):
        pay(clock.ago(day, 11, rng.randint(0, 59)), source, target, amount, "USD", "swift")
        amount = round(amount * rng.uniform(0.94, 0.98), -2)
    return found


def _background(
    draw: Draw,
    clock: Clock,
    rates: Rates,
    make: Callable[[], Account],
    elsewhere: Callable[[], Account],
    *,
    currency: str,
    mu: float,
    payments: int,
    channel: str,
) -> tuple[list[Payment], list[Account], list[Account]]:
    """Ordinary traffic of a bank's clients: people paying each other and others, an
    employer paying the same staff every month, a supermarket taking cards, cash paid in now
    and then (a few sums near the threshold, never in a run). Returns the payments, the
    clients and the accounts at other banks."""
    rng = draw.rng
    clients = [make() for _ in range(260)]
    others = [elsewhere() for _ in range(40)]
    first, span = RETURN_DAYS[0], RETURN_DAYS[0] - RETURN_DAYS[1]

    def moment() -> datetime:
        return clock.ago(first - rng.uniform(0, span))

    found = []
    for _ in range(payments):
        payer = rng.choice(clients)
        payee = rng.choice(others if rng.random() < 0.25 else clients)
        if payee is not payer:
            amount = rng.lognormvariate(mu, 1.0)
            found.append(Payment(moment(), payer, payee, round(amount, 2), currency, channel))
    employer, shop = clients[0], clients[1]
    for month in range(3):
        payday = clock.ago(first - 25 - 30 * month, 6)
        for person in clients[2:42]:
            amount = round(2_400 * rng.uniform(0.9, 1.3), 2)
            found.append(Payment(payday, employer, person, amount, currency, "payroll"))
    for _ in range(300):
        amount = round(rng.uniform(4, 160) * rates.units_per_eur[currency], 2)
        found.append(Payment(moment(), rng.choice(clients[2:]), shop, amount, currency, "card"))
    for person in rng.sample(clients[2:], 30):
        amount = round(rng.uniform(150, 9_500) * rates.units_per_eur[currency], 2)
        found.append(Payment(moment(), None, person, amount, currency, "cash"))
    return found, clients, others


def _hanze_return(
    cast: Cast, draw: Draw, clock: Clock, rates: Rates, laundering: list[Payment]
) -> list[Payment]:
    """Hanze's return: ordinary Rotterdam traffic, the importer's trade, and the laundering
    on its accounts."""
    rng = draw.rng

    def hanze() -> Account:
        number = draw.iban("NL", "HNZB##########")
        return Account(number, "NL", "Hanze Handelsbank N.V.", BICS["NL-HANZE"], "EUR", BACKGROUND)

    def elsewhere() -> Account:
        code = rng.choice(("DLTB", "PLDR", "ZVBK"))
        number = draw.iban("NL", code + "##########")
        return Account(number, "NL", code, f"{code}NL2A", "EUR", BACKGROUND)

    found, clients, others = _background(
        draw,
        clock,
        rates,
        hanze,
        elsewhere,
        currency="EUR",
        mu=4.4,
        payments=2_300,
        channel="sepa",
    )

    def pay(
        at: datetime,
        source: Account,
        target: Account,
        amount: float,
        currency: str = "EUR",
        channel: str = "sepa",
    ) -> None:
        found.append(Payment(at, source, target, round(amount, 2), currency, channel))

    # The importer's trade: customers paying weekly, its staff, bananas from Ecuador.
    importer = cast.importer
    customers = [elsewhere() for _ in range(6)]
    for week in range(13):
        for customer in customers:
            at = clock.ago(98 - 7 * week - rng.uniform(0, 2), 10)
            pay(at, customer, importer, rng.uniform(9_000, 26_000))
    for month in range(3):
        for person in clients[42:50]:
            pay(clock.ago(75 - 30 * month, 7), importer, person, 2_900, channel="payroll")
    bananas = Account(
        draw.digits("##########"),
        "EC",
        "Banco Costa del Guayas S.A.",
        "BCGUECEG",
        "USD",
        BACKGROUND,
    )
    for fortnight in range(6):
        usd = rng.uniform(40_000, 90_000) * rates.units_per_eur["USD"]
        pay(clock.ago(95 - 14 * fortnight, 14), importer, bananas, usd, "USD", "swift")
    # The partner's and the director's everyday payments.
    for _ in range(6):
        pay(
            clock.ago(rng.uniform(15, 95)),
            cast.partner,
            rng.choice(clients),
            rng.uniform(20, 140),
            channel="card",
        )
    for month in range(3):
        pay(
            clock.ago(90 - 30 * month, 8),
            cast.director_nl,
            rng.choice(others),
            rng.uniform(900, 1_400),
        )
    # A homeowners' association collecting the owners' yearly contributions: a fan-in of
    # like amounts that is not laundering.
    for index, owner in enumerate(clients[60:69]):
        pay(clock.ago(31, 8 + index), owner, cast.homeowners, 1_150)
    for month in range(3):
        pay(clock.ago(88 - 30 * month, 9), cast.homeowners, others[0], 640)
    return found + [p for p in laundering if p.touches(BICS["NL-HANZE"])]


def _gulf_meridian_return(
    cast: Cast, draw: Draw, clock: Clock, rates: Rates, laundering: list[Payment]
) -> list[Payment]:
    """Gulf Meridian's return: ordinary Dubai traffic (salaries through the WPS), and the
    laundering on its accounts."""
    rng = draw.rng
    code = cast.director_ae.number[4:7]

    def gmb() -> Account:
        number = draw.iban("AE", code + "#" * 16)
        return Account(number, "AE", "Gulf Meridian Bank PJSC", BICS["AE-GMB"], "AED", BACKGROUND)

    def elsewhere() -> Account:
        other = rng.choice(("033", "046", "260"))
        number = draw.iban("AE", other + "#" * 16)
        return Account(number, "AE", other, f"AEB{other}AE", "AED", BACKGROUND)

    found, _, others = _background(
        draw, clock, rates, gmb, elsewhere, currency="AED", mu=5.7, payments=1_700, channel="ipp"
    )
    for month in range(3):  # the foodstuff trader's office rent
        at = clock.ago(92 - 30 * month, 9)
        found.append(Payment(at, cast.foodstuff, others[0], 18_500, "AED", "ipp"))
    return found + [p for p in laundering if p.touches(BICS["AE-GMB"])]


def _imports(
    world: DemoWorld, cast: Cast, draw: Draw, clock: Clock, rates: Rates
) -> dict[str, int]:
    """Each FIU's analyst imports its bank's return from the import page, mapping the bank's
    own column names: a job, run to its end as the server runs it."""
    laundering = _laundering(cast, draw, clock, rates)
    payments = {
        "NL-FIU": _hanze_return(cast, draw, clock, rates, laundering),
        "AE-FIU": _gulf_meridian_return(cast, draw, clock, rates, laundering),
    }
    imported = {}
    with tempfile.TemporaryDirectory() as folder:
        for fiu, bank_return in RETURNS.items():
            path = Path(folder) / bank_return.file
            bank_return.write(payments[fiu], path)
            analyst = world.principal(f"{fiu.lower()}.analyst")
            job = imports.submit_transactions(
                world.session,
                principal=analyst,
                settings=world.settings,
                filename=path.name,
                content=path.read_bytes(),
                mapping=dict(zip(FIELDS, bank_return.columns, strict=True)),
                currency=bank_return.currency,
                context=AccessContext.of(
                    "financial_intelligence",
                    f"Return of {bank_return.bank} for the months after its reports",
                ),
                now=utcnow(),
            )
            imports.execute(world.session, world.settings, job=job, principal=analyst, now=utcnow())
            assert job.result is not None
            imported[fiu] = int(job.result["transactions"])
    return imported


# Monitoring and triage --------------------------------------------------------------------------
def _monitor(world: DemoWorld, clock: Clock, rates: Rates) -> dict[str, list[MonitoringAlert]]:
    context = AccessContext.of("financial_intelligence", ANALYSIS)
    # The UAE's cash-reporting threshold is AED 55,000: its supervisor sets it in EUR.
    service.set_thresholds(
        world.session,
        world.principal("ae-fiu.supervisor"),
        {"reporting_threshold": round(55_000 / rates.units_per_eur["AED"], 2)},
        clock.ago(9, 11),
    )
    queues = {}
    for index, fiu in enumerate(INJECTED):
        _, alerts = service.monitor(
            world.session,
            world.principal(f"{fiu.lower()}.analyst"),
            world.settings,
            backend=Backend.duckdb,
            context=context,
            now=clock.ago(6, 9 + index),
        )
        queues[fiu] = alerts
    return queues


def _alert(alerts: list[MonitoringAlert], typology: str, account: str) -> MonitoringAlert:
    found = [a for a in alerts if a.typology == typology and account in a.accounts]
    if not found:
        raise LookupError(f"no {typology} alert on {account}")
    return max(found, key=lambda a: (a.score, a.alert_key))


def _triage(
    world: DemoWorld,
    cast: Cast,
    draw: Draw,
    clock: Clock,
    queues: dict[str, list[MonitoringAlert]],
) -> dict[str, str]:
    session = world.session
    analyst = world.principal("nl-fiu.analyst")
    nl = queues["NL-FIU"]
    cycle = _alert(nl, "cycle", cast.holding.number)
    triage.move(session, analyst, cycle.id, action="review", now=clock.ago(5, 9, 30))
    homeowners = _alert(nl, "fan_in", cast.homeowners.number)
    triage.move(
        session,
        analyst,
        homeowners.id,
        action="dismiss",
        now=clock.ago(5, 10, 15),
        note=f"{cast.homeowners.holder.name}: the owners' yearly service-charge contributions, "
        "as in its budget; known customer, same pattern every year.",
    )
    structuring = _alert(nl, "structuring", cast.partner.number)
    case = f"FIU-NL/{clock.ago(4).year}/ONDZ-{draw.digits('0###')}"
    triage.move(
        session,
        analyst,
        structuring.id,
        action="escalate",
        now=clock.ago(4, 14),
        note=f"Cash of the distributor's partner lent to {cast.importer.holder.name}: joined "
        "to the investigation of the importer and its director.",
        reference=case,
    )
    mules = _alert(nl, "scatter_gather", cast.mules[0].number)
    triage.disseminate(
        session,
        analyst,
        Keyring.of(world.settings),
        mules.id,
        recipients=["NL-NP"],
        note=f"{len(cast.mules)} young Rotterdam account holders received about EUR 4,900 each "
        f"from {cast.importer.holder.name} and forwarded it within hours to the Dubai account "
        f"of its director {cast.director.name}: a money-mule network. Declared suspicious under "
        "Wwft art. 16; for the Landelijke Eenheid's investigation only.",
        max_attachment_bytes=world.settings.max_attachment_bytes,
        now=clock.ago(3, 11),
    )
    wildlife = _alert(queues["AE-FIU"], "cross_border", cast.wildlife_exporter.number)
    triage.move(
        session,
        world.principal("ae-fiu.analyst"),
        wildlife.id,
        action="review",
        now=clock.ago(5, 13),
    )
    return {
        "reviewed": cycle.alert_key,
        "dismissed": homeowners.alert_key,
        "escalated": structuring.alert_key,
        "disseminated": mules.alert_key,
        "reviewed_ae": wildlife.alert_key,
        "case": case,
    }


def populate(world: DemoWorld) -> None:
    draw = Draw(world.seed)
    clock = Clock(datetime.combine(utcnow().date(), time(), tzinfo=UTC))
    rates = load_rates(world.settings.finintel_fx_rates)
    cast = _cast(world, draw)
    _register(world)
    filed = _reports(world, cast, draw, clock, rates)
    imported = _imports(world, cast, draw, clock, rates)
    queues = _monitor(world, clock, rates)
    triaged = _triage(world, cast, draw, clock, queues)
    world.facts["finintel"] = {
        "reports": filed.references,
        "refused": filed.refused,
        "imported": imported,
        "alerts": {fiu: len(alerts) for fiu, alerts in queues.items()},
        "triage": triaged,
        "accounts": cast.accounts(),
    }
