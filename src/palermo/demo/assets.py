"""Demo chapter: the groups' assets followed from identification to disposal, in seven
countries.

The story (dates are those of the orders; the two measures about to expire, or lapsed, are
dated from the day the world is built so that the dashboard always has them):

- The Dutch police (NL-NP) asset recovery team follows the cocaine network's money:
  - the finance director's villa in Rotterdam, held 70 % through the fruit importer she owns
    and 30 % by the distributor's partner: frozen, seized, confiscated on conviction and now
    managed by the state's asset management office, with its costs and an expert valuation;
  - her apartment in Dubai, found through Gulf Meridian Bank's report: frozen under a Dutch
    order recognised by the UAE's Ministry of Justice and executed by the UAE's bureau —
    the order expires in a few weeks and must be renewed;
  - her Dubai account, traced from the bank's statements;
  - the distributor's Audi, seized and sold before judgment (it lost value by the month),
    then confiscated, its proceeds to the state budget;
  - EUR 480,000 in cash found in a banana container at the Maasvlakte: confiscated without
    conviction, then shared half and half with Colombia, whose investigation found the load;
  - a bitcoin wallet frozen, then released when the court found no link to the offence;
  - watches in a safe-deposit box, frozen under an order that lapsed last week;
  - the distributor's holiday flat in Spain: a seizure order sent to Spain, awaiting
    recognition by its Ministry of Justice.
- Colombia's DIJIN freezes the financier's finca in Urabá (non-conviction-based forfeiture,
  "extinción de dominio"), renewed once, and has his Land Cruiser forfeited; Spain's UDYCO
  answers Colombia's Silver Notice on the network's leader with a yacht in Puerto Banús.
- France's OFAST has the trafficking ring's Paris flat confiscated and paid to its victims.
- Romania's DIICOT seizes the ring leader's jewellery and cash in Galați.
- South Africa's DPCI confiscates the wildlife syndicate's shares in a Durban logistics
  company and returns the proceeds to Kenya.

Log in as ``nl-np.officer`` (most of it: register, expiring, statistics), ``ncb-ae.officer``
(the Dubai apartment), ``es-mj.officer`` (the recognition awaiting Spain's decision),
``co-dijin.officer``, ``ncb-co.officer`` (the Silver-Notice answer), ``fr-ofast.officer``,
``ro-diicot.officer``, ``za-dpci.officer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from palermo.assets import management, orders, silver, transitions
from palermo.assets.lifecycle import AssetState
from palermo.assets.register import register
from palermo.assets.schemas import (
    AnswerIn,
    AssetIn,
    CostIn,
    DecisionIn,
    OrderIn,
    RecognitionIn,
    SaleIn,
    TransitionIn,
    ValuationIn,
)
from palermo.demo.builder import DemoWorld
from palermo.demo.finintel import Known
from palermo.models.assets import Asset, AssetOrder
from palermo.models.base import utcnow
from palermo.models.notices import Notice
from palermo.notices.kinds import NoticeKind

S = AssetState
NL_LAW = "Wetboek van Strafvordering, arts. 94a and 36e (ontneming)"
DRUGS, TRAFFICKING, WILDLIFE = "0601", "0204", "1003"


@dataclass
class Desk:
    world: DemoWorld
    now: datetime

    def asset(self, username: str, law: str, offence: str, **fields: Any) -> Asset:
        fields.setdefault("provenance", "investigation")
        fields.setdefault("provenance_ref", "Operation Harbour (ONT 2024/0311)")
        payload = AssetIn.model_validate(
            {
                **fields,
                "envelope": {
                    "legal_basis": law,
                    "purposes": ["asset_recovery", "criminal_investigation"],
                    "offences": [offence],
                    "handling_code": "H2",
                    "tlp": "AMBER",
                    "source_reliability": "B",
                    "information_accuracy": "2",
                },
            }
        )
        return register(
            self.world.session,
            principal=self.world.principal(username),
            settings=self.world.settings,
            payload=payload,
            now=self.now,
        )

    def order(self, username: str, kind: str, *assets: Asset, **fields: Any) -> AssetOrder:
        payload = OrderIn.model_validate(
            {"kind": kind, "assets": [a.reference for a in assets], **fields}
        )
        return orders.record_order(
            self.world.session,
            principal=self.world.principal(username),
            payload=payload,
            now=self.now,
        )

    def move(
        self,
        username: str,
        asset: Asset,
        to: AssetState,
        on: date,
        order: AssetOrder | None = None,
        note: str | None = None,
    ) -> None:
        transitions.transition(
            self.world.session,
            principal=self.world.principal(username),
            asset_id=asset.id,
            payload=TransitionIn(to=to, on=on, order=order.id if order else None, note=note),
            now=self.now,
        )

    def recognised(
        self,
        order: AssetOrder,
        country: str,
        by: str,
        decider: str,
        authority: str,
        on: date,
        mla: str,
    ) -> None:
        """Sent by `by` for recognition in `country`, recognised there by `decider`."""
        asked = orders.request_recognition(
            self.world.session,
            principal=self.world.principal(by),
            order_id=order.id,
            payload=RecognitionIn(country=country, judicial_reference=mla),
            now=self.now,
        )
        orders.decide_recognition(
            self.world.session,
            principal=self.world.principal(decider),
            recognition_id=asked.id,
            payload=DecisionIn(recognised=True, authority=authority, on=on),
            now=self.now,
        )

    def cost(self, asset: Asset, amount: str, on: date, category: str, note: str) -> None:
        management.cost(
            self.world.session,
            principal=self.world.principal("nl-np.officer"),
            settings=self.world.settings,
            asset_id=asset.id,
            payload=CostIn(
                amount=Decimal(amount), currency="EUR", incurred_on=on, category=category, note=note
            ),
            now=self.now,
        )


def populate(world: DemoWorld) -> None:
    now = utcnow()
    desk = Desk(world, now)
    cocaine = Known(world, "cocaine")
    director = cocaine.find("NL-NP", "Person", position="Finance")
    importer = cocaine.find("NL-NP", "Company", sector="Fruit import")
    partner = cocaine.find("NL-NP", "Person", notes="Partner of the distributor")
    distributor = cocaine.find("NL-NP", "Person", position="Distributor")
    facts: dict[str, Any] = {}
    facts["villa"] = _villa(desk, importer, partner)
    facts["dubai"] = _dubai(desk, director, world.facts["finintel"]["reports"]["AE-GMB"])
    facts["others"] = _rotterdam(desk, distributor)
    _abroad(desk)
    world.facts["assets"] = facts


def _villa(desk: Desk, importer: str, partner: str) -> str:
    nl = "nl-np.officer"
    villa = desk.asset(
        nl,
        NL_LAW,
        DRUGS,
        kind="real_estate",
        description="Villa, Kralingse Plaslaan 12, Rotterdam",
        country="NL",
        value="1450000",
        currency="EUR",
        valued_on="2024-11-04",
        provenance_ref="Operation Harbour (ONT 2024/0311)",
        properties={"address": ["Kralingse Plaslaan 12, 3062 DB Rotterdam"]},
        owners=[
            {"record_id": importer, "percentage": "70"},
            {"record_id": partner, "percentage": "30"},
        ],
    )
    court = {"authority": "Rechtbank Rotterdam, rechter-commissaris", "country": "NL"}
    frozen = desk.order(
        nl, "freezing", villa, reference="RC 24/8812 (beslag)", issued_on="2024-11-28",
        expires_on="2025-11-28", **court,
    )  # fmt: skip
    desk.move(nl, villa, S.frozen, date(2024, 12, 2), frozen)
    seized = desk.order(
        nl, "seizure", villa, reference="RC 25/0411 (conservatoir beslag)",
        issued_on="2025-02-06", expires_on="2027-02-06", **court,
    )  # fmt: skip
    desk.move(nl, villa, S.seized, date(2025, 2, 10), seized)
    confiscation = desk.order(
        nl, "confiscation", villa, reference="ECLI:NL:RBROT:2025:7741",
        authority="Rechtbank Rotterdam, meervoudige strafkamer", country="NL",
        legal_basis="conviction_based", issued_on="2025-09-15",
        conditions="Ontnemingsmaatregel EUR 1,400,000 (art. 36e Sr), irrevocable 2025-10-01",
    )  # fmt: skip
    desk.move(nl, villa, S.confiscated, date(2025, 9, 30), confiscation)
    management_order = desk.order(
        nl, "management", villa, reference="DRZ-2025-0932",
        authority="Domeinen Roerende Zaken (asset management office)", country="NL",
        issued_on="2025-10-01",
    )  # fmt: skip
    desk.move(nl, villa, S.under_management, date(2025, 10, 3), management_order)
    management.value(
        desk.world.session,
        principal=desk.world.principal(nl),
        settings=desk.world.settings,
        asset_id=villa.id,
        payload=ValuationIn(
            amount=Decimal("1520000"), currency="EUR", valued_on=date(2025, 10, 20),
            method="expert", note="Taxatierapport NRVT 2025-1187",
        ),
        now=desk.now,
    )  # fmt: skip
    desk.cost(villa, "3200.00", date(2025, 10, 15), "maintenance", "Locks and alarm")
    desk.cost(villa, "1850.00", date(2025, 11, 1), "insurance", "Opstalverzekering 2025/26")
    return villa.reference


def _dubai(desk: Desk, director: str, report: str) -> str:
    nl = "nl-np.officer"
    flat = desk.asset(
        nl,
        NL_LAW,
        DRUGS,
        kind="real_estate",
        description="Apartment 2304, Marina Gate, Dubai",
        country="AE",
        value="3200000",
        currency="AED",
        valued_on="2025-06-10",
        provenance="financial_report",
        provenance_ref=report,
        owners=[{"record_id": director, "percentage": "100"}],
    )
    account = desk.asset(
        nl,
        NL_LAW,
        DRUGS,
        kind="bank_account",
        description="Current account of the finance director, Gulf Meridian Bank, Dubai",
        country="AE",
        value="412000",
        currency="AED",
        valued_on="2025-08-01",
        provenance="financial_report",
        provenance_ref=report,
        owners=[{"record_id": director, "percentage": "100"}],
    )
    desk.move(
        nl, account, S.traced, date(2025, 8, 15),
        note="Statements Jan-Jul 2025 obtained through the UAE FIU: balance AED 412,000",
    )  # fmt: skip
    expires = desk.now.date() + timedelta(days=18)
    freezing = desk.order(
        nl, "freezing", flat, reference="RC 25/3391 (beslag, buitenland)",
        authority="Rechtbank Rotterdam, rechter-commissaris", country="NL",
        issued_on="2025-07-01", expires_on=expires.isoformat(),
        judicial_reference="NL-MLA-2025-0117",
    )  # fmt: skip
    desk.recognised(
        freezing,
        "AE",
        nl,
        "ae-moj.officer",
        "Dubai Public Prosecution",
        date(2025, 7, 20),
        "NL-MLA-2025-0117",
    )
    desk.move("ncb-ae.officer", flat, S.frozen, date(2025, 7, 28), freezing)
    return flat.reference


def _rotterdam(desk: Desk, distributor: str) -> list[str]:
    nl = "nl-np.officer"
    court = {"authority": "Rechtbank Rotterdam, rechter-commissaris", "country": "NL"}
    made = []

    car = desk.asset(
        nl, NL_LAW, DRUGS, kind="vehicle", description="Audi RS6 Avant, kenteken R-481-LK",
        country="NL", value="98000", currency="EUR", valued_on="2025-03-01",
        owners=[{"record_id": distributor, "percentage": "100"}],
    )  # fmt: skip
    seizure = desk.order(
        nl, "seizure", car, reference="RC 25/0602", issued_on="2025-03-03",
        expires_on="2027-03-03", **court,
    )  # fmt: skip
    desk.move(nl, car, S.seized, date(2025, 3, 5), seizure)
    sale = desk.order(
        nl, "interlocutory_sale", car, reference="RC 25/0977 (vervreemding)",
        issued_on="2025-04-10", conditions="Depreciating asset: sale at auction", **court,
    )  # fmt: skip
    management.sell(
        desk.world.session,
        principal=desk.world.principal(nl),
        settings=desk.world.settings,
        asset_id=car.id,
        payload=SaleIn(
            order=sale.id, amount=Decimal("61500"), currency="EUR", sold_on=date(2025, 4, 20),
            note="Domeinenveiling lot 2025-04-117",
        ),
        now=desk.now,
    )  # fmt: skip
    confiscation = desk.order(
        nl, "confiscation", car, reference="ECLI:NL:RBROT:2025:7742",
        authority="Rechtbank Rotterdam, meervoudige strafkamer", country="NL",
        legal_basis="value_based", issued_on="2025-09-15",
    )  # fmt: skip
    desk.move(nl, car, S.confiscated, date(2025, 9, 30), confiscation)
    budget = desk.order(
        nl, "disposal", car, reference="OM-ONT-2025-2207", disposal="state_budget",
        authority="Openbaar Ministerie, Centraal Justitieel Incassobureau", country="NL",
        issued_on="2025-10-08",
    )  # fmt: skip
    desk.move(nl, car, S.disposed, date(2025, 10, 10), budget)
    made.append(car.reference)

    cash = desk.asset(
        nl, NL_LAW, DRUGS, kind="cash",
        description="EUR 480,000 in cash, banana container MSKU 907312-8, Maasvlakte",
        country="NL", value="480000", currency="EUR", valued_on="2025-01-18",
    )  # fmt: skip
    seizure = desk.order(
        nl, "seizure", cash, reference="RC 25/0118", issued_on="2025-01-19",
        expires_on="2026-01-19", **court,
    )  # fmt: skip
    desk.move(nl, cash, S.seized, date(2025, 1, 20), seizure)
    forfeiture = desk.order(
        nl, "confiscation", cash, reference="ECLI:NL:RBROT:2025:5120",
        authority="Rechtbank Rotterdam, raadkamer", country="NL",
        legal_basis="non_conviction_based", issued_on="2025-06-27",
    )  # fmt: skip
    desk.move(nl, cash, S.confiscated, date(2025, 6, 30), forfeiture)
    sharing = desk.order(
        nl, "disposal", cash, reference="NL-CO asset sharing agreement 2025/04",
        authority="Ministerie van Justitie en Veiligheid", country="NL", disposal="sharing",
        issued_on="2025-07-30",
        shares=[
            {"recipient": "Kingdom of the Netherlands", "country": "NL", "percent": "50"},
            {"recipient": "Republic of Colombia (FRISCO)", "country": "CO", "percent": "50"},
        ],
    )  # fmt: skip
    desk.move(nl, cash, S.disposed, date(2025, 8, 1), sharing)
    desk.move(nl, cash, S.shared, date(2025, 8, 20), sharing, note="Transfers 2025-08-20")
    made.append(cash.reference)

    wallet = desk.asset(
        nl, NL_LAW, DRUGS, kind="crypto_wallet",
        description="Bitcoin wallet bc1q9h6y…x7kz (hardware wallet found at search)",
        country="NL", value="95000", currency="EUR", valued_on="2025-04-30",
    )  # fmt: skip
    freezing = desk.order(
        nl, "freezing", wallet, reference="RC 25/1190", issued_on="2025-04-30",
        expires_on="2026-04-30", **court,
    )  # fmt: skip
    desk.move(nl, wallet, S.frozen, date(2025, 5, 1), freezing)
    release = desk.order(
        nl, "release", wallet, reference="RK 25/2274 (klaagschrift gegrond)",
        issued_on="2025-08-08",
        conditions="No sufficient link between the wallet and the offence", **court,
    )  # fmt: skip
    desk.move(nl, wallet, S.released, date(2025, 8, 10), release)
    made.append(wallet.reference)

    watches = desk.asset(
        nl, NL_LAW, DRUGS, kind="valuables",
        description="Rolex Daytona and Patek Philippe Nautilus, safe-deposit box, Rotterdam",
        country="NL", value="185000", currency="EUR", valued_on="2025-09-20",
        owners=[{"record_id": distributor, "percentage": "100"}],
    )  # fmt: skip
    lapsed = desk.now.date() - timedelta(days=6)
    freezing = desk.order(
        nl, "freezing", watches, reference="RC 25/2710", issued_on="2025-09-22",
        expires_on=lapsed.isoformat(), **court,
    )  # fmt: skip
    desk.move(nl, watches, S.frozen, date(2025, 9, 24), freezing)
    made.append(watches.reference)

    flat = desk.asset(
        nl, NL_LAW, DRUGS, kind="real_estate",
        description="Holiday flat, Urbanización Las Lomas 7, Estepona",
        country="ES", value="640000", currency="EUR", valued_on="2025-10-02",
        owners=[{"record_id": distributor, "percentage": "100"}],
    )  # fmt: skip
    seizure = desk.order(
        nl, "seizure", flat, reference="RC 25/2988 (beslag, buitenland)", issued_on="2025-10-06",
        expires_on="2027-10-06", judicial_reference="NL-MLA-2025-0164", **court,
    )  # fmt: skip
    orders.request_recognition(
        desk.world.session,
        principal=desk.world.principal(nl),
        order_id=seizure.id,
        payload=RecognitionIn(country="ES", judicial_reference="NL-MLA-2025-0164"),
        now=desk.now,
    )
    made.append(flat.reference)
    return made


def _abroad(desk: Desk) -> None:
    co = "co-dijin.officer"
    finca = desk.asset(
        co, "Ley 1708 de 2014 (Código de Extinción de Dominio)", DRUGS, kind="real_estate",
        description="Finca La Esperanza, vereda Zungo, Carepa (Urabá)", country="CO",
        value="1850000000", currency="COP", valued_on="2024-11-15",
        provenance_ref="Fiscalía 45 Especializada EDA, radicado 2024-00187",
    )  # fmt: skip
    judge = {
        "authority": "Juzgado Penal del Circuito Especializado de Extinción de Dominio de "
        "Antioquia",
        "country": "CO",
    }
    first = desk.order(
        co, "freezing", finca, reference="2024-00187 (medida cautelar)", issued_on="2024-12-05",
        expires_on="2025-12-05", legal_basis="non_conviction_based", **judge,
    )  # fmt: skip
    desk.move(co, finca, S.frozen, date(2024, 12, 10), first)
    renewal = desk.order(
        co, "freezing", finca, reference="2024-00187 (prórroga)", issued_on="2025-11-20",
        expires_on="2026-12-05", renews=str(first.id), legal_basis="non_conviction_based",
        **judge,
    )  # fmt: skip
    desk.move(co, finca, S.frozen, date(2025, 11, 21), renewal)
    truck = desk.asset(
        co, "Ley 1708 de 2014 (Código de Extinción de Dominio)", DRUGS, kind="vehicle",
        description="Toyota Land Cruiser Prado, placa KTM-318, Medellín", country="CO",
        value="260000000", currency="COP", valued_on="2024-12-01",
        provenance_ref="Fiscalía 45 Especializada EDA, radicado 2024-00187",
    )  # fmt: skip
    seizure = desk.order(
        co, "seizure", truck, reference="2024-00187 (embargo y secuestro)",
        issued_on="2024-12-05", expires_on="2026-12-05", **judge,
    )  # fmt: skip
    desk.move(co, truck, S.seized, date(2024, 12, 12), seizure)
    ruling = desk.order(
        co, "confiscation", truck, reference="Sentencia 2025-031 (extinción de dominio)",
        legal_basis="non_conviction_based", issued_on="2025-10-14", **judge,
    )  # fmt: skip
    desk.move(co, truck, S.confiscated, date(2025, 10, 15), ruling)

    leader_notice = desk.world.session.scalar(
        select(Notice).where(Notice.kind == NoticeKind.silver).order_by(Notice.created_at)
    )
    if leader_notice is not None:
        yacht = AssetIn.model_validate(
            {
                "kind": "vessel",
                "description": "Motor yacht Mar Abierto II, berth 412, Puerto Banús",
                "country": "ES",
                "value": "1900000",
                "currency": "EUR",
                "valued_on": "2025-09-12",
                "provenance": "silver_notice",
                "provenance_ref": leader_notice.entity_id or str(leader_notice.id),
                "envelope": {
                    "legal_basis": "Ley de Enjuiciamiento Criminal, art. 367 septies",
                    "purposes": ["asset_recovery"],
                    "offences": [DRUGS],
                },
            }
        )
        silver.answer(
            desk.world.session,
            principal=desk.world.principal("es-udyco.officer"),
            settings=desk.world.settings,
            notice_id=leader_notice.id,
            payload=AnswerIn(assets=[yacht]),
            now=desk.now,
        )

    fr = "fr-ofast.officer"
    paris = desk.asset(
        fr, "Code de procédure pénale, art. 706-141 et s.", TRAFFICKING, kind="real_estate",
        description="Apartment, 14 rue des Petites Écuries, Paris 10e", country="FR",
        value="720000", currency="EUR", valued_on="2024-10-01",
        provenance_ref="Information judiciaire JIRS Paris 24/0093",
    )  # fmt: skip
    cour = {"authority": "Tribunal judiciaire de Paris, JLD", "country": "FR"}
    saisie = desk.order(
        fr, "seizure", paris, reference="Saisie pénale immobilière 24/118", issued_on="2024-10-14",
        expires_on="2026-10-14", **cour,
    )  # fmt: skip
    desk.move(fr, paris, S.seized, date(2024, 10, 15), saisie)
    confiscation = desk.order(
        fr, "confiscation", paris, reference="TJ Paris, 16e ch., jugement 25/0442",
        authority="Tribunal judiciaire de Paris, 16e chambre", country="FR",
        legal_basis="conviction_based", issued_on="2025-05-22",
    )  # fmt: skip
    desk.move(fr, paris, S.confiscated, date(2025, 6, 23), confiscation)
    victims = desk.order(
        fr, "disposal", paris, reference="AGRASC 2025/1187", disposal="compensation_of_victims",
        authority="AGRASC (Agence de gestion et de recouvrement des avoirs saisis et confisqués)",
        country="FR", issued_on="2025-10-02",
        shares=[{"recipient": "Victims of the ring (FGTI, 14 civil parties)", "percent": "100"}],
    )  # fmt: skip
    desk.move(fr, paris, S.disposed, date(2025, 10, 3), victims)
    desk.move(fr, paris, S.transferred_to_victims, date(2025, 11, 14), victims)

    ro = "ro-diicot.officer"
    jewels = desk.asset(
        ro, "Codul de procedură penală, art. 249 (sechestru)", TRAFFICKING, kind="valuables",
        description="Gold jewellery and RON 310,000 in cash, house search in Galați",
        country="RO", value="540000", currency="RON", valued_on="2025-03-12",
        provenance_ref="DIICOT dosar 112/D/P/2024",
    )  # fmt: skip
    sechestru = desk.order(
        ro, "seizure", jewels, reference="DIICOT Galați, ordonanța 112/D/P/2024",
        authority="DIICOT, Biroul Teritorial Galați", country="RO", issued_on="2025-03-12",
        expires_on="2026-09-12",
    )  # fmt: skip
    desk.move(ro, jewels, S.seized, date(2025, 3, 13), sechestru)

    za = "za-dpci.officer"
    shares = desk.asset(
        za, "Prevention of Organised Crime Act 121 of 1998, ch. 5", WILDLIFE, kind="shares",
        description="60 % of the shares in Bluff Road Logistics (Pty) Ltd, Durban",
        country="ZA", value="14500000", currency="ZAR", valued_on="2024-08-20",
        provenance_ref="DPCI Durban CAS 311/05/2024 (Operation Tusk)",
    )  # fmt: skip
    high_court = {"authority": "High Court of South Africa, KwaZulu-Natal", "country": "ZA"}
    restraint = desk.order(
        za, "seizure", shares, reference="Restraint order D7714/2024", issued_on="2024-08-28",
        expires_on="2026-08-28", **high_court,
    )  # fmt: skip
    desk.move(za, shares, S.seized, date(2024, 9, 2), restraint)
    forfeiture = desk.order(
        za, "confiscation", shares, reference="Confiscation order D7714/2024 (s 18 POCA)",
        legal_basis="conviction_based", issued_on="2025-07-04", **high_court,
    )  # fmt: skip
    desk.move(za, shares, S.confiscated, date(2025, 7, 4), forfeiture)
    kenya = desk.order(
        za, "disposal", shares, reference="CARA 2025/31 (Criminal Assets Recovery Account)",
        authority="Minister of Justice and Constitutional Development", country="ZA",
        disposal="return_to_requesting_state", issued_on="2025-10-20",
        shares=[{"recipient": "Republic of Kenya (Kenya Wildlife Service)", "country": "KE",
                 "percent": "100"}],
    )  # fmt: skip
    desk.move(za, shares, S.disposed, date(2025, 10, 21), kenya)
    desk.move(za, shares, S.returned, date(2025, 11, 10), kenya)
