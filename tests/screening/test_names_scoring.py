"""Name intelligence and palermo-name-v1 scoring: real names in, scores and reasons out.

Each case builds an `Entry` the way the index does (`entry_of` over (property, value)
pairs) and scores a `ScreeningQuery` against it. A positive case must raise an alert
(score ≥ THRESHOLD): below it, a hit/no-hit record is not reported at all.
"""

from __future__ import annotations

import pytest

from palermo.errors import Invalid
from palermo.screening.entries import Entry, entry_of
from palermo.screening.fold import consonants, fold
from palermo.screening.scoring import (
    ALGORITHM,
    THRESHOLD,
    Match,
    ScreeningQuery,
    best_matches,
    score,
)


def entry(name: str, schema: str = "Person", record_id: str = "rec.1", **props: str) -> Entry:
    values = [("name", name), *((prop, value) for prop, value in props.items())]
    built = entry_of(record_id, schema, values)
    assert built is not None
    return built


def match(query: str, candidate: str, schema: str = "Person", **query_fields: str) -> Match:
    found = score(ScreeningQuery.of(query, schema=schema, **query_fields), entry(candidate, schema))
    assert found is not None, f"{query!r} does not match {candidate!r} at all"
    return found


def test_the_threshold_and_algorithm_are_the_published_ones() -> None:
    assert ALGORITHM == "palermo-name-v1"
    assert pytest.approx(0.8) == THRESHOLD


# --- the same name, written otherwise ---------------------------------------------------------


@pytest.mark.parametrize(
    "romanised",
    [
        "Yuliya Tymoshenko",  # BGN/PCGN (Ukrainian)
        "Iuliia Timoshenko",  # ICAO 9303 (Russian passports)
        "Julija Timošenko",  # scientific
    ],
)
def test_cyrillic_name_meets_its_romanisations(romanised: str) -> None:
    found = match("Юлия Тимошенко", romanised)
    assert found.score >= THRESHOLD
    assert found.alert
    # and the other way round: a Latin query finds the record in Cyrillic
    assert match(romanised, "Юлия Тимошенко").score >= THRESHOLD


def test_romanisations_fold_to_one_spelling() -> None:
    assert fold("iuliia") == fold("yuliya") == fold("julija")
    assert fold("schmidt") == fold("shmidt")
    assert fold("iwanow") == fold("ivanov")
    assert fold("shchukin") != fold("sukin")  # shch is one sound, not s + ch + …


def test_arabic_script_meets_its_latin_spelling() -> None:
    assert match("محمد بن سلمان", "Mohammed bin Salman").score >= THRESHOLD
    assert match("Mohammed bin Salman", "محمد بن سلمان").score >= THRESHOLD


@pytest.mark.parametrize(
    ("script", "latin"),
    [
        ("فاطمة علي العتيبي", "Fatma Ali Al-Utaybi"),  # ayn, the feminine ending, no vowels
        ("خديجة كريم المطيري", "Khadidja Kareem Al-Mutayri"),
        ("عبد الله رشيد السعدي", "Abdullah Rashid Al-Saadi"),  # "Abd" and its name are one
        ("سعيد بلال العبيدي", "Saeed Bilal Al-Obaidi"),
    ],
)
def test_arabic_script_meets_latin_spellings_through_its_consonants(
    script: str, latin: str
) -> None:
    assert match(script, latin).score >= THRESHOLD
    assert match(latin, script).score >= THRESHOLD


def test_consonants_do_not_make_two_known_names_one() -> None:
    # حسن (Hasan) and Hussein are both "hsn" without their vowels, but two names.
    assert match("حسن خوري", "Hussein Khoury").score < THRESHOLD
    assert match("حسين خوري", "Hussein Khoury").score >= THRESHOLD


def test_consonant_skeletons() -> None:
    assert consonants("alutaybi") == consonants("alotaibi") == "ltb"
    assert consonants("salameh") == consonants("salama") == "slm"
    assert consonants("ramadhan") == consonants("ramadan") == "rmdn"


@pytest.mark.parametrize("spelling", ["Mohammed", "Muhammad", "Mohamed", "Mohammad"])
def test_spellings_of_mohammed_are_one_name(spelling: str) -> None:
    found = match(f"{spelling} Hassan Karimi", "Muhammad Hassan Karimi")
    assert found.score >= THRESHOLD


def test_name_order_does_not_matter() -> None:
    assert match("Tymoshenko Yuliya", "Yuliya Tymoshenko").score == 1.0
    assert match("SMITH, John", "John Smith").score == 1.0


