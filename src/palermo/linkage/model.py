"""The Fellegi–Sunter model of a linkage run, in Splink's terms: comparisons per field,
blocking rules, and training without labels (u by random sampling, m by EM).

Each comparison level is written once, as Splink's SQL level and as the same test in
Python: Splink scores whole runs, the Python tests score one new record against its
candidates in milliseconds (`score`), with the run's trained parameters.

Comparisons use only functions on which DuckDB and Spark agree exactly (exact and reversed
matches, Damerau–Levenshtein): Spark's Jaro–Winkler (Splink's jar) scores some names lower
than DuckDB's, and the same run must give the same pairs on both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from rapidfuzz.distance import DamerauLevenshtein
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from palermo.errors import Invalid

SEED = 42
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


def _swapped(a: Row, b: Row) -> bool:
    return (
        a["first_name"] is not None
        and a["surname"] is not None
        and a["first_name"] == b["surname"]
        and a["surname"] == b["first_name"]
    )


def _both(*tests: Callable[[Row, Row], bool]) -> Callable[[Row, Row], bool]:
    return lambda a, b: all(t(a, b) for t in tests)


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
                creator = creator.configure(tf_adjustment_column=level.tf_column)
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
            Level(
                cll.And(
                    cll.DamerauLevenshteinLevel("first_name", 1),
                    cll.DamerauLevenshteinLevel("surname", 1),
                ),
                _both(_edits("first_name", 1), _edits("surname", 1)),
            ),
            Level(cll.DamerauLevenshteinLevel("full_name", 2), _edits("full_name", 2)),
            Level(cll.ExactMatchLevel("surname"), _exact("surname"), "surname"),
        ),
    ),
    # Full dates, dates one keystroke apart, the same year when a side has only a year.
    Field(
        "dob",
        (
            Level(cll.NullLevel("birth_year"), _null("birth_year")),
            Level(cll.ExactMatchLevel("dob"), _exact("dob")),
            Level(cll.DamerauLevenshteinLevel("dob", 1), _edits("dob", 1)),
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
            Level(cll.DamerauLevenshteinLevel("document", 1), _edits("document", 1)),
        ),
    ),
    Field(
        "country",
        (
            Level(cll.NullLevel("country"), _null("country")),
            Level(cll.ExactMatchLevel("country"), _exact("country"), "country"),
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
)


def settings(link_type: LinkType = "dedupe_only") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=[f.comparison() for f in FIELDS],
        blocking_rules_to_generate_predictions=[
            *(block_on(*columns) for columns in BLOCKING),
            {"blocking_rule": "l.first_name = r.surname AND l.surname = r.first_name"},
        ],
        retain_intermediate_calculation_columns=True,  # the mw_* weight of every field
    )


def train(linker: Linker) -> None:
    """Parameters from the data alone: the prior from near-certain pairs, u from random
    pairs, m by expectation–maximisation on two blockings that leave each other's fields
    free."""
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
        max_pairs=2e6, seed=SEED, min_count_per_level=None
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_key"), estimate_without_term_frequencies=True
    )


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
    return math.log2(u) - math.log2(max(shares))


def frequencies(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Each frequency-weighed column's common values and their share of the records that
    have one; "" holds the share of a value seen once (kept small: common values only)."""
    found: dict[str, dict[str, float]] = {}
    for column in TF_COLUMNS:
        counts: dict[str, int] = {}
        for row in rows:
            if (value := row[column]) is not None:
                counts[value] = counts.get(value, 0) + 1
        total = sum(counts.values())
        if not total:
            continue
        found[column] = {v: c / total for v, c in counts.items() if c > 1}
        found[column][""] = 1 / total
    return found
