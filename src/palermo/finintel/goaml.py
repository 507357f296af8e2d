"""goAML 5.0.2 reports (UNODC's XML format for STR, SAR, DPMSR…) read into a `Filing`.

A file goes through four gates and is refused with every problem the gates find, never half
read: its encoding, well-formed XML without DTD (defusedxml: no entity bomb, no external
reference), the goAML XSD (`schemas/goaml/`, see SOURCES.md), then the business rules of
`palermo.finintel.rules`. Problems name the element by path, `/report/transaction[2]/amount_local`:
an element the schema lets repeat always carries its index.

goAML dates are local times without zone; we take them as UTC (a day of clock skew is allowed
where "not in the future" is checked).

Each transaction becomes a `Transfer` between account entities. A side given as an account is
that account; a side given as a person or legal entity is cash (no account, `None`) when its
funds code is CASH, and otherwise that party's account at an institution the report does not
name (a BankAccount whose id derives from the party's): the flow is kept, never dropped.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import ErrorString

import xmlschema
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser
from xmlschema.validators import XsdGroup

from palermo.finintel.filing import Filing, Problem, ReportRejected, Transfer
from palermo.finintel.rules import (
    At,
    EntitySet,
    ReportFacts,
    Side,
    TransactionFacts,
    account_id,
    check_report,
    company_id,
    local_id,
    person_id,
    record_transfer,
    resolve_side,
    undecodable,
    utc,
)
from palermo.screening.lists import EntityDraft, joined

SCHEMA_FILE = Path(__file__).parent / "schemas" / "goaml" / "goaml_5.0.2_goAMLSchema.xsd"
DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
UNKNOWN = "-"  # goAML's code for an unknown country, gender, role…
GENDERS = {"M": "male", "F": "female"}
# Roles of a multi-party transaction (`involved_parties`) that pay, and that are paid.
PAYING_ROLES = frozenset({"RMITR", "CASHD", "BUY", "RENTR"})
PAID_ROLES = frozenset({"BNFCR", "SELL", "RENTE", "MRCNT", "SPLIR"})
# Dates that cannot be in the future, besides the submission and the transactions.
PAST_DATES = ("birthdate", "incorporation_date", "issue_date", "opened")
PARTY_TAGS = ("account", "person", "entity")


@lru_cache(maxsize=1)
def goaml_schema() -> xmlschema.XMLSchema11:
    """The schema, loaded once (about a second). XSD 1.1: see SOURCES.md."""
    return xmlschema.XMLSchema11(SCHEMA_FILE)


def read_goaml(data: bytes) -> Filing:
    """A goAML report as a `Filing`, or `ReportRejected` listing every problem found."""
    root = _parse(_decode(data))
    schema = goaml_schema()
    doc = _Document(root, schema)
    try:
        problems = [doc.xsd_problem(error) for error in schema.iter_errors(root)]
    except OverflowError:  # elementpath's dates stop at year 999999999
        raise ReportRejected([Problem("/", "xsd", "a date's year is out of range")]) from None
    refused_at = {problem.path for problem in problems}
    # A value the schema refused is not judged again by the business rules.
    rules = check_report(_facts(doc), prefix="goaml")
    problems += [problem for problem in rules if problem.path not in refused_at]
    if problems:
        raise ReportRejected(problems)
    return _FilingReader(doc).filing()


def _decode(data: bytes) -> str:
    """The text of the file in its declared encoding (UTF-8 when it declares none)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = DECLARED_ENCODING.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        problem = Problem("line 1", "encoding", "unknown encoding declared", encoding)
        raise ReportRejected([problem]) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ReportRejected([undecodable(data, error)]) from None


