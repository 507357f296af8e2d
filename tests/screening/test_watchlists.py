"""Loading published watch lists: records of the issuing authority, shared with everyone;
newer versions add, update, retire and relist entries; a bad entry loads nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palermo.errors import Invalid
from palermo.identity import repository as directory
from palermo.identity.principal import Principal, operator_principal
from palermo.identity.roles import AgencyKind, Role
from palermo.models.audit import AuditEvent
from palermo.models.base import utcnow
from palermo.models.identity import Agency
from palermo.models.records import Record, RecordShare
from palermo.models.screening import ListEntry as ListedRecord
from palermo.records import service as records
from palermo.records.envelope import AccessLevel, RecordStatus, ShareScope
from palermo.screening import service
from palermo.screening.lists import PARSERS, ListEntry, ListFile
from palermo.screening.scoring import ScreeningQuery
from palermo.screening.watchlists import LoadReport, load_list
from tests.conftest import Factory
from tests.records.helpers import INVESTIGATION, envelope, principal_of

DATA = Path(__file__).parent / "data"
UN = DATA / "un_consolidated.xml"
UN_REFERENCES = {"QDi.901", "KPi.901", "SOi.901", "QDe.901"}

# A newer version of the UN list: 9100002 (PAK CHOL SU) is delisted, 9100001 has a new
# surname, 9100004 is listed.
_REMOVED = re.compile(r"\s*<INDIVIDUAL>\s*<DATAID>9100002</DATAID>.*?</INDIVIDUAL>", re.DOTALL)
_ADDED = """
    <INDIVIDUAL>
      <DATAID>9100004</DATAID>
      <VERSIONNUM>1</VERSIONNUM>
      <FIRST_NAME>WAWRZYNIEC</FIRST_NAME>
      <SECOND_NAME>GZHIBOVSKY</SECOND_NAME>
      <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
      <REFERENCE_NUMBER>QDi.902</REFERENCE_NUMBER>
      <LISTED_ON>2025-03-01</LISTED_ON>
      <INDIVIDUAL_DATE_OF_BIRTH>
        <TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
        <DATE>1951-05-05</DATE>
      </INDIVIDUAL_DATE_OF_BIRTH>
    </INDIVIDUAL>
  </INDIVIDUALS>"""


def newer_un_list(tmp_path: Path) -> Path:
    text = UN.read_text(encoding="utf-8")
    text, removed = _REMOVED.subn("", text, count=1)
    assert removed == 1
    renamed = text.replace(
        "<FOURTH_NAME>AL-HASSANI</FOURTH_NAME>", "<FOURTH_NAME>QURAYSHI</FOURTH_NAME>"
    )
    assert renamed != text
    text = renamed.replace("\n  </INDIVIDUALS>", _ADDED, 1)
    path = tmp_path / "un_newer.xml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Setting:
    db: Session
    factory: Factory
    authority: Agency
    operator: Principal
    french: Principal  # an officer of another agency
    analyst: Principal  # of the authority itself

    def load(self, path: Path, source: str = "un") -> LoadReport:
        return self.load_file(PARSERS[source](path))

    def load_file(self, listing: ListFile) -> LoadReport:
        report = load_list(
            self.db,
            principal=self.operator,
            settings=self.factory.settings,
            listing=listing,
            agency=self.authority.code,
            now=utcnow(),
        )
        self.db.commit()
        return report

    def rid(self, data_id: str) -> str:
        return f"{self.authority.code.lower()}.un-{data_id}"

    def screen(self, principal: Principal, name: str, **fields: str) -> list[str]:
        hits = service.screen(
            self.db,
            principal=principal,
            context=INVESTIGATION,
            query=ScreeningQuery.of(name, **fields),
            now=utcnow(),
        )
        self.db.commit()
        return [h.record_id for h in hits]

    def listed(self) -> dict[str, ListedRecord]:
        self.db.expire_all()
        rows = self.db.scalars(
            select(ListedRecord)
            .join(Record, Record.id == ListedRecord.record_id)
            .where(Record.owner_agency_id == self.authority.id)
        )
        return {row.record_id: row for row in rows}

    def owned(self) -> dict[str, Record]:
        self.db.expire_all()
        rows = self.db.scalars(select(Record).where(Record.owner_agency_id == self.authority.id))
        return {r.id: r for r in rows}


@pytest.fixture
def setting(db: Session, factory: Factory) -> Setting:
    # An agency code of its own: the screening index outlives each test's transaction.
    code = f"UNSC-{uuid.uuid4().hex[:6].upper()}"
    authority = factory.agency(code, kind=AgencyKind.sanctions_authority, country="US")
    french = factory.user("jean", Role.officer, agency=factory.agency("NCB-FR", country="FR"))[0]
    analyst = factory.user("ana", Role.analyst, agency=authority)[0]
    return Setting(
        db=db,
        factory=factory,
        authority=authority,
        operator=operator_principal(directory.hosted_agency_ids(db)),
        french=principal_of(db, french),
        analyst=principal_of(db, analyst),
    )


def test_a_list_becomes_public_records_of_its_authority(setting: Setting) -> None:
    report = setting.load(UN)
    assert report == LoadReport(
        source="un",
        agency=setting.authority.code,
        added=4,
        updated=0,
        unchanged=0,
        retired=0,
        relisted=0,
    )
    owned = setting.owned()
    assert set(owned) == {setting.rid(i) for i in ("9100001", "9100002", "9100003", "9200001")}
    assert {r.origin for r in owned.values()} == {"list:un"}
    assert {r.status for r in owned.values()} == {RecordStatus.active}
    assert owned[setting.rid("9200001")].schema == "Organization"

    shares = setting.db.execute(
        select(RecordShare.record_id, RecordShare.scope, RecordShare.level).where(
            RecordShare.record_id.in_(owned)
        )
    ).all()
    assert sorted(shares) == sorted((rid, ShareScope.everyone, AccessLevel.full) for rid in owned)

    listed = setting.listed()
    assert set(listed) == set(owned)
    assert {row.source for row in listed.values()} == {"un"}
    assert {row.reference for row in listed.values()} == UN_REFERENCES
    first = listed[setting.rid("9100001")]
    assert first.reference == "QDi.901"
    assert first.listed_on == date(2011, 9, 22)
    assert all(row.retired_at is None for row in listed.values())

    [event] = setting.db.scalars(select(AuditEvent).where(AuditEvent.action == "watchlist.load"))
    assert event.content["detail"]["list"] == "un"
    assert event.content["detail"]["added"] == 4


def test_other_agencies_find_listed_persons_with_the_lists_reference(setting: Setting) -> None:
    setting.load(UN)
    [hit] = service.screen(
        setting.db,
        principal=setting.french,
        context=INVESTIGATION,
        query=ScreeningQuery.of("Abdullah Mohammed Saleh Al-Hassani", birth_date="1971-03-09"),
        now=utcnow(),
    )
    assert hit.record_id == setting.rid("9100001")
    assert hit.access == "full"
    assert hit.alert
    assert (hit.source, hit.source_ref) == ("un", "QDi.901")
    assert hit.owner_agency == setting.authority.code
    # In the original script too, and by passport number.
    assert setting.rid("9100001") in setting.screen(setting.french, "عبدالله محمد صالح الحسني")
    assert setting.screen(setting.french, "Someone Else", document="04417230") == [
        setting.rid("9100001")
    ]


def test_loading_the_same_list_again_changes_nothing(setting: Setting) -> None:
    setting.load(UN)
    before = {rid: r.version for rid, r in setting.owned().items()}
    report = setting.load(UN)
    assert (report.added, report.updated, report.unchanged, report.retired, report.relisted) == (
        0,
        0,
        4,
        0,
        0,
    )
    assert {rid: r.version for rid, r in setting.owned().items()} == before
    assert len(setting.listed()) == 4


def test_a_newer_list_adds_updates_retires_and_relists(setting: Setting, tmp_path: Path) -> None:
    setting.load(UN)
    pak, hassani, added = setting.rid("9100002"), setting.rid("9100001"), setting.rid("9100004")
    assert setting.screen(setting.french, "Pak Chol Su", birth_date="1962") == [pak]

    report = setting.load(newer_un_list(tmp_path))
    assert (report.added, report.updated, report.unchanged, report.retired, report.relisted) == (
        1,
        1,
        2,
        1,
        0,
    )
    owned = setting.owned()
    assert len(owned) == 5  # the retired record is kept, with its history
    assert owned[pak].status is RecordStatus.blocked
    assert owned[hassani].status is RecordStatus.active
    listed = setting.listed()
    assert listed[pak].retired_at is not None
    assert listed[added].reference == "QDi.902"
    assert listed[added].retired_at is None

    # The delisted person no longer hits for others; the authority itself still sees it.
    assert setting.screen(setting.french, "Pak Chol Su", birth_date="1962") == []
    assert pak in setting.screen(setting.analyst, "Pak Chol Su", birth_date="1962")
    # The new name hits; the new entry too.
    renamed = "Abdullah Mohammed Saleh Qurayshi"
    assert setting.screen(setting.french, renamed, birth_date="1971-03-09")[:1] == [hassani]
    assert setting.screen(setting.french, "Wawrzyniec Gzhibovsky") == [added]

    # The original list again: the delisted entry is listed again, the new one retired.
    again = setting.load(UN)
    assert (again.added, again.updated, again.unchanged, again.retired, again.relisted) == (
        0,
        1,
        3,
        1,
        1,
    )
    owned = setting.owned()
    assert owned[pak].status is RecordStatus.active
    assert owned[added].status is RecordStatus.blocked
    assert setting.listed()[pak].retired_at is None
    assert setting.screen(setting.french, "Pak Chol Su", birth_date="1962") == [pak]
    assert setting.screen(setting.french, "Wawrzyniec Gzhibovsky") == []


def test_a_retired_entry_is_not_retired_twice(setting: Setting, tmp_path: Path) -> None:
    setting.load(UN)
    newer = newer_un_list(tmp_path)
    setting.load(newer)
    version = setting.owned()[setting.rid("9100002")].version
    report = setting.load(newer)
    assert (report.retired, report.unchanged) == (0, 4)
    assert setting.owned()[setting.rid("9100002")].version == version


def count(db: Session, model: type, *where: object) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def nothing_written(setting: Setting) -> tuple[int, int, int]:
    return (
        count(setting.db, Record, Record.owner_agency_id == setting.authority.id),
        count(setting.db, ListedRecord),
        count(setting.db, AuditEvent, AuditEvent.action == "watchlist.load"),
    )


def test_an_invalid_entry_fails_the_whole_load_and_writes_nothing(setting: Setting) -> None:
    listing = PARSERS["un"](UN)
    before = nothing_written(setting)
    bad = ListEntry(
        reference="QDi.999",
        entity={
            "id": "un-9199999",
            "schema": "Person",
            "properties": {"name": ["Hieronim Pstrokonski"], "birthDate": ["1990-13-45"]},
        },
        listed_on=None,
    )
    # The bad entry comes last: the good ones before it must not be written either.
    with pytest.raises(Invalid) as refused:
        setting.load_file(ListFile(source="un", entries=[*listing.entries, bad]))
    assert "list entry QDi.999" in refused.value.message
    assert "1990-13-45" in refused.value.message
    setting.db.rollback()
    assert nothing_written(setting) == before
    assert setting.screen(setting.french, "Hieronim Pstrokonski") == []


def test_an_id_appearing_twice_fails_the_load(setting: Setting) -> None:
    listing = PARSERS["un"](UN)
    twice = ListFile(source="un", entries=[*listing.entries, listing.entries[0]])
    before = nothing_written(setting)
    with pytest.raises(Invalid, match="appears twice"):
        setting.load_file(twice)
    setting.db.rollback()
    assert nothing_written(setting) == before


def test_a_list_never_takes_over_records_collected_otherwise(setting: Setting) -> None:
    records.create_record(
        setting.db,
        principal=setting.analyst,
        settings=setting.factory.settings,
        entity={"id": "un-9100003", "schema": "Person", "properties": {"name": ["Someone"]}},
        envelope=envelope(),
        now=utcnow(),
    )
    setting.db.commit()
    with pytest.raises(Invalid, match="records not loaded from it"):
        setting.load(UN)
    setting.db.rollback()
    assert count(setting.db, ListedRecord) == 0
    assert set(setting.owned()) == {setting.rid("9100003")}
