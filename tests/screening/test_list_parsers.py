"""Watch-list parsers: real formats in, valid FtM entities out, bad files refused by line."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import xmlschema

from palermo.errors import Invalid
from palermo.records.entities import parse_entity
from palermo.screening.lists import PARSERS, ListEntry, ListFile

DATA = Path(__file__).parent / "data"
# The published schemas (UN consolidated list, EU FSF 1.1), kept with the fixtures so the
# suite runs from a clean clone.
SCHEMAS = Path(__file__).resolve().parent / "data" / "xsd"
FIXTURES = [
    ("un", DATA / "un_consolidated.xml"),
    ("eu", DATA / "eu_fsf.xml"),
    ("ofac", DATA / "ofac" / "sdn.csv"),
    ("interpol", DATA / "interpol_red_list.json"),
    ("interpol", DATA / "interpol_red_detail.json"),
    ("ftm", DATA / "opensanctions.jsonl"),
]
ID_PREFIXES = {"un": "un-", "eu": "eu-", "ofac": "ofac-", "interpol": "interpol-", "ftm": ""}


def parse(source: str, path: Path) -> ListFile:
    return PARSERS[source](path)


def by_reference(list_file: ListFile) -> dict[str, ListEntry]:
    return {entry.reference: entry for entry in list_file.entries}


def props(entry: ListEntry) -> dict[str, list[str]]:
    properties: dict[str, list[str]] = entry.entity["properties"]
    return properties


# --- the fixtures are the real formats -------------------------------------------------------


@pytest.mark.parametrize(
    ("xsd", "document"),
    [
        ("un_sc_sanctions.xsd", "un_consolidated.xml"),
        ("eu_fsf_export_schema_1_1.xsd", "eu_fsf.xml"),
    ],
)
def test_xml_fixtures_validate_against_the_published_schemas(xsd: str, document: str) -> None:
    # No skip: without the shared schema the fixtures would be checked against nothing.
    schema = xmlschema.XMLSchema(SCHEMAS / xsd)
    schema.validate(DATA / document)


@pytest.mark.parametrize(("source", "path"), FIXTURES, ids=lambda v: getattr(v, "name", v))
def test_every_entity_passes_the_records_validator(source: str, path: Path) -> None:
    list_file = parse(source, path)
    assert list_file.source == source
    assert list_file.entries
    ids = [entry.entity["id"] for entry in list_file.entries]
    assert len(set(ids)) == len(ids)
    for entry in list_file.entries:
        assert set(entry.entity) == {"id", "schema", "properties"}
        assert entry.entity["id"].startswith(ID_PREFIXES[source])
        valid = parse_entity(entry.entity)
        # Already clean: validating changes nothing, so nothing is lost on loading.
        assert valid.properties == entry.entity["properties"]


def test_registry_names_every_source() -> None:
    assert set(PARSERS) == {"un", "eu", "ofac", "interpol", "ftm"}


# --- UN --------------------------------------------------------------------------------------


def test_un_individuals_and_entities() -> None:
    entries = by_reference(parse("un", DATA / "un_consolidated.xml"))
    assert set(entries) == {"QDi.901", "KPi.901", "SOi.901", "QDe.901"}

    hassani = entries["QDi.901"]
    assert hassani.entity["id"] == "un-9100001"
    assert hassani.entity["schema"] == "Person"
    assert hassani.listed_on == date(2011, 9, 22)
    p = props(hassani)
    assert p["name"] == ["ABDULLAH MOHAMMED SALEH AL-HASSANI"]
    assert "عبدالله محمد صالح الحسني" in p["alias"]
    assert "Abu Saleh al-Yemeni" in p["alias"]
    assert p["weakAlias"] == ["Abu Abdallah"]
    assert p["nationality"] == ["ye", "sa"]
    assert p["birthDate"] == ["1971-03-09"]
    assert p["birthCountry"] == ["ye"]
    assert p["passportNumber"] == ["04417230"]
    assert p["idNumber"] == ["1078335209"]
    assert p["gender"] == ["male"]
    assert p["program"] == ["Al-Qaida"]
    assert p["topics"] == ["sanction"]
    assert any("listed on 2011-09-22" in note for note in p["notes"])

    assert props(entries["KPi.901"])["birthDate"] == ["1962"]
    dhaaqane = props(entries["SOi.901"])
    assert dhaaqane["birthDate"] == ["1976", "1977", "1978"]
    assert dhaaqane["previousName"] == ["Hassan Ali Dhaqane"]

    foundation = entries["QDe.901"]
    assert foundation.entity["schema"] == "Organization"
    assert props(foundation)["country"] == ["pk", "so"]
    assert props(foundation)["previousName"] == ["Noor Welfare Trust"]


def test_un_record_without_dataid_names_its_line(tmp_path: Path) -> None:
    text = (DATA / "un_consolidated.xml").read_text(encoding="utf-8")
    text = text.replace("      <DATAID>9100002</DATAID>\n", "")
    assert "9100002" not in text
    lines = text.splitlines()
    line = next(i for i, ln in enumerate(lines, 1) if "<VERSIONNUM>2</VERSIONNUM>" in ln) - 1
    bad = tmp_path / "un.xml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(Invalid, match=rf"^un\.xml line {line}: INDIVIDUAL without DATAID$"):
        parse("un", bad)


def test_truncated_xml_names_the_line(tmp_path: Path) -> None:
    text = (DATA / "un_consolidated.xml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)[:40]
    bad = tmp_path / "un.xml"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(Invalid, match=r"^un\.xml line 4\d: not well-formed XML"):
        parse("un", bad)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<CONSOLIDATED_LIST dateGenerated="2025-01-01T00:00:00"><INDIVIDUALS>&lol3;</INDIVIDUALS>
</CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize("source", ["un", "eu"])
def test_entity_bomb_is_refused(tmp_path: Path, source: str) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(Invalid, match=r"^bomb\.xml line 2: refused a document type declaration"):
        parse(source, bomb)


def test_un_parser_refuses_another_format() -> None:
    with pytest.raises(Invalid, match=r"^eu_fsf\.xml line 3: root is .*export, not CONSOLIDATED"):
        parse("un", DATA / "eu_fsf.xml")


# --- EU --------------------------------------------------------------------------------------


def test_eu_persons_and_enterprise() -> None:
    entries = by_reference(parse("eu", DATA / "eu_fsf.xml"))
    assert set(entries) == {"990101", "990201", "990301"}

    hassani = entries["990101"]
    assert hassani.entity["id"] == "eu-990101"
    assert hassani.listed_on == date(2011, 9, 28)
    p = props(hassani)
    assert p["name"] == ["Abdullah Mohammed Saleh Al-Hassani"]
    assert p["alias"] == ["Abu Saleh al-Yemeni", "عبدالله محمد صالح الحسني"]
    assert p["weakAlias"] == ["Abu Abdallah"]
    assert p["firstName"] == ["Abdullah"]
    assert p["lastName"] == ["Al-Hassani"]
    assert p["nationality"] == ["ye"]  # the "00" (unknown) citizenship is not a country
    assert p["passportNumber"] == ["04417230"]
    assert p["program"] == ["AQB"]

    vorontsova = props(entries["990201"])
    assert vorontsova["gender"] == ["female"]
    assert vorontsova["birthDate"] == ["1968", "1969", "1970"]
    assert vorontsova["alias"] == ["Елена Сергеевна Воронцова"]

    northline = entries["990301"]
    assert northline.entity["schema"] == "Organization"
    assert props(northline)["registrationNumber"] == ["1234567890123"]
    assert props(northline)["taxNumber"] == ["7701234567"]
    assert props(northline)["country"] == ["ae"]


def test_eu_file_without_the_fsf_namespace_is_refused(tmp_path: Path) -> None:
    text = (DATA / "eu_fsf.xml").read_text(encoding="utf-8")
    bad = tmp_path / "eu.xml"
    bad.write_text(text.replace(' xmlns="http://eu.europa.ec/fpi/fsd/export"', ""), "utf-8")
    with pytest.raises(Invalid, match=r"^eu\.xml line 3: root is export, not export in the FSF"):
        parse("eu", bad)


def test_eu_unknown_subject_type_names_its_line(tmp_path: Path) -> None:
    text = (DATA / "eu_fsf.xml").read_text(encoding="utf-8")
    text = text.replace(
        'code="enterprise" classificationCode="E"', 'code="ship" classificationCode="X"'
    )
    bad = tmp_path / "eu.xml"
    bad.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if 'logicalId="990301"' in ln)
    with pytest.raises(Invalid, match=rf"^eu\.xml line {line}: .* subject type 'ship'"):
        parse("eu", bad)


# --- OFAC ------------------------------------------------------------------------------------


def test_ofac_sdn_with_aliases_and_addresses() -> None:
    assert (DATA / "ofac" / "sdn.csv").read_bytes().endswith(b"\x1a")
    entries = by_reference(parse("ofac", DATA / "ofac" / "sdn.csv"))
    assert set(entries) == {"90001", "90002", "90003", "90004", "90005", "90006"}

    sanchez = entries["90001"]
    assert sanchez.entity["id"] == "ofac-90001"
    assert sanchez.entity["schema"] == "Person"
    assert sanchez.listed_on is None
    p = props(sanchez)
    assert p["name"] == ["José Ramón SÁNCHEZ MUÑOZ"]
    assert p["firstName"] == ["José Ramón"]
    assert p["lastName"] == ["SÁNCHEZ MUÑOZ"]
    assert p["birthDate"] == ["1960-01-12", "1961-01-14"]
    assert p["birthPlace"] == ["Culiacán, Sinaloa, Mexico"]
    assert p["nationality"] == ["mx"]
    assert p["gender"] == ["male"]
    assert p["passportNumber"] == ["G04412345"]
    assert p["alias"] == ["Pepe SANCHEZ"]
    assert p["previousName"] == ["José MUÑOZ"]
    assert p["address"] == ["Culiacán, Sinaloa, Mexico"]
    assert any(note.startswith("DOB 12 Jan 1960; alt. DOB") for note in p["notes"])

    rashidi = props(entries["90002"])
    assert rashidi["birthDate"] == ["1972"]  # "circa 1972"
    assert rashidi["program"] == ["SDGT", "IRGC"]
    assert rashidi["passportNumber"] == ["A1234567"]
    assert props(entries["90003"])["birthDate"] == ["1960", "1961", "1962"]

    assert entries["90004"].entity["schema"] == "LegalEntity"
    assert props(entries["90004"])["name"] == ["LOS CAÑEROS DEMO S.A. DE C.V."]
    vessel = entries["90005"]
    assert vessel.entity["schema"] == "Vessel"
    assert props(vessel)["flag"] == ["pa"]
    assert props(vessel)["imoNumber"] == ["IMO9074729"]
    assert entries["90006"].entity["schema"] == "Airplane"


def test_ofac_without_companion_files(tmp_path: Path) -> None:
    shutil.copy(DATA / "ofac" / "sdn.csv", tmp_path / "sdn.csv")
    entries = by_reference(parse("ofac", tmp_path / "sdn.csv"))
    assert "alias" not in props(entries["90001"])
    assert props(entries["90001"])["name"] == ["José Ramón SÁNCHEZ MUÑOZ"]


def test_ofac_file_saved_as_utf8_still_reads_its_accents(tmp_path: Path) -> None:
    for name in ("sdn.csv", "alt.csv", "add.csv"):
        text = (DATA / "ofac" / name).read_bytes().decode("latin-1")
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    utf8 = parse("ofac", tmp_path / "sdn.csv")
    assert utf8.entries == parse("ofac", DATA / "ofac" / "sdn.csv").entries
    assert props(by_reference(utf8)["90001"])["name"] == ["José Ramón SÁNCHEZ MUÑOZ"]


def test_ofac_wrong_column_count_names_the_line(tmp_path: Path) -> None:
    lines = (DATA / "ofac" / "sdn.csv").read_bytes().split(b"\r\n")
    lines[2] = b'90003,"KOVALENKO, Olena","individual","RUSSIA-EO14024"'
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(lines))
    with pytest.raises(Invalid, match=r"^sdn\.csv line 3: expected 12 columns, found 4$"):
        parse("ofac", tmp_path / "sdn.csv")


def test_ofac_alias_of_an_unknown_entry_is_refused(tmp_path: Path) -> None:
    shutil.copy(DATA / "ofac" / "sdn.csv", tmp_path / "sdn.csv")
    (tmp_path / "alt.csv").write_bytes(
        b'90001,1,"aka","SANCHEZ, Pepe",-0- \r\n77,2,"aka","X",-0- \r\n'
    )
    with pytest.raises(Invalid, match=r"^alt\.csv line 2: ent_num 77 is not in sdn\.csv$"):
        parse("ofac", tmp_path / "sdn.csv")


def test_ofac_unknown_type_is_refused(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(b'1,"X","submarine","IRAN"' + b",-0- " * 8 + b"\r\n")
    with pytest.raises(Invalid, match=r"^sdn\.csv line 1: unknown SDN_Type 'submarine'$"):
        parse("ofac", tmp_path / "sdn.csv")


# --- Interpol --------------------------------------------------------------------------------


def test_interpol_list_page() -> None:
    entries = by_reference(parse("interpol", DATA / "interpol_red_list.json"))
    assert set(entries) == {"2023/90011", "2021/90412", "2024/90733"}
    krasniqi = entries["2023/90011"]
    assert krasniqi.entity["id"] == "interpol-2023-90011"
    assert krasniqi.listed_on is None
    assert props(krasniqi)["birthDate"] == ["1984-03-13"]
    assert props(krasniqi)["nationality"] == ["al", "it"]
    assert props(krasniqi)["topics"] == ["wanted"]
    assert props(entries["2021/90412"])["name"] == ["JOSÉ MARÍA QUINTERO-DEMO"]
    assert props(entries["2021/90412"])["birthDate"] == ["1979"]
    assert props(entries["2024/90733"])["name"] == ["OKAFOR-DEMO"]


def test_interpol_detail_record() -> None:
    (entry,) = parse("interpol", DATA / "interpol_red_detail.json").entries
    p = props(entry)
    assert entry.reference == "2023/90011"
    assert p["gender"] == ["male"]
    assert p["birthCountry"] == ["al"]
    assert p["birthPlace"] == ["Durrës"]
    assert p["spokenLanguage"] == ["sqi", "ita", "eng"]
    assert p["height"] == ["1.81"]
    assert p["weight"] == ["82"]
    assert p["appearance"] == ["Scar on the left forearm; tattoo of an eagle on the right shoulder"]
    assert any(n.startswith("Arrest warrant (AL): Money laundering") for n in p["notes"])


def test_interpol_array_and_json_lines_of_details(tmp_path: Path) -> None:
    detail = json.loads((DATA / "interpol_red_detail.json").read_text(encoding="utf-8"))
    other = {**detail, "entity_id": "2024/90999", "forename": "LINDA"}
    (tmp_path / "array.json").write_text(json.dumps([detail, other]), encoding="utf-8")
    (tmp_path / "lines.json").write_text(f"{json.dumps(detail)}\n{json.dumps(other)}\n", "utf-8")
    array = parse("interpol", tmp_path / "array.json")
    lines = parse("interpol", tmp_path / "lines.json")
    assert [e.reference for e in array.entries] == ["2023/90011", "2024/90999"]
    assert array.entries == lines.entries


def test_interpol_non_json_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notices.json").write_text("<html><body>Service unavailable</body></html>", "utf-8")
    with pytest.raises(Invalid, match=r"^notices\.json line 1: not JSON"):
        parse("interpol", tmp_path / "notices.json")


def test_interpol_bad_json_line_names_the_line(tmp_path: Path) -> None:
    detail = (DATA / "interpol_red_detail.json").read_text(encoding="utf-8")
    one_line = json.dumps(json.loads(detail))
    (tmp_path / "notices.jsonl").write_text(f"{one_line}\n{{truncated\n", encoding="utf-8")
    with pytest.raises(Invalid, match=r"^notices\.jsonl line 2: not JSON"):
        parse("interpol", tmp_path / "notices.jsonl")


def test_interpol_bad_entity_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "n.json").write_text('[{"entity_id": "12345", "name": "X"}]', encoding="utf-8")
    with pytest.raises(Invalid, match=r"^n\.json record 1: entity_id '12345' is not YYYY/NNNNN"):
        parse("interpol", tmp_path / "n.json")


# --- FtM -------------------------------------------------------------------------------------


def test_ftm_keeps_id_schema_and_properties() -> None:
    entries = by_reference(parse("ftm", DATA / "opensanctions.jsonl"))
    assert len(entries) == 4
    ivan = entries["NK-9hK3eYcW2vDq7xUa8sTbLm"]
    assert ivan.entity["id"] == "NK-9hK3eYcW2vDq7xUa8sTbLm"
    assert ivan.entity["schema"] == "Person"
    assert props(ivan)["alias"] == ["Иван Петрович Сидоренко", "Ivan Sidorenko"]
    assert ivan.listed_on is None
    assert entries["NK-sanction-eu-990555"].entity["schema"] == "Sanction"


def test_ftm_bad_line_names_the_line_number(tmp_path: Path) -> None:
    good = (DATA / "opensanctions.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "e.jsonl").write_text("\n".join([*good[:2], '{"id": "x", "schema":', *good[2:]]))
    with pytest.raises(Invalid, match=r"^e\.jsonl line 3: not JSON"):
        parse("ftm", tmp_path / "e.jsonl")


def test_ftm_invalid_entity_names_the_line_number(tmp_path: Path) -> None:
    entity = {"id": "x-1", "schema": "Person", "properties": {"name": ["X"], "shoeSize": ["44"]}}
    (tmp_path / "e.jsonl").write_text(f"\n{json.dumps(entity)}\n", encoding="utf-8")
    with pytest.raises(Invalid, match=r"^e\.jsonl line 2: entity x-1: unknown property 'shoeSize'"):
        parse("ftm", tmp_path / "e.jsonl")