def _parse(text: str) -> Element:
    # The text is decoded already: expat reads it as such, whatever the declaration says.
    parser = XMLParser(forbid_dtd=True)
    expat = parser.parser
    try:
        parser.feed(text)
        root: Element = parser.close()
    except ParseError as error:
        line, column = error.position  # expat counts columns from 0
        message = f"not well-formed XML: {ErrorString(error.code)}"
        where = f"line {line}, column {column + 1}"
        raise ReportRejected([Problem(where, "xml", message)]) from None
    except DefusedXmlException as error:
        message = (
            "document type declarations (DOCTYPE) are refused: goAML has none, and their"
            f" entities can expand without bound or read local files [{type(error).__name__}]"
        )
        where = f"line {expat.CurrentLineNumber}"
        raise ReportRejected([Problem(where, "xml", message)]) from None
    return root


@lru_cache(maxsize=4096)
def _declaration(parent: xmlschema.XsdElement | None, tag: str) -> xmlschema.XsdElement | None:
    """The schema's declaration of a child `tag` of `parent`, preferring a repeatable one."""
    content = getattr(parent.type, "content", None) if parent is not None else None
    if not isinstance(content, XsdGroup):
        return None
    found = [
        child
        for child in content.iter_elements()
        if isinstance(child, xmlschema.XsdElement) and child.name == tag
    ]
    return next((child for child in found if not child.is_single()), found[0] if found else None)


class _Document:
    """The parsed report with each element's path, and the elements of the schema's code
    types (country_type, currency_type…) that the business rules check."""

    def __init__(self, root: Element, schema: xmlschema.XMLSchema11) -> None:
        self.root = root
        self.paths: dict[Element, str] = {}
        self.typed: dict[str, list[Element]] = defaultdict(list)
        self._walk(root, schema.elements.get(root.tag), f"/{root.tag}")

    def _walk(self, element: Element, declaration: xmlschema.XsdElement | None, path: str) -> None:
        self.paths[element] = path
        if declaration is not None and declaration.type.local_name:
            self.typed[declaration.type.local_name].append(element)
        counts = Counter(child.tag for child in element)
        seen: Counter[str] = Counter()
        for child in element:
            seen[child.tag] += 1
            child_declaration = _declaration(declaration, child.tag)
            repeatable = child_declaration is not None and not child_declaration.is_single()
            index = f"[{seen[child.tag]}]" if repeatable or counts[child.tag] > 1 else ""
            self._walk(child, child_declaration, f"{path}/{child.tag}{index}")

    def path(self, element: Element) -> str:
        return self.paths[element]

    def at(self, parent: Element, tag: str) -> At[str]:
        """A child's text and path; a missing child is placed at its parent, where the
        schema reports it."""
        child = parent.find(tag)
        if child is None:
            return At("", self.path(parent))
        return At((child.text or "").strip(), self.path(child))

    def xsd_problem(self, error: xmlschema.XMLSchemaValidationError) -> Problem:
        element = error.elem
        path = self.paths.get(element, error.path or "/") if element is not None else "/"
        value = error.obj if isinstance(error.obj, str) else None
        reason = " ".join((error.reason or error.message).split())
        if reason.startswith("value must be one of ["):
            reason = "value is not one of the codes the schema allows"
        return Problem(path, "xsd", reason, value)


def _text(element: Element | None, tag: str) -> str:
    """The stripped text of a child; goAML's "-" (unknown) reads as nothing."""
    child = element.find(tag) if element is not None else None
    text = (child.text or "").strip() if child is not None else ""
    return "" if text == UNKNOWN else text


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _datetime(text: str) -> datetime | None:
    try:
        return utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def _date(text: str) -> str:
    """YYYY-MM-DD of a goAML dateTime (birth dates come as 1989-07-02T00:00:00)."""
    moment = _datetime(text)
    return moment.date().isoformat() if moment else ""


def _facts(doc: _Document) -> ReportFacts:
    """What the business rules judge, read leniently: the schema reports unreadable values."""
    root = doc.root
    submitted = _moment(doc, root, "submission_date") or _moment(doc, root, "report_date")
    indicators = root.find("report_indicators")
    return ReportFacts(
        path=doc.path(root),
        reference=doc.at(root, "entity_reference"),
        kind=doc.at(root, "report_code"),
        indicators=At(_indicators(root), doc.path(root if indicators is None else indicators)),
        submitted_at=submitted,
        submission_code=doc.at(root, "submission_code"),
        has_activity=root.find("activity") is not None,
        transactions=[_transaction_facts(doc, t) for t in root.iterfind("transaction")],
        currencies=_codes(doc, "currency_type"),
        countries=_codes(doc, "country_type"),
        past_dates=[
            At(moment, doc.path(element))
            for tag in PAST_DATES
            for element in root.iter(tag)
            if (moment := _datetime((element.text or "").strip())) is not None
        ],
    )


