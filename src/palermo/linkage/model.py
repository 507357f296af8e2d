"""The Fellegi–Sunter model of a linkage run, in Splink's terms: comparisons per field,
blocking rules, and training without labels (u by random sampling, m by EM).

Each comparison level is written once, as Splink's SQL level and as the same test in
Python: Splink scores whole runs, the Python tests score one new record against its
candidates in milliseconds (`score`), with the run's trained parameters.

Comparisons use only functions on which DuckDB and Spark agree exactly (exact and reversed
matches, substrings, Damerau–Levenshtein): Spark's Jaro–Winkler (Splink's jar) scores some
names lower than DuckDB's, and the same run must give the same pairs on both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from rapidfuzz.distance import DamerauLevenshtein
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from palermo.errors import Invalid

SEED = 42
RANDOM_PAIRS = 2_000_000  # pairs sampled for u
U_FLOOR = 0.2  # u is never corrected below this share of its sampled value
MIN_NAMESAKES = 100  # pairs of namesakes needed to estimate u among them
NAMESAKE_FIELDS = ("country", "gender")  # fields whose u is estimated among namesakes
MISTYPED = 0.01  # the least share of true pairs that disagree on nationality or gender
# How far a common value's lower weight counts: in full, it took too much from the pairs of
# the largest clusters, whose names look common for being written by many agencies.
TF_WEIGHT = 0.5
# Frequency-weighed columns whose values are counted by the persons that hold them, not by
# records: a name's records tell its persons apart by their birth years (see `shares`).
COUNTED_BY_PERSONS = frozenset({"full_name"})
LinkType = Literal["dedupe_only", "link_and_dedupe", "link_only"]
Row = Mapping[str, Any]


def _null(*columns: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: all(a[c] is None or b[c] is None for c in columns)


def _exact(column: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: a[column] is not None and a[column] == b[column]


def _edits(column: str, most: int) -> Callable[[Row, Row], bool]:
    def test(a: Row, b: Row) -> bool:
        x, y = a[column], b[column]
        return x is not None and y is not None and DamerauLevenshtein.distance(x, y) <= most

    return test


def _edit_level(column: str, most: int) -> ComparisonLevelCreator:
    """`_edits` in SQL. The distance is asked only of values whose lengths allow it: it
    costs microseconds a pair, the lengths next to nothing, and both backends skip the rest
    of a conjunction once a term fails — most pairs scored, brought by a birth date or a
    document, have unlike names (a 1M run took 678 s without this, 445 s with it)."""
    return cll.And(
        cll.CustomLevel(f"abs(length({column}_l) - length({column}_r)) <= {most}"),
        cll.DamerauLevenshteinLevel(column, most),
    )


def _swapped(a: Row, b: Row) -> bool:
    return (
        a["first_name"] is not None
        and a["surname"] is not None
        and a["first_name"] == b["surname"]
        and a["surname"] == b["first_name"]
    )


def _shared(column: str, least: int) -> Callable[[Row, Row], bool]:
    def test(a: Row, b: Row) -> bool:
        x, y = a[column], b[column]
        return x is not None and y is not None and len(set(x) & set(y)) >= least

    return test


def _within(column: str) -> Callable[[Row, Row], bool]:
    """Every value of one side's list is in the other's."""

    def test(a: Row, b: Row) -> bool:
        x, y = a[column], b[column]
        return bool(x and y) and (set(x) <= set(y) or set(y) <= set(x))

    return test


def _both(*tests: Callable[[Row, Row], bool]) -> Callable[[Row, Row], bool]:
    return lambda a, b: all(t(a, b) for t in tests)


def _day_month_swapped(a: Row, b: Row) -> bool:
    x, y = a["dob"], b["dob"]
    return (
        x is not None
        and y is not None
        and x[:4] == y[:4]
        and x[5:7] == y[8:10]
        and x[8:10] == y[5:7]
    )


# The same test in SQL (dates are YYYY-MM-DD; substr counts from 1 in DuckDB and Spark).
DAY_MONTH_SWAPPED = cll.CustomLevel(
    "substr(dob_l, 1, 4) = substr(dob_r, 1, 4) AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2)"
    " AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
    label_for_charts="Day and month swapped",
)


@dataclass(frozen=True)
class Level:
    splink: ComparisonLevelCreator
    test: Callable[[Row, Row], bool]
    tf_column: str | None = None  # weighed by how common the value is


@dataclass(frozen=True)
class Field:
    name: str
    levels: tuple[Level, ...]  # null level first, "else" (no test) implied last

    def comparison(self) -> cl.CustomComparison:
        levels = []
        for level in self.levels:
            creator = level.splink
            if level.tf_column:
                # Against the level's own u, as `score` computes it.
                creator = creator.configure(
                    tf_adjustment_column=level.tf_column,
                    tf_adjustment_weight=TF_WEIGHT,
                    disable_tf_exact_match_detection=True,
                )
            levels.append(creator)
        return cl.CustomComparison(
            output_column_name=self.name, comparison_levels=[*levels, cll.ElseLevel()]
        )


FIELDS: tuple[Field, ...] = (
    # Names as parts, tolerant of swapped order and typos; frequent names weigh less.
    Field(
        "name",
        (
            Level(
                cll.And(cll.NullLevel("first_name"), cll.NullLevel("surname")),
                _both(_null("first_name"), _null("surname")),
            ),
            Level(cll.ExactMatchLevel("full_name"), _exact("full_name"), "full_name"),
            Level(cll.ColumnsReversedLevel("first_name", "surname", symmetrical=True), _swapped),
            # One keystroke apart in all: a typo. Before the parts' own test, which also
            # takes two names each of whose parts has a typo.
            Level(_edit_level("full_name", 1), _edits("full_name", 1)),
            Level(
                cll.And(
                    _edit_level("first_name", 1),
                    _edit_level("surname", 1),
                ),
                _both(_edits("first_name", 1), _edits("surname", 1)),
            ),
            # Every part sounds alike: another romanisation ("Iwajlo Stojanow").
            Level(cll.ExactMatchLevel("name_key"), _exact("name_key")),
            Level(_edit_level("full_name", 2), _edits("full_name", 2)),
            # A middle name dropped or added: one name's parts all in the other, two at least.
            Level(
                cll.And(cll.ArraySubsetLevel("parts"), cll.ArrayIntersectLevel("parts", 2)),
                _both(_within("parts"), _shared("parts", 2)),
            ),
            # "A. Heuser" and "Agatha Heuser": the surname, and the first letters of all.
            Level(
                cll.And(cll.ExactMatchLevel("surname"), cll.ExactMatchLevel("initials")),
                _both(_exact("surname"), _exact("initials")),
            ),
            # Two parts alike in any of the forms written (native scripts transliterated).
            Level(cll.ArrayIntersectLevel("keys", 2), _shared("keys", 2)),
            # Two of the screening's name variants in common ("Yuliya" and "Julija").
            Level(cll.ArrayIntersectLevel("symbols", 2), _shared("symbols", 2)),
            Level(cll.ExactMatchLevel("surname"), _exact("surname"), "surname"),
            Level(cll.ArrayIntersectLevel("keys", 1), _shared("keys", 1)),
        ),
    ),
    # Full dates, dates one keystroke apart or with day and month swapped, the same year
    # when a side has only a year.
    Field(
        "dob",
        (
            Level(cll.NullLevel("birth_year"), _null("birth_year")),
            Level(cll.ExactMatchLevel("dob"), _exact("dob")),
            Level(_edit_level("dob", 1), _edits("dob", 1)),
            # 05/03 read as 03/05: the American order, or a form filled in wrong.
            Level(DAY_MONTH_SWAPPED, _day_month_swapped),
            # The same year where a side gives no more: two full dates that differ disagree.
            Level(
                cll.And(cll.ExactMatchLevel("birth_year"), cll.NullLevel("dob")),
                _both(_exact("birth_year"), _null("dob")),
            ),
        ),
    ),
    Field(
        "document",
        (
            Level(cll.NullLevel("document"), _null("document")),
            Level(cll.ExactMatchLevel("document"), _exact("document")),
            Level(_edit_level("document", 1), _edits("document", 1)),
        ),
    ),
    Field(
        "country",
        (
            Level(cll.NullLevel("country"), _null("country")),
            Level(cll.ExactMatchLevel("country"), _exact("country")),
        ),
    ),
    Field(
        "gender",
        (
            Level(cll.NullLevel("gender"), _null("gender")),
            Level(cll.ExactMatchLevel("gender"), _exact("gender")),
        ),
    ),
)
TF_COLUMNS = tuple(lv.tf_column for f in FIELDS for lv in f.levels if lv.tf_column)
BLOCKING = (
    ("name_key",),
    ("surname_key", "birth_year"),
    ("dob",),
    ("document",),
    # A given name typed wrong or written as an initial, and the surname so.
    ("surname", "initials"),
    ("first_name", "initials"),
    ("first_name", "surname_key"),
)
EXPLODED = ("part_pairs",)  # any value of the list in common: two parts of the name


def blocked(a: Row, b: Row) -> bool:
    """Whether a blocking rule of `settings` brings two rows together (as `score` mirrors
    the comparisons, for the benchmark and the tests)."""
    return (
        any(all(a[c] is not None and a[c] == b[c] for c in cols) for cols in BLOCKING)
        or any(a[c] and b[c] and set(a[c]) & set(b[c]) for c in EXPLODED)
        or _swapped(a, b)
    )


def settings(link_type: LinkType = "dedupe_only") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=[f.comparison() for f in FIELDS],
        blocking_rules_to_generate_predictions=[
            *(block_on(*columns) for columns in BLOCKING),
            *(block_on(column, arrays_to_explode=[column]) for column in EXPLODED),
            {"blocking_rule": "l.first_name = r.surname AND l.surname = r.first_name"},
        ],
        retain_intermediate_calculation_columns=True,  # the mw_* weight of every field
    )


def train(linker: Linker, records: str) -> None:
    """Parameters from the data alone: u from random pairs, m by expectation–maximisation
    on two blockings that leave each other's fields free, then the prior and u corrected
    for the matches among the random pairs (see `_calibrate`)."""
    # A first prior from near-certain pairs: EM's starting point, corrected below.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("full_name", "dob"), block_on("document")], recall=0.7
    )
    if trained(linker)["probability_two_random_records_match"] <= 0:
        # EM would fail on log(0) with a bare "math domain error".
        raise Invalid(
            "no two of these records share both full name and date of birth, or a "
            "document number: without such near-certain pairs the model cannot learn how "
            "often two records are the same person"
        )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=RANDOM_PAIRS, seed=SEED, min_count_per_level=None
    )
    same_day = _level(linker, "dob", 0).u_probability  # share of random pairs born the same day
    by_dob = linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    # Pairs of one document leave the names free; without any, pairs of one name key.
    second = "document" if _repeated(linker, records, "document") else "name_key"
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on(second), estimate_without_term_frequencies=True
    )
    _calibrate(linker, same_day, by_dob.core_model_settings.probability_two_random_records_match)
    _namesakes(linker, records)
    _unseen(linker)
    _mistyped(linker)


def _repeated(linker: Linker, records: str, column: str) -> bool:
    """Whether two records have the same value of a column."""
    sql = (  # the engine's own table and column names
        f"SELECT count(*) AS n FROM (SELECT {column} FROM {records} "  # noqa: S608
        f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1)"
    )
    found = linker.misc.query_sql(sql)  # type: ignore[no-untyped-call]
    shared = bool(found.as_record_list()[0]["n"])
    found.drop_table_from_database_and_remove_from_cache()
    return shared


def _level(linker: Linker, comparison: str, index: int) -> Any:
    """A comparison's level by its index among the levels that are not the null level."""
    found = linker._settings_obj._get_comparison_by_output_column_name(comparison)
    return found._comparison_levels_excluding_null[index]


