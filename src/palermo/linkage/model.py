"""The Fellegi–Sunter model of a linkage run, in Splink's terms: comparisons per field,
blocking rules, and training without labels (u by random sampling, m by EM).

Comparisons use only functions whose results DuckDB and Spark agree on exactly (exact and
reversed matches, Damerau–Levenshtein, substrings): Spark's Jaro–Winkler (Splink's jar)
scores some names lower than DuckDB's, and the same run must give the same pairs on both.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

# Field → the comparison that weighs it; the predictions carry one mw_<field> weight each.
FIELDS = ("name", "dob", "document", "country", "gender")
SEED = 42
LinkType = Literal["dedupe_only", "link_and_dedupe", "link_only"]


def _name() -> cl.CustomComparison:
    """Names as parts, tolerant of swapped order and typos; frequent names weigh less."""
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.And(cll.NullLevel("first_name"), cll.NullLevel("surname")),
            cll.ExactMatchLevel("full_name").configure(tf_adjustment_column="full_name"),
            cll.ColumnsReversedLevel("first_name", "surname", symmetrical=True),
            cll.And(
                cll.DamerauLevenshteinLevel("first_name", 1),
                cll.DamerauLevenshteinLevel("surname", 1),
            ),
            cll.DamerauLevenshteinLevel("full_name", 2),
            cll.ExactMatchLevel("surname").configure(tf_adjustment_column="surname"),
            cll.ElseLevel(),
        ],
    )


def _birth() -> cl.CustomComparison:
    """Full dates, dates one keystroke apart, the same year (year-only dates too)."""
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.ExactMatchLevel("dob"),
            cll.DamerauLevenshteinLevel("dob", 1),
            cll.ExactMatchLevel("birth_year"),
            cll.ElseLevel(),
        ],
    )


def settings(link_type: LinkType = "dedupe_only") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        source_dataset_column_name="source_dataset",
        comparisons=[
            _name(),
            _birth(),
            cl.DamerauLevenshteinAtThresholds("document", [1]),
            cl.ExactMatch("country").configure(term_frequency_adjustments=True),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_key"),
            block_on("surname_key", "birth_year"),
            block_on("dob"),
            block_on("document"),
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