def _moment(doc: _Document, parent: Element, tag: str) -> At[datetime] | None:
    text = doc.at(parent, tag)
    moment = _datetime(text.value)
    return At(moment, text.path) if moment is not None else None


def _codes(doc: _Document, type_name: str) -> list[At[str]]:
    texts = [At((e.text or "").strip(), doc.path(e)) for e in doc.typed.get(type_name, [])]
    return [text for text in texts if text.value and text.value != UNKNOWN]


def _transaction_facts(doc: _Document, transaction: Element) -> TransactionFacts:
    amounts = [
        At(amount, doc.path(element))
        for element in [transaction.find("amount_local"), *transaction.iter("foreign_amount")]
        if element is not None and (amount := _decimal((element.text or "").strip())) is not None
    ]
    parties = transaction.findall("involved_parties/party")
    if parties:
        roles = [_text(party, "role") for party in parties]
        sources = sum(role in PAYING_ROLES for role in roles)
        targets = sum(role in PAID_ROLES for role in roles)
    else:
        sources = len(transaction.findall("t_from")) + len(transaction.findall("t_from_my_client"))
        targets = len(transaction.findall("t_to")) + len(transaction.findall("t_to_my_client"))
    number = doc.at(transaction, "transactionnumber")
    return TransactionFacts(
        path=doc.path(transaction),
        number=number if number.value else None,
        time=_moment(doc, transaction, "date_transaction"),
        amounts=amounts,
        sources=sources,
        targets=targets,
    )


@dataclass(frozen=True)
class _Party:
    """A party as a transaction sees it: who (a person, an entity, an account's first holder)
    and the account, when the report names one."""

    holder: str | None
    account: str | None = None

    @property
    def entity(self) -> str:
        entity = self.account or self.holder
        assert entity is not None
        return entity