def _calibrate(linker: Linker, same_day: float | None, in_dob: float) -> None:
    """The prior and u without the matches hidden among the random pairs.

    Where a person has several records, many of the random pairs that agree on a full name,
    birth date or document are the same person: u by random sampling counts them and comes
    out several times too high (the level's weight too low), and the prior from
    near-certain pairs assumes how many matches those find. EM on the `dob` blocking gives
    the share of matches among the pairs born the same day, so by Bayes the prior λ is
    P(same day) · P(match | same day) / P(same day | match). A level's share among random
    pairs is λ·m + (1 − λ)·u, which gives u (kept above a floor: the share is sampled).
    """
    agree = _level(linker, "dob", 0).m_probability
    if not same_day or not agree or not 0 < in_dob < 1:
        return  # nothing to correct from: keep the prior from near-certain pairs
    prior = min(same_day * in_dob / agree, 0.5)
    linker._settings_obj._probability_two_random_records_match = prior
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            if not (level._m_is_trained and level._u_is_trained):
                continue
            seen, m = level.u_probability, level.m_probability
            if seen is not None and m is not None:
                level.u_probability = max((seen - prior * m) / (1 - prior), seen * U_FLOOR)


def _unseen(linker: Linker) -> None:
    """A level training never met (a small run may have no pair of initials, say) says
    nothing: its m is set equal to its u, as `score` reads it, instead of leaving Splink to
    fill in a default m."""
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            m_seen, u_seen = level._m_is_trained, level._u_is_trained
            if u_seen and not m_seen:
                level.m_probability = level.u_probability
            elif m_seen and not u_seen:
                level.u_probability = level.m_probability