def test_an_initial_stands_for_the_given_name() -> None:
    found = match("J. Smith", "John Smith")
    assert found.score >= THRESHOLD
    assert any("initial" in line for line in found.explanation)
    # An initial of another name is no match for it.
    assert match("P. Smith", "John Smith").score < THRESHOLD


def test_a_dropped_middle_name_still_alerts() -> None:
    assert match("Hassan Dhaaqane", "Hassan Ali Dhaaqane").score >= THRESHOLD
    assert match("Zbigniew Qwertyuk", "Zbigniew Ignacy Qwertyuk").score >= THRESHOLD
    assert match("Maria Garcia Lopez", "Maria Fernanda Garcia Lopez").score >= THRESHOLD


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Ivan Petrov", "Ivan Sergeyevich Petrov"),
        ("John Smith", "John Fitzgerald Smith"),
        ("Anna Schmidt", "Anna Katharina Schmidt"),
    ],
)
def test_a_dropped_patronymic_or_long_middle_name_still_alerts(query: str, listed: str) -> None:
    found = score(
        ScreeningQuery.of(query, birth_date="1970-01-02"),
        entry(listed, birthDate="1970-01-02"),
    )
    assert found is not None
    assert found.score >= THRESHOLD


@pytest.mark.parametrize(
    ("query", "listed"),
    [("Hans Muller", "Hans Müller"), ("Jose Gonzalez", "José González"), ("Lefevre", "Lefèvre")],
)
def test_diacritics_are_ignored(query: str, listed: str) -> None:
    assert match(query, listed).score == 1.0
    assert match(listed, query).score == 1.0


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Zbigniew Qwertyul", "Zbigniew Qwertyuk"),  # one wrong letter
        ("Christopher Jonhson", "Christopher Johnson"),  # two letters swapped
        ("Jonathan Wilkinsen", "Jonathan Wilkinson"),
    ],
)
def test_a_typing_error_still_alerts(query: str, listed: str) -> None:
    found = match(query, listed)
    assert THRESHOLD <= found.score < 1.0  # alike, but not the same
    # The explanation says which parts differ and by which rule.
    assert found.explanation[0].endswith(")")
    assert "typing error" in found.explanation[0] or "sounds alike" in found.explanation[0]


def test_legal_forms_do_not_keep_a_company_from_its_name() -> None:
    assert match("OOO Gazprom Neft", "Gazprom Neft LLC", schema="Company").score >= THRESHOLD
    assert match("Gazprom Neft", "OOO Gazprom Neft", schema="Company").score >= THRESHOLD
    # A legal form alone makes no two firms meet.
    assert (
        score(
            ScreeningQuery.of("Rosneft LLC", schema="Company"), entry("Gazprom Neft LLC", "Company")
        )
        is None
    )


# --- other people -----------------------------------------------------------------------------


def test_a_different_person_does_not_match() -> None:
    assert score(ScreeningQuery.of("John Smith"), entry("Peter Brown")) is None
    assert score(ScreeningQuery.of("Zbigniew Qwertyuk"), entry("Yuliya Tymoshenko")) is None


def test_a_shared_given_name_alone_is_no_alert() -> None:
    found = score(ScreeningQuery.of("John Smith"), entry("John Brown"))
    assert found is None or not found.alert


def born_1963(name: str, listed: str) -> Match:
    found = score(ScreeningQuery.of(name, birth_date="1963"), entry(listed, birthDate="1963-07-16"))
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Ming Mao", "Bing Mao"),  # rigour gives the two syllables a variant id in common
        ("Fang Xian", "Fang Xiang"),  # a letter apart
        ("Jian Zhang", "Yan Zhang"),  # the same once j and y fold to i
    ],
)
def test_two_pinyin_syllables_are_two_names(query: str, listed: str) -> None:
    found = born_1963(query, listed)
    assert not found.alert
    assert "another syllable" in found.explanation[0]
    assert born_1963(listed, listed).alert


def test_a_syllable_more_is_another_chinese_given_name() -> None:
    assert not born_1963("Bing Xiang", "Shuai Bing Xiang").alert
    # Elsewhere a name left out is a middle name lists drop.
    assert born_1963("Maria Garcia Lopez", "Maria Fernanda Garcia Lopez").alert


def test_names_that_only_sound_alike_are_other_names() -> None:
    assert not born_1963("Colette Fischer", "Claude Fischer").alert
    assert not born_1963("Selma Nasir Nassar", "Salim Nasir Nassar").alert
    assert born_1963("Erik Heuser", "Erik Heser").alert  # one letter: may be a typing error