class _FilingReader:
    """Maps a report the gates passed to a `Filing`: FtM entities, subjects, transfers."""

    def __init__(self, doc: _Document) -> None:
        self.doc = doc
        self.entities = EntitySet()
        self.subjects: set[str] = set()

    def filing(self) -> Filing:
        root = self.doc.root
        submitted = _datetime(_text(root, "submission_date") or _text(root, "report_date"))
        assert submitted is not None  # the schema requires one of them, a valid dateTime
        transfers = tuple(self._transfer(t) for t in root.iterfind("transaction"))
        parties = root.iterfind("activity/report_parties/report_party")
        report_parties = [self._report_party(party) for party in parties]
        return Filing(
            reference=_text(root, "entity_reference"),
            kind=_text(root, "report_code"),
            reporter_id=_text(root, "rentity_id"),
            submitted_at=submitted,
            currency=_text(root, "currency_code_local"),
            reason=_text(root, "reason"),
            action=_text(root, "action") or None,
            branch=_text(root, "rentity_branch") or None,
            indicators=_indicators(root),
            entities=self.entities.to_tuple(),
            subjects=frozenset(self.subjects),
            transfers=transfers,
            format="goaml",
            extra=self._extra(report_parties),
        )

    def _extra(self, report_parties: list[dict[str, Any]]) -> dict[str, Any]:
        root = self.doc.root
        extra: dict[str, Any] = {"submission_code": _text(root, "submission_code")}
        reporter = root.find("reporting_person")
        if reporter is not None:
            # The reporter's officer (the MLRO) files the report: not a party to it.
            extra["reporting_person"] = {
                "name": _person_name(reporter),
                "occupation": _text(reporter, "occupation") or None,
            }
        for tag in ("reporting_user_code", "fiu_ref_number", "prev_rejected_ref_number"):
            if _text(root, tag):
                extra[tag] = _text(root, tag)
        location = root.find("location")
        if location is not None:
            extra["location"] = _address(location)
        if report_parties:
            extra["report_parties"] = report_parties
        items = [_simple_children(item) for item in root.iterfind("activity/goods_services/item")]
        for transaction in root.iterfind("transaction"):
            number = {"transactionnumber": _text(transaction, "transactionnumber")}
            for item in transaction.iterfind("goods_services/item"):
                items.append(number | _simple_children(item))
        if items:
            extra["goods_services"] = items
        return extra

    def _report_party(self, element: Element) -> dict[str, Any]:
        """A party of an activity report: a subject of the report, whatever its kind."""
        party = self._party(element, subject=True)
        return {
            "entity": party.entity,
            "role": _text(element, "role") or None,
            "reason": _text(element, "reason") or None,
            "significance": _text(element, "significance") or None,
            "comments": _text(element, "comments") or None,
        }

    def _party(self, element: Element, *, subject: bool = False) -> _Party:
        """The entity a party element names (account, person or entity, client or not)."""
        for tag in PARTY_TAGS:
            for found in (element.find(tag), element.find(f"{tag}_my_client")):
                if found is None:
                    continue
                client = subject or found.tag.endswith("_my_client")
                if tag == "account":
                    return self._account(found, client=client)
                if tag == "person":
                    return _Party(self._person(found, client=client))
                return _Party(self._company(found, client=client))
        raise AssertionError("the schema requires an account, a person or an entity")

    def _transfer(self, transaction: Element) -> Transfer:
        parties = transaction.findall("involved_parties/party")
        if parties:
            source = self._role_side(parties, PAYING_ROLES)
            target = self._role_side(parties, PAID_ROLES)
            for party in parties:  # brokers, lawyers…: entities of the report, on no side
                if _text(party, "role") not in PAYING_ROLES | PAID_ROLES:
                    self._party(party)
            foreign = [party.find("foreign_currency") for party in parties]
        else:
            from_side = _one(transaction, "t_from", "t_from_my_client")
            to_side = _one(transaction, "t_to", "t_to_my_client")
            source = self._side(from_side, "from")
            target = self._side(to_side, "to")
            foreign = [from_side.find("from_foreign_currency"), to_side.find("to_foreign_currency")]
        amount = _decimal(_text(transaction, "amount_local"))
        currency = _text(self.doc.root, "currency_code_local")
        exchanged = next((found for found in foreign if found is not None), None)
        if exchanged is not None:
            amount = _decimal(_text(exchanged, "foreign_amount"))
            currency = _text(exchanged, "foreign_currency_code")
        time = _datetime(_text(transaction, "date_transaction"))
        assert amount is not None, "the schema checked the amount"
        assert time is not None, "the schema checked the date"
        return record_transfer(
            self.entities,
            number=_text(transaction, "transactionnumber"),
            time=time,
            amount=amount,
            currency=currency,
            source=source,
            target=target,
            channel=_text(transaction, "transmode_code"),
            description=_text(transaction, "transaction_description"),
        )

    def _side(self, side: Element, direction: str) -> Side:
        """A bi-party side (t_from, t_to_my_client…): its party, conductor and account."""
        client = side.tag.endswith("_my_client")
        account = side.find(f"{direction}_account")
        person = side.find(f"{direction}_person")
        if account is not None:
            party = self._account(account, client=client)
        elif person is not None:
            party = _Party(self._person(person, client=client))
        else:
            entity = _required(side, f"{direction}_entity")
            party = _Party(self._company(entity, client=client))
        resolved = self._resolve(
            party, _text(side, f"{direction}_funds_code"), _text(side, f"{direction}_country")
        )
        conductor = side.find("t_conductor")
        if conductor is not None and resolved.party is not None:
            agent = self._person(conductor, client=False)
            self.entities.link("Representation", agent=agent, client=resolved.party)
        return resolved

    def _role_side(self, parties: list[Element], roles: frozenset[str]) -> Side:
        """The side of a multi-party transaction: its (one) party paying, or paid."""
        party = next(p for p in parties if _text(p, "role") in roles)
        return self._resolve(
            self._party(party), _text(party, "funds_code"), _text(party, "country")
        )

    def _resolve(self, party: _Party, funds_code: str, country: str) -> Side:
        return resolve_side(
            self.entities,
            account=party.account,
            party=party.holder,
            cash=funds_code == "CASH",
            country=country or None,
        )

    def _person(self, element: Element, *, client: bool) -> str:
        name = _person_name(element)
        birth_date = _date(_text(element, "birthdate"))
        entity_id = person_id(name, birth_date, _text(element, "id_number"))
        person = self.entities.get(entity_id, "Person")
        person.add("name", name)
        person.add("firstName", _text(element, "first_name"))
        person.add("middleName", _text(element, "middle_name"))
        person.add("lastName", _text(element, "last_name"))
        person.add("title", _text(element, "title"))
        person.add("gender", GENDERS.get(_text(element, "gender")))
        person.add("birthDate", birth_date)
        person.add("birthPlace", _text(element, "birth_place"))
        person.add("birthCountry", _text(element, "country_of_birth"))
        person.add("motherName", _text(element, "mothers_name"))
        person.add("alias", _text(element, "alias"), _text(element, "full_name_frn"))
        person.add("previousName", _text(element, "previous_names"))
        person.add("idNumber", _text(element, "id_number"))
        person.add("socialSecurityNumber", _text(element, "ssn"))
        person.add("passportNumber", _text(element, "passport_number"))
        for tag in ("nationality1", "nationality2", "nationality3"):
            person.add("nationality", _text(element, tag))
        person.add("country", _text(element, "residence"))
        person.add("profession", _text(element, "occupation"))
        person.add("taxNumber", _text(element, "tax_number"))
        person.add("deathDate", _date(_text(element, "date_deceased")))
        person.add("notes", _text(element, "comments"))
        self._contacts(person, element)
        passport = _text(element, "passport_number")
        if passport:
            self._document(entity_id, "PASSP", passport, _text(element, "passport_country"))
        documents = element.iterfind("identifications/identification")
        for document in [*element.iterfind("identification"), *documents]:
            dates = (_date(_text(document, "issue_date")), _date(_text(document, "expiry_date")))
            self._document(
                entity_id,
                _text(document, "type"),
                _text(document, "number"),
                _text(document, "issue_country"),
                authority=_text(document, "issued_by"),
                dates=dates,
            )
        if client:
            self.subjects.add(entity_id)
        return entity_id

    def _document(
        self,
        holder: str,
        kind: str,
        number: str,
        country: str,
        *,
        authority: str = "",
        dates: tuple[str, str] = ("", ""),
    ) -> None:
        """An identity document; the same document named twice (passport_number and an
        identification of type PASSP) is one entity."""
        schema = "Passport" if kind == "PASSP" else "Identification"
        document = self.entities.get(local_id("id", kind, number, country), schema)
        document.add("holder", holder)
        document.add("type", kind)
        document.add("number", number)
        document.add("country", country)
        document.add("authority", authority)
        document.add("startDate", dates[0])
        document.add("endDate", dates[1])

    def _company(self, element: Element, *, client: bool) -> str:
        name = _text(element, "name")
        registration = _text(element, "incorporation_number")
        jurisdiction = _text(element, "incorporation_country_code")
        entity_id = company_id(name, registration, jurisdiction)
        company = self.entities.get(entity_id, "Company")
        company.add("name", name)
        commercial_name = _text(element, "commercial_name")
        company.add("alias", commercial_name if commercial_name != name else None)
        company.add("legalForm", _text(element, "incorporation_legal_form"))
        company.add("registrationNumber", registration)
        company.add("jurisdiction", jurisdiction)
        company.add("sector", _text(element, "business"))
        company.add("incorporationDate", _date(_text(element, "incorporation_date")))
        company.add("dissolutionDate", _date(_text(element, "date_business_closed")))
        company.add("taxNumber", _text(element, "tax_number"))
        company.add("notes", _text(element, "comments"))
        self._contacts(company, element)
        for url in [*element.iterfind("url"), *element.iterfind("urls/url")]:
            company.add("website", url.text)
        for director in element.iterfind("director_id"):
            person = self._person(director, client=False)
            role = _text(director, "role")
            self.entities.link("Directorship", director=person, organization=entity_id, role=role)
        if client:
            self.subjects.add(entity_id)
        return entity_id

    def _account(self, element: Element, *, client: bool) -> _Party:
        """An account and its holders: the entity that holds it and its signatories, linked
        by Ownership (FtM's BankAccount has no holder). A client's holders are subjects."""
        number = _text(element, "account")
        institution = _text(element, "institution_code") or _text(element, "swift")
        entity_id = account_id(institution, number)
        account = self.entities.get(entity_id, "BankAccount")
        account.add("accountNumber", number)
        account.add("name", _text(element, "account_name"))
        account.add("iban", _text(element, "iban"))
        account.add("bankName", _text(element, "institution_name"))
        account.add("bic", _text(element, "swift"))
        account.add("currency", _text(element, "currency_code"))
        account.add("country", _text(element, "institution_country"))
        account.add("accountType", _text(element, "account_type"))
        account.add("openingDate", _date(_text(element, "opened")))
        account.add("closingDate", _date(_text(element, "closed")))
        account.add("balance", _text(element, "balance"))
        account.add("balanceDate", _date(_text(element, "date_balance")))
        account.add("notes", _text(element, "comments"))
        holders: list[str] = []
        holding = element.find("t_entity")
        if holding is not None:
            holders.append(self._company(holding, client=client))
            self.entities.link("Ownership", owner=holders[-1], asset=entity_id, role="holder")
        signatories = sorted(
            element.iterfind("signatory"), key=lambda s: _text(s, "is_primary") != "true"
        )
        for signatory in signatories:
            person = signatory.find("t_person")
            if person is not None:
                holders.append(self._person(person, client=client))
                role = _text(signatory, "role") or "signatory"
                self.entities.link("Ownership", owner=holders[-1], asset=entity_id, role=role)
        return _Party(holders[0] if holders else None, entity_id)

    def _contacts(self, entity: EntityDraft, element: Element) -> None:
        for phone in element.iterfind("phones/phone"):
            entity.add("phone", _phone(phone))
        for address in element.iterfind("addresses/address"):
            entity.add("address", _address(address))
        for email in [*element.iterfind("email"), *element.iterfind("emails/email")]:
            entity.add("email", email.text)