def _mistyped(linker: Linker) -> None:
    """Nationality and gender are mistyped, so disagreeing on them is no veto: EM on the
    document pairs gave "another gender" m ≈ 0 (−12 bits) on data that never mistypes one."""
    for comparison in NAMESAKE_FIELDS:
        other = _level(linker, comparison, 1)  # the else level: they differ
        if other._m_is_trained and other.m_probability is not None:
            other.m_probability = max(other.m_probability, MISTYPED)


def _namesakes(linker: Linker, records: str) -> None:
    """u of nationality and gender among namesakes. A name tells its culture and often the
    gender, and nearly every pair scored has similar names (the blocking sees to it): two
    different persons of similar name agree on both far more often than two random records.
    Namesakes are the records of one `name_key` born in different years (`records`: the
    input table's name in the database)."""
    sql = f"""
        SELECT
            count(l.country || r.country) AS compared_country,
            sum(CASE WHEN l.country = r.country THEN 1 ELSE 0 END) AS same_country,
            count(l.gender || r.gender) AS compared_gender,
            sum(CASE WHEN l.gender = r.gender THEN 1 ELSE 0 END) AS same_gender
        FROM {records} AS l JOIN {records} AS r
            ON l.name_key = r.name_key AND l.unique_id < r.unique_id
        WHERE l.birth_year <> r.birth_year
    """  # noqa: S608 (the table name is the engine's own)
    found = linker.misc.query_sql(sql)  # type: ignore[no-untyped-call]
    counts = found.as_record_list()[0]
    found.drop_table_from_database_and_remove_from_cache()
    for comparison in NAMESAKE_FIELDS:
        compared, agree = counts[f"compared_{comparison}"] or 0, counts[f"same_{comparison}"] or 0
        if compared >= MIN_NAMESAKES and 0 < agree < compared:
            _level(linker, comparison, 0).u_probability = agree / compared
            _level(linker, comparison, 1).u_probability = 1 - agree / compared