def test_given_names_in_another_order_are_another_person() -> None:
    """ "Ziad Munir" is Ziad son of Munir; the surname put first turns the name round whole."""
    turned = born_1963("Al-Qahtani Ziad Munir", "Ziad Munir Al-Qahtani")
    assert turned.name_score == 1.0
    swapped = born_1963("Munir Ziad Al-Qahtani", "Ziad Munir Al-Qahtani")
    assert swapped.name_score < turned.name_score
    assert "parts in another order" in swapped.explanation[0]
    assert not born_1963("Mounir Ziyad Al-Kahtani", "Ziad Munir Al-Qahtani").alert
    assert born_1963("Ziyad Mounir Al-Kahtani", "Ziad Munir Al-Qahtani").alert


def test_a_namesake_born_on_another_day_does_not_alert() -> None:
    listed = entry("Zbigniew Qwertyuk", birthDate="1970-01-02")
    other = score(ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1981-06-15"), listed)
    assert other is not None
    assert other.name_score == 1.0
    assert not other.alert
    assert "born 1981-06-15, the record says 1970-01-02" in other.explanation
    same = score(ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1970-01-02"), listed)
    assert same is not None
    assert same.alert
    assert "birth date 1970-01-02 matches" in same.explanation


def test_the_same_birth_date_lifts_a_strong_name() -> None:
    listed = entry("Zbigniew Qwertyuk", birthDate="1970-01-02")
    without = score(ScreeningQuery.of("Zbigniew Qwertyul"), listed)
    with_date = score(ScreeningQuery.of("Zbigniew Qwertyul", birth_date="1970-01-02"), listed)
    assert without is not None
    assert with_date is not None
    assert with_date.score > without.score


def test_day_and_month_swapped_is_tolerated() -> None:
    listed = entry("Zbigniew Qwertyuk", birthDate="1970-03-04")
    found = score(ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1970-04-03"), listed)
    assert found is not None
    assert found.alert
    assert any("swapped" in line for line in found.explanation)


@pytest.mark.parametrize(
    ("query_date", "listed_date"), [("1970", "1970-03-04"), ("1970-03-04", "1970")]
)
def test_a_year_alone_is_tolerated(query_date: str, listed_date: str) -> None:
    listed = entry("Zbigniew Qwertyuk", birthDate=listed_date)
    found = score(ScreeningQuery.of("Zbigniew Qwertyuk", birth_date=query_date), listed)
    assert found is not None
    assert found.alert
    assert "birth year 1970 matches (the rest is not known on both)" in found.explanation


def test_another_year_does_not_alert() -> None:
    listed = entry("Zbigniew Qwertyuk", birthDate="1970-03-04")
    found = score(ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1975"), listed)
    assert found is not None
    assert not found.alert


def test_a_document_number_matches_whatever_the_name() -> None:
    listed = entry("Zbigniew Qwertyuk", passportNumber="AB 123 456")
    found = score(ScreeningQuery.of("Peter Brown", document="ab-123456"), listed)
    assert found is not None
    assert found.score >= 0.99
    assert found.alert
    assert "document number AB123456 matches" in found.explanation
    only_number = score(ScreeningQuery.of("", document="AB123456"), listed)
    assert only_number is not None
    assert only_number.score >= 0.99


def test_another_nationality_lowers_the_score() -> None:
    listed = entry("Zbigniew Qwertyuk", nationality="pl")
    same = score(ScreeningQuery.of("Zbigniew Qwertyuk", nationality="PL"), listed)
    other = score(ScreeningQuery.of("Zbigniew Qwertyuk", nationality="BR"), listed)
    assert same is not None
    assert other is not None
    assert other.score < same.score
    assert "country br not among ['pl']" in other.explanation


def test_gender_written_as_m_or_f_is_the_same_gender() -> None:
    listed = entry("John Smith", gender="male")
    plain = score(ScreeningQuery.of("Jon Smith"), listed)
    with_sex = score(ScreeningQuery.of("Jon Smith", gender="M"), listed)
    assert plain is not None
    assert with_sex is not None
    assert with_sex.score >= plain.score


def test_another_gender_lowers_the_score() -> None:
    listed = entry("John Smith", gender="male")
    found = score(ScreeningQuery.of("John Smith", gender="female"), listed)
    assert found is not None
    assert found.score < 1.0
    assert "gender female differs from male" in found.explanation


def test_best_matches_ranks_best_first_and_drops_those_below_the_floor() -> None:
    entries = [
        entry("Zbigniew Qwertyul", record_id="b"),
        entry("Zbigniew Qwertyuk", record_id="c"),
        entry("Zbigniew Qwertyuk", record_id="a"),
        entry("Peter Brown", record_id="d"),
        entry("Zbigniew Brown", record_id="e"),
    ]
    ranked = best_matches(ScreeningQuery.of("Zbigniew Qwertyuk"), entries, limit=10, floor=0.8)
    assert [e.record_id for e, _ in ranked] == ["a", "c", "b"]
    assert [m.score for _, m in ranked] == sorted((m.score for _, m in ranked), reverse=True)
    top = best_matches(ScreeningQuery.of("Zbigniew Qwertyuk"), entries, limit=1)
    assert [e.record_id for e, _ in top] == ["a"]


def test_best_matches_ranks_as_scoring_every_entry_would() -> None:
    """Names are compared only while an entry's details still allow it in; what comes out
    is what scoring every entry and keeping the best would give, explanations included."""
    names = ["Zbigniew Qwertyuk", "Zbigniew Qwertyul", "Z. Qwertyuk", "Qwertyuk Zbigniew"]
    births = ["1970-01-02", "1970-02-01", "1970", "1971", "1985-05-05", ""]
    entries = [
        entry(
            names[i % 4],
            record_id=f"rec.{i:02}",
            **({"birthDate": births[i % 6]} if births[i % 6] else {}),
            **({"nationality": ["pl", "de", "br"][i % 3]} if i % 5 else {}),
            **({"gender": "male" if i % 2 else "female"} if i % 7 else {}),
        )
        for i in range(40)
    ]
    # Equals of the first, last in the index's order but first by record id: a tie at the
    # limit must still let them in.
    entries += [entry(names[0], record_id=f"dup.{i}", birthDate=births[0]) for i in range(4)]
    queries = [
        ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1970-01-02", nationality="PL"),
        ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1970", gender="male"),
        ScreeningQuery.of("Zbigniew Qwertyuk"),
    ]

    def demanding(found: Entry) -> float:  # as for hit-only records: alerts only
        return THRESHOLD if found.record_id.endswith(("3", "6")) else 0.0

    for query in queries:
        for limit, floor, floor_of in [(10, 0.5, None), (3, 0.0, None), (5, 0.5, demanding)]:
            every = [(e, score(query, e)) for e in entries]
            kept = [
                (e.record_id, m.score, m.explanation)
                for e, m in every
                if m and m.score >= max(floor, floor_of(e) if floor_of else 0.0)
            ]
            kept.sort(key=lambda found: (-found[1], found[0]))
            ranked = best_matches(query, entries, limit=limit, floor=floor, floor_of=floor_of)
            assert [(e.record_id, m.score, m.explanation) for e, m in ranked] == kept[:limit]
            assert len(kept) > limit  # the limit cut something off


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fields", "message"),
    [
        ("", {}, "give a name with letters"),
        ("   ", {}, "give a name with letters"),
        ("...", {}, "give a name with letters"),
        ("J.", {}, "too short to screen"),
        ("Zbigniew " * 50, {}, "longer than 300 characters"),
        ("Zbigniew Qwertyuk", {"birth_date": "1990-13-01"}, "no month 13"),
        ("Zbigniew Qwertyuk", {"birth_date": "1990-05-32"}, "no day 32"),
        ("Zbigniew Qwertyuk", {"birth_date": "19x0"}, "is not YYYY, YYYY-MM or YYYY-MM-DD"),
        ("Zbigniew Qwertyuk", {"birth_date": "1700"}, "implausible year"),
        ("Zbigniew Qwertyuk", {"nationality": "Atlantis"}, "unknown country 'Atlantis'"),
        ("Zbigniew Qwertyuk", {"nationality": "XX"}, "unknown country 'XX'"),
    ],
)
def test_bad_queries_are_refused_with_the_reason(
    name: str, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        ScreeningQuery.of(name, **fields)
    assert message in refused.value.message


def test_good_queries_are_normalised() -> None:
    query = ScreeningQuery.of(
        "  Zbigniew Qwertyuk ", birth_date="1970/01/02", nationality="Poland", document="ab 12-3"
    )
    assert query.raw_name == "Zbigniew Qwertyuk"
    assert query.birth_date == "1970-01-02"
    assert query.nationality == "pl"
    assert query.document == "AB123"


def test_an_impossible_day_is_refused() -> None:
    with pytest.raises(Invalid, match="1990-02-31"):
        ScreeningQuery.of("Zbigniew Qwertyuk", birth_date="1990-02-31")


def test_an_unknown_schema_is_refused() -> None:
    with pytest.raises(Invalid, match="Persn"):
        ScreeningQuery.of("Zbigniew Qwertyuk", schema="Persn")
