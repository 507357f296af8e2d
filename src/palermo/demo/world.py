"""The demo world's fixed geography: who the agencies are and where.

Everything generated on top of it (names, people, networks, traffic) comes from the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

from palermo.identity.roles import AgencyKind

K = AgencyKind


@dataclass(frozen=True)
class DemoAgency:
    code: str
    name: str
    kind: AgencyKind
    country: str


CONTINENTS = {
    "Europe": ["FR", "DE", "IT", "ES", "NL", "BE", "PL", "RO", "BG", "GR", "AL", "RS", "GB", "PT"],
    "Africa": ["NG", "GH", "ZA", "KE", "TZ", "MZ", "SN", "MA"],
    "Asia": ["CN", "VN", "TH", "MY", "IN", "AE", "TR", "JP"],
    "Americas": ["US", "CA", "MX", "CO", "PE", "EC", "BR", "AR"],
    "Oceania": ["AU", "NZ"],
}
CONTINENT_OF = {country: continent for continent, cs in CONTINENTS.items() for country in cs}

INTERNATIONAL = [
    DemoAgency(
        "INTERPOL",
        "International Criminal Police Organization, General Secretariat",
        K.secretariat,
        "FR",
    ),
    DemoAgency(
        "EUROPOL", "European Union Agency for Law Enforcement Cooperation", K.analysis_hub, "NL"
    ),
    DemoAgency(
        "UNSC", "United Nations Security Council Sanctions Committees", K.sanctions_authority, "US"
    ),
    DemoAgency("EU", "European Union, Financial Sanctions", K.sanctions_authority, "BE"),
    DemoAgency("OFAC", "Office of Foreign Assets Control", K.sanctions_authority, "US"),
]

# Every country has its national central bureau.
NATIONAL_CENTRAL_BUREAUS = [
    DemoAgency(
        f"NCB-{c}",
        f"National Central Bureau, {pycountry.countries.lookup(c).name}",
        K.national_central_bureau,
        c,
    )
    for continent in CONTINENTS.values()
    for c in continent
]

NATIONAL = [
    # Police and law-enforcement agencies
    DemoAgency("FR-OFAST", "Office anti-stupéfiants", K.police, "FR"),
    DemoAgency("DE-BKA", "Bundeskriminalamt", K.police, "DE"),
    DemoAgency("IT-DIA", "Direzione Investigativa Antimafia", K.police, "IT"),
    DemoAgency("ES-UDYCO", "Unidad de Drogas y Crimen Organizado", K.police, "ES"),
    DemoAgency("NL-NP", "Nationale Politie, Landelijke Eenheid", K.police, "NL"),
    DemoAgency(
        "RO-DIICOT", "Directorate for Investigating Organized Crime and Terrorism", K.police, "RO"
    ),
    DemoAgency("BG-GDBOP", "General Directorate Combating Organized Crime", K.police, "BG"),
    DemoAgency("AL-SPAK", "Special Anti-Corruption and Organized Crime Structure", K.police, "AL"),
    DemoAgency("GB-NCA", "National Crime Agency", K.police, "GB"),
    DemoAgency("NG-NDLEA", "National Drug Law Enforcement Agency", K.police, "NG"),
    DemoAgency("ZA-DPCI", "Directorate for Priority Crime Investigation", K.police, "ZA"),
    DemoAgency("KE-DCI", "Directorate of Criminal Investigations", K.police, "KE"),
    DemoAgency(
        "TZ-NTSCIU", "National and Transnational Serious Crimes Investigation Unit", K.police, "TZ"
    ),
    DemoAgency("MZ-SERNIC", "Serviço Nacional de Investigação Criminal", K.police, "MZ"),
    DemoAgency("VN-C04", "Drug-Related Crime Investigation Police Department", K.police, "VN"),
    DemoAgency("TH-ONCB", "Office of the Narcotics Control Board", K.police, "TH"),
    DemoAgency("CN-MPS", "Ministry of Public Security, Criminal Investigation", K.police, "CN"),
    DemoAgency("MY-PDRM", "Royal Malaysia Police, Narcotics Crime", K.police, "MY"),
    DemoAgency("US-DEA", "Drug Enforcement Administration", K.police, "US"),
    DemoAgency("CA-RCMP", "Royal Canadian Mounted Police, Federal Policing", K.police, "CA"),
    DemoAgency("MX-FGR", "Fiscalía General, Policía Federal Ministerial", K.police, "MX"),
    DemoAgency("CO-DIJIN", "Dirección de Investigación Criminal e Interpol", K.police, "CO"),
    DemoAgency("EC-PN", "Policía Nacional, Antinarcóticos", K.police, "EC"),
    DemoAgency("BR-PF", "Polícia Federal", K.police, "BR"),
    DemoAgency("AU-AFP", "Australian Federal Police", K.police, "AU"),
    # Financial intelligence units
    DemoAgency("FR-TRACFIN", "Tracfin", K.fiu, "FR"),
    DemoAgency("NL-FIU", "FIU-Nederland", K.fiu, "NL"),
    DemoAgency("IT-UIF", "Unità di Informazione Finanziaria", K.fiu, "IT"),
    DemoAgency("US-FINCEN", "Financial Crimes Enforcement Network", K.fiu, "US"),
    DemoAgency("NG-NFIU", "Nigerian Financial Intelligence Unit", K.fiu, "NG"),
    DemoAgency("ZA-FIC", "Financial Intelligence Centre", K.fiu, "ZA"),
    DemoAgency("AE-FIU", "UAE Financial Intelligence Unit", K.fiu, "AE"),
    DemoAgency("CO-UIAF", "Unidad de Información y Análisis Financiero", K.fiu, "CO"),
    # Prosecutors and central authorities for mutual legal assistance
    DemoAgency(
        "FR-BEPI", "Ministère de la Justice, Bureau de l'entraide pénale", K.central_authority, "FR"
    ),
    DemoAgency("DE-BFJ", "Bundesamt für Justiz", K.central_authority, "DE"),
    DemoAgency(
        "IT-MG", "Ministero della Giustizia, Cooperazione internazionale", K.central_authority, "IT"
    ),
    DemoAgency(
        "ES-MJ",
        "Ministerio de Justicia, Cooperación Jurídica Internacional",
        K.central_authority,
        "ES",
    ),
    DemoAgency(
        "NL-AIRS", "Afdeling Internationale Rechtshulp in Strafzaken", K.central_authority, "NL"
    ),
    DemoAgency(
        "US-OIA",
        "Department of Justice, Office of International Affairs",
        K.central_authority,
        "US",
    ),
    DemoAgency(
        "CO-FGN",
        "Fiscalía General de la Nación, Asuntos Internacionales",
        K.central_authority,
        "CO",
    ),
    DemoAgency(
        "BR-DRCI",
        "Departamento de Recuperação de Ativos e Cooperação Jurídica",
        K.central_authority,
        "BR",
    ),
    DemoAgency(
        "NG-CAU", "Federal Ministry of Justice, Central Authority Unit", K.central_authority, "NG"
    ),
    DemoAgency(
        "AE-MOJ", "Ministry of Justice, International Cooperation", K.central_authority, "AE"
    ),
    DemoAgency(
        "ZA-DOJ", "Department of Justice, International Legal Relations", K.central_authority, "ZA"
    ),
    # Customs and border agencies
    DemoAgency("NL-DOUANE", "Douane Nederland, Rotterdam", K.customs, "NL"),
    DemoAgency("BE-CUSTOMS", "Algemene Administratie van Douane en Accijnzen", K.customs, "BE"),
    DemoAgency("KE-KRA", "Kenya Revenue Authority, Customs and Border Control", K.customs, "KE"),
    DemoAgency("VN-GDC", "General Department of Vietnam Customs", K.customs, "VN"),
    DemoAgency("EC-SENAE", "Servicio Nacional de Aduana del Ecuador", K.customs, "EC"),
    # Private partners: fictional reporting entities
    DemoAgency("NL-HANZE", "Hanze Handelsbank N.V.", K.private_partner, "NL"),
    DemoAgency("FR-BRHO", "Banque Rhodanienne", K.private_partner, "FR"),
    DemoAgency("AE-GMB", "Gulf Meridian Bank PJSC", K.private_partner, "AE"),
    DemoAgency("NG-LTB", "Lagoon Trust Bank Plc", K.private_partner, "NG"),
    DemoAgency("CO-BAP", "Banco Andino del Pacífico S.A.", K.private_partner, "CO"),
    DemoAgency("ZA-CAPE", "Cape Meridian Bank Ltd", K.private_partner, "ZA"),
    DemoAgency("US-HUDSON", "Hudson Harbor Bank, N.A.", K.private_partner, "US"),
]

AGENCIES: list[DemoAgency] = [*INTERNATIONAL, *NATIONAL_CENTRAL_BUREAUS, *NATIONAL]

# Agencies whose audit functions the demo staffs with an auditor/DPO.
AUDITED = {"INTERPOL", "EUROPOL", *(a.code for a in NATIONAL_CENTRAL_BUREAUS)}
# The node's system administrator sits at the secretariat, which hosts the demo node.
SYSTEM_ADMIN_AGENCY = "INTERPOL"

# Given names and family names by region, for the staff directory.
NAME_POOLS: dict[str, tuple[list[str], list[str]]] = {
    "Europe": (
        [
            "Camille",
            "Lukas",
            "Giulia",
            "Javier",
            "Sanne",
            "Andrei",
            "Elena",
            "Marek",
            "Sofia",
            "Thomas",
            "Ioana",
            "Nikos",
            "Ana",
            "Pieter",
            "Chiara",
            "Mateusz",
        ],
        [
            "Martin",
            "Schneider",
            "Russo",
            "García",
            "de Vries",
            "Popescu",
            "Ivanova",
            "Kowalski",
            "Papadopoulos",
            "Dubois",
            "Rossi",
            "Jansen",
            "Fernández",
            "Nowak",
            "Hoxha",
            "Petrović",
        ],
    ),
    "Africa": (
        [
            "Chinedu",
            "Amara",
            "Kwame",
            "Thandiwe",
            "Wanjiru",
            "Baraka",
            "Fatou",
            "Youssef",
            "Ngozi",
            "Sipho",
            "Aisha",
            "Tendai",
        ],
        [
            "Okafor",
            "Mensah",
            "Dlamini",
            "Kamau",
            "Mwangi",
            "Diop",
            "El Amrani",
            "Adeyemi",
            "Nkosi",
            "Otieno",
            "Traoré",
            "Macuácua",
        ],
    ),
    "Asia": (
        [
            "Wei",
            "Minh",
            "Somchai",
            "Aiko",
            "Priya",
            "Arjun",
            "Nurul",
            "Mehmet",
            "Fatima",
            "Hiroshi",
            "Linh",
            "Siti",
        ],
        [
            "Zhang",
            "Nguyen",
            "Srisai",
            "Tanaka",
            "Sharma",
            "Iyer",
            "Abdullah",
            "Yılmaz",
            "Al Mansoori",
            "Sato",
            "Tran",
            "Rahman",
        ],
    ),
    "Americas": (
        [
            "Emily",
            "Carlos",
            "Mariana",
            "John",
            "Valentina",
            "Diego",
            "Camila",
            "Michael",
            "Lucía",
            "Rafael",
            "Sarah",
            "Andrés",
        ],
        [
            "Johnson",
            "Rodríguez",
            "Silva",
            "Smith",
            "Gómez",
            "Pereira",
            "Torres",
            "Brown",
            "Ramírez",
            "Oliveira",
            "Tremblay",
            "Castillo",
        ],
    ),
    "Oceania": (
        ["Olivia", "Jack", "Mia", "Noah", "Aroha", "Liam"],
        ["Wilson", "Taylor", "Nguyen", "Walker", "Ngata", "Thompson"],
    ),
}