def trained(linker: Linker) -> dict[str, Any]:
    """The trained model, kept with the run (and moved to another backend with `for_dialect`)."""
    return dict(linker.misc.save_model_to_json(out_path=None))


def for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A model trained on one backend for another: the SQL rebuilt for the target dialect,
    the trained prior and m/u values copied level by level (saved models hold SQL of the
    backend they were trained on)."""
    target = settings(model["link_type"]).create_settings_dict(dialect)
    target["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    for new, old in zip(target["comparisons"], model["comparisons"], strict=True):
        for new_level, old_level in zip(
            new["comparison_levels"], old["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability", "tf_minimum_u_value"):
                if key in old_level:
                    new_level[key] = old_level[key]
    copied: dict[str, Any] = json.loads(json.dumps(target))
    return copied


# Scoring one pair in Python ------------------------------------------------------------
@dataclass(frozen=True)
class Scored:
    probability: float
    match_weight: float
    weights: dict[str, float]


def _level_weight(level: Mapping[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return 0.0  # a level training never saw says nothing
    return math.log2(m / u)


def fits(model: Mapping[str, Any]) -> bool:
    """Whether a stored model has the levels of today's FIELDS (each with its else level):
    a run trained by an earlier version of the model cannot score pairs by them."""
    comparisons = model.get("comparisons", [])
    return len(comparisons) == len(FIELDS) and all(
        len(c["comparison_levels"]) == len(f.levels) + 1
        for f, c in zip(FIELDS, comparisons, strict=True)
    )


def score(
    model: Mapping[str, Any],
    left: Row,
    right: Row,
    frequencies: Mapping[str, Mapping[str, float]],
) -> Scored:
    """The match weight of a pair as Splink computes it for the same trained model: the
    prior, each field's level weight, and term-frequency adjustments of exact matches on
    common values (`frequencies`: column → value → share of the records holding it)."""
    prior = model["probability_two_random_records_match"]
    total = math.log2(prior / (1 - prior))
    weights: dict[str, float] = {}
    for spec, comparison in zip(FIELDS, model["comparisons"], strict=True):
        levels = comparison["comparison_levels"]
        weight = 0.0
        for index, level in enumerate(spec.levels):
            if level.test(left, right):
                weight = 0.0 if index == 0 else _level_weight(levels[index])
                if index and level.tf_column:
                    weight += _tf_adjustment(
                        levels[index], level.tf_column, left, right, frequencies
                    )
                break
        else:
            weight = _level_weight(levels[len(spec.levels)])
        weights[spec.name] = round(weight, 4)
        total += weight
    probability = 2**total / (1 + 2**total)
    return Scored(probability=probability, match_weight=total, weights=weights)


def _tf_adjustment(
    level: Mapping[str, Any],
    column: str,
    left: Row,
    right: Row,
    frequencies: Mapping[str, Mapping[str, float]],
) -> float:
    """log2(u of the exact match) − log2(the more common side's share of the records).
    Every level weighed by frequency here is an exact match on its own column."""
    seen = frequencies.get(column, {})
    floor = seen.get("", 0.0)  # the share of a value held once: such values are not listed
    shares = [seen.get(v, floor) for v in (left[column], right[column]) if v is not None]
    u = level.get("u_probability")
    if not shares or not u or max(shares) <= 0:
        return 0.0
    weight = float(level.get("tf_adjustment_weight", 1.0))
    return weight * (math.log2(u) - math.log2(max(shares)))


def shares(rows: Sequence[Row], column: str) -> tuple[dict[str, float], float]:
    """Each value of a frequency-weighed column with its share, and the share of a value
    counted once.

    Values are counted by record, except in `COUNTED_BY_PERSONS`: there by the distinct
    birth years among the value's records (at least one). A person whom ten agencies record
    makes their name ten times as common by records, and so every pair of their records
    weighs less — the pairs of the best-known persons most; by persons the name counts once.
    Namesakes born in different years count apart.
    """
    counts: dict[str, int] = {}
    if column in COUNTED_BY_PERSONS:
        years: dict[str, set[str]] = {}
        for row in rows:
            if (value := row[column]) is not None:
                born = years.setdefault(value, set())
                if row["birth_year"] is not None:
                    born.add(row["birth_year"])
        counts = {value: max(1, len(born)) for value, born in years.items()}
    else:
        for row in rows:
            if (value := row[column]) is not None:
                counts[value] = counts.get(value, 0) + 1
    total = sum(counts.values())
    return {v: c / total for v, c in counts.items()}, (1 / total if total else 0.0)


def frequencies(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """Each frequency-weighed column's common values and their `shares`; "" holds the
    share of a value counted once (kept small: common values only)."""
    return common_values({column: shares(rows, column) for column in TF_COLUMNS})


def common_values(
    counted: Mapping[str, tuple[dict[str, float], float]],
) -> dict[str, dict[str, float]]:
    """`frequencies` of columns whose `shares` are counted already."""
    found: dict[str, dict[str, float]] = {}
    for column, (share, once) in counted.items():
        if share:
            found[column] = {v: s for v, s in share.items() if s > once}
            found[column][""] = once
    return found