def _one(transaction: Element, *tags: str) -> Element:
    return next(e for tag in tags if (e := transaction.find(tag)) is not None)


def _required(parent: Element, tag: str) -> Element:
    found = parent.find(tag)
    assert found is not None, f"the schema requires {tag}"
    return found


def _indicators(root: Element) -> tuple[str, ...]:
    return tuple((i.text or "").strip() for i in root.iterfind("report_indicators/indicator"))


def _person_name(element: Element) -> str:
    parts = ("first_name", "middle_name", "last_name")
    return joined(*(_text(element, part) for part in parts), sep=" ")


def _phone(phone: Element) -> str:
    """E.164 when the country prefix is given: +971 and 509998877 give +971509998877."""
    number = _text(phone, "tph_number")
    prefix = _text(phone, "tph_country_prefix").lstrip("+0")
    if number.startswith("+") or not prefix:
        return number
    digits = "".join(c for c in number if c.isdigit()).lstrip("0")
    return f"+{prefix}{digits}"


def _address(address: Element) -> str:
    parts = ("address", "town", "city", "zip", "state", "country_code")
    texts = [_text(address, part) for part in parts]
    return joined(*dict.fromkeys(t for t in texts if t))  # Dubai, Dubai: once


def _simple_children(element: Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in element if len(child) == 0}
