"""How good could pairwise linkage be on the benchmark of bench/linkage.py? Upper bounds of
the pairwise F1 on data made by `bench/linkage.py generate` and linked by `run`, to tell
what the model's comparison levels lose from what the records themselves still hold.

    D=/tmp/palermo-bench/linkage/100k
    .venv/bin/python bench/linkage.py generate --records 100000 --clusters 30000 --out $D
    .venv/bin/python bench/linkage.py run --data $D
    .venv/bin/python bench/linkage_ceiling.py gammas --data $D
    .venv/bin/python bench/linkage_ceiling.py levels --data $D
    .venv/bin/python bench/linkage_ceiling.py widen --data $D
    .venv/bin/python bench/linkage_ceiling.py levels --data $D --gammas $D/gammas-wide.parquet
    .venv/bin/python bench/linkage_ceiling.py supervised --data $D [--fast]
    .venv/bin/python bench/linkage_ceiling.py supervised --data $D --gammas $D/gammas-wide.parquet

`gammas` predicts every pair of the trained model's blocking rules (RUN/model.json, default
DATA/run-duckdb, rebuilt for DuckDB), with no threshold, and writes each pair's comparison
vector (the gamma_* levels), match probability and weight, and truth label to
DATA/gammas.parquet.

`levels` is the comparison-vector oracle: the best F1 of any rule that decides per tuple of
gamma levels, knowing each tuple's true match rate (and the same with the model's rounded
match weight, which adds the term-frequency adjustment of the name). Beside it: the recall
left by blocking, and the current model at 0.5 and at its best threshold.

`widen` adds to the blocked pairs those sharing a name key whose folded full names are alike
(Jaro-Winkler >= 0.8, or >= 0.7 with two keys shared), with the gamma levels and weight of
`model.FIELDS` and `model.score` (checked against Splink's on a sample of blocked pairs):
DATA/gammas-wide.parquet, for `levels` and `supervised` to measure what blocking loses.

`supervised` is a data oracle: LightGBM trained with the truth on rich features of each
pair (string similarities of the names as written and as folded, birth dates, documents,
how common the name is and how many birth dates its records carry), cross-fitted by true
person so that no pair is scored by a model that saw its person's pairs. Figures by class of
pair (both full birth dates; one side with neither birth date nor document; the others)
and its errors by class, beside the same for the current model.

Every F1 is over all true pairs of the data, blocked or not, at the best threshold unless
said otherwise. Results go to JSON beside the data (ceiling-levels*.json,
ceiling-supervised*.json).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))

from linkage import f1, read_truth, true_pairs
from palermo.linkage import model

BARE = "one side no birth date & no document"
FULL = "both full birth date"
OTHER = "other (year-only / one full, etc.)"


# Common -------------------------------------------------------------------------------
def trained_model(data: Path, run: str | None) -> dict[str, Any]:
    path = Path(run or data / "run-duckdb") / "model.json"
    if not path.exists():
        sys.exit(f"no {path}: run `bench/linkage.py run --data {data}` first, or pass --run")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def gammas_path(data: Path, given: str | None) -> Path:
    path = Path(given) if given else data / "gammas.parquet"
    if not path.exists():
        sys.exit(f"no {path}: run `bench/linkage_ceiling.py gammas --data {data}` first")
    return path


def result_path(data: Path, gammas: Path, name: str) -> Path:
    """DATA/ceiling-NAME.json, or ceiling-NAME-wide.json for gammas-wide.parquet."""
    tag = gammas.stem.removeprefix("gammas")
    return data / f"ceiling-{name}{tag}.json"


def actual_pairs(data: Path) -> int:
    sizes = Counter(pq.read_table(data / "truth.parquet", columns=["cluster"])[0].to_pylist())
    return sum(n * (n - 1) // 2 for n in sizes.values())


def best_threshold(score: np.ndarray, label: np.ndarray, actual: int) -> dict[str, Any]:
    """The best F1 over thresholds on `score` (higher: more likely a match), cutting only
    between distinct scores; `actual` counts the true pairs, blocked or not."""
    order = np.argsort(-score, kind="stable")
    ranked, truths = score[order], label[order].astype(np.int64)
    true_positives = np.cumsum(truths)
    predicted = np.arange(1, len(truths) + 1)
    last = np.r_[ranked[1:] != ranked[:-1], True]
    true_positives, predicted, ranked = true_positives[last], predicted[last], ranked[last]
    precision, recall = true_positives / predicted, true_positives / actual
    with np.errstate(invalid="ignore"):
        f = 2 * precision * recall / (precision + recall)
    i = int(np.nanargmax(f))
    return {
        "f1": round(float(f[i]), 5),
        "precision": round(float(precision[i]), 5),
        "recall": round(float(recall[i]), 5),
        "threshold": round(float(ranked[i]), 4),
        "pairs": int(predicted[i]),
    }


def at(chosen: np.ndarray, label: np.ndarray, actual: int) -> dict[str, Any]:
    true_positives = int((chosen & label).sum())
    predicted = int(chosen.sum())
    return {
        **f1(true_positives, predicted, actual),
        "tp": true_positives,
        "fp": predicted - true_positives,
        "fn": actual - true_positives,
    }


# gammas -------------------------------------------------------------------------------
def gammas(args: argparse.Namespace) -> None:
    from splink import DuckDBAPI, Linker

    data = Path(args.data)
    trained = trained_model(data, args.run)
    table = pq.read_table(data / "rows.parquet")
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="ceiling-duckdb-") as spill,
        duckdb.connect(
            config={"memory_limit": args.memory, "temp_directory": spill, "threads": 1}
        ) as con,
    ):
        api = DuckDBAPI(connection=con)
        frame = api.register(table, table_name="records")
        linker = Linker(frame, model.for_dialect(trained, "duckdb"), log_level=logging.ERROR)
        predictions = linker.inference.predict(threshold_match_probability=None)
        sql = (
            "SELECT unique_id_l, unique_id_r, match_probability, match_weight, "
            "COLUMNS('^gamma_') FROM {this}"
        )
        pairs = predictions.query_sql(sql).as_pyarrow_table()
    print(f"{pairs.num_rows:,} blocked pairs predicted in {time.perf_counter() - start:.1f} s")

    truth = pq.read_table(data / "truth.parquet", columns=["unique_id", "cluster"])
    with duckdb.connect(config={"threads": 1}) as con:
        con.register("p", pairs)
        con.register("t", truth)
        labelled = con.execute(
            """
            SELECT least(p.unique_id_l, p.unique_id_r) AS id_l,
                   greatest(p.unique_id_l, p.unique_id_r) AS id_r,
                   p.* EXCLUDE (unique_id_l, unique_id_r),
                   tl.cluster AS cluster_l, tr.cluster AS cluster_r,
                   tl.cluster = tr.cluster AS match
            FROM p JOIN t tl ON tl.unique_id = p.unique_id_l
                   JOIN t tr ON tr.unique_id = p.unique_id_r
            """
        ).fetch_arrow_table()
    out = data / "gammas.parquet"
    pq.write_table(labelled, out)
    print(f"{labelled.num_rows:,} pairs ({pc.sum(labelled['match']).as_py():,} true) in {out}")


# levels -------------------------------------------------------------------------------
def levels(args: argparse.Namespace) -> None:
    data = Path(args.data)
    path = gammas_path(data, args.gammas)
    pairs = pq.read_table(path).to_pandas()
    actual = actual_pairs(data)
    columns = [c for c in pairs.columns if c.startswith("gamma_")]
    label = pairs["match"].to_numpy().astype(bool)
    blocked_true = int(label.sum())
    cap = blocked_true / actual
    print(
        f"{len(pairs):,} pairs in {path.name}, {blocked_true:,} true of {actual:,} "
        f"(recall cap {cap:.4f}); levels {', '.join(columns)}"
    )
    probability = pairs["match_probability"].to_numpy()
    out: dict[str, Any] = {
        "gammas": str(path),
        "pairs": len(pairs),
        "true_pairs": actual,
        "true_blocked": blocked_true,
        "recall_cap": round(cap, 5),
        "f1_if_perfect_on_blocked": round(2 * cap / (1 + cap), 5),
        "current_model_at_0.5": at(probability >= 0.5, label, actual),
        "current_model_best_threshold": best_threshold(probability, label, actual),
    }

    # The oracle: each tuple of levels scored by its true match rate.
    key = pairs[columns].astype(str).agg("|".join, axis=1)
    rate = pairs.groupby(key)["match"].transform("mean").to_numpy()
    out["gamma_groups"] = int(key.nunique())
    out["gamma_oracle"] = best_threshold(rate, label, actual)
    # With the match weight rounded: finer than the levels by the name's tf adjustment.
    key_tf = key + "|" + pairs["match_weight"].round(1).astype(str)
    rate_tf = pairs.groupby(key_tf)["match"].transform("mean").to_numpy()
    out["gamma_tf_groups"] = int(key_tf.nunique())
    out["gamma_plus_tf_weight_oracle"] = best_threshold(rate_tf, label, actual)

    # Where the oracle errs: the tuples holding both matches and non-matches.
    chosen = rate >= out["gamma_oracle"]["threshold"]
    groups = (
        pd.DataFrame({"levels": key, "match": label, "chosen": chosen})
        .groupby("levels")
        .agg(pairs=("match", "size"), true=("match", "sum"), chosen=("chosen", "first"))
    )
    groups["fp"] = np.where(groups["chosen"], groups["pairs"] - groups["true"], 0)
    groups["fn"] = np.where(groups["chosen"], 0, groups["true"])
    groups["errors"] = groups["fp"] + groups["fn"]
    out["gamma_oracle_errors"] = {
        "fp": int(groups["fp"].sum()),
        "fn_blocked": int(groups["fn"].sum()),
        "fn_unblocked": actual - blocked_true,
    }
    print(f"tuples of levels ({'|'.join(columns)}) where the oracle errs most:")
    print(groups.sort_values("errors", ascending=False).head(args.top).to_string())
    print(f"{'':30} {'precision':>10} {'recall':>8} {'F1':>8} {'pairs':>10}")
    for name in (
        "current_model_at_0.5",
        "current_model_best_threshold",
        "gamma_oracle",
        "gamma_plus_tf_weight_oracle",
    ):
        r = out[name]
        print(
            f"{name:30} {r['precision']:>10.4f} {r['recall']:>8.4f} {r['f1']:>8.4f} "
            f"{r['pairs']:>10,}"
        )
    print(f"{'perfect on the blocked pairs':30} {1:>10.4f} {cap:>8.4f} {2 * cap / (1 + cap):>8.4f}")
    result = result_path(data, path, "levels")
    result.write_text(json.dumps(out, indent=1))
    print(f"results in {result}")


# widen --------------------------------------------------------------------------------
def levels_of(a: model.Row, b: model.Row) -> list[int]:
    """Splink's gamma of each field for the pair: -1 for its null level, then the levels
    from the strictest (highest) down to 0, the else level."""
    found = []
    for spec in model.FIELDS:
        n = len(spec.levels)
        index = next((i for i, level in enumerate(spec.levels) if level.test(a, b)), None)
        found.append(0 if index is None else -1 if index == 0 else n - index)
    return found


def widen(args: argparse.Namespace) -> None:
    data = Path(args.data)
    trained = trained_model(data, args.run)
    blocked = pq.read_table(gammas_path(data, None)).to_pandas()
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="ceiling-duckdb-") as spill,
        duckdb.connect(
            config={"threads": 2, "memory_limit": args.memory, "temp_directory": spill}
        ) as con,
    ):
        con.read_parquet(str(data / "rows.parquet")).create("r")
        con.register("blocked_pairs", blocked[["id_l", "id_r"]])
        con.execute(
            "CREATE TABLE ids AS SELECT unique_id, full_name, row_number() OVER () AS i FROM r"
        )
        con.execute(
            """
            CREATE TABLE keyed AS SELECT DISTINCT ids.i, k.key
            FROM (SELECT unique_id, unnest(keys) AS key FROM r WHERE keys IS NOT NULL) k
            JOIN ids USING (unique_id)
            """
        )
        con.execute(
            """
            CREATE TABLE sharing AS SELECT a.i AS a, b.i AS b, count(*) AS shared_keys
            FROM keyed a JOIN keyed b ON a.key = b.key AND a.i < b.i GROUP BY a.i, b.i
            """
        )
        sharing = con.execute("SELECT count(*) FROM sharing").fetchone()
        print(f"{sharing[0] if sharing else 0:,} pairs share a name key")
        con.execute(
            """
            CREATE TABLE blk AS SELECT least(l.i, r.i) AS a, greatest(l.i, r.i) AS b
            FROM blocked_pairs g JOIN ids l ON l.unique_id = g.id_l
                                 JOIN ids r ON r.unique_id = g.id_r
            """
        )
        new = con.execute(
            """
            SELECT least(l.unique_id, r.unique_id) AS id_l,
                   greatest(l.unique_id, r.unique_id) AS id_r
            FROM sharing c JOIN ids l ON l.i = c.a JOIN ids r ON r.i = c.b
            WHERE (jaro_winkler_similarity(l.full_name, r.full_name) >= 0.8
                   OR (c.shared_keys >= 2
                       AND jaro_winkler_similarity(l.full_name, r.full_name) >= 0.7))
              AND NOT EXISTS (SELECT 1 FROM blk WHERE blk.a = c.a AND blk.b = c.b)
            """
        ).df()
    print(f"{len(new):,} new pairs ({time.perf_counter() - start:.0f} s)")

    rows = {r["unique_id"]: r for r in pq.read_table(data / "rows.parquet").to_pylist()}
    freq = model.frequencies(list(rows.values()))
    names = [f.name for f in model.FIELDS]
    columns = [f"gamma_{n}" for n in names]
    sample = blocked.sample(min(len(blocked), 20_000), random_state=0)
    differ = weighed = 0
    for id_l, id_r, weight, *seen in sample[["id_l", "id_r", "match_weight", *columns]].itertuples(
        index=False
    ):
        a, b = rows[id_l], rows[id_r]
        differ += levels_of(a, b) != list(seen)
        weighed += abs(model.score(trained, a, b, freq).match_weight - weight) > 0.05
    print(
        f"Python levels against Splink's on {len(sample):,} blocked pairs: levels differ "
        f"{differ}, weight differs by more than 0.05 {weighed}"
    )

    found = np.zeros((len(new), len(names)), dtype=np.int64)
    weights = np.zeros(len(new))
    for k, (id_l, id_r) in enumerate(zip(new["id_l"], new["id_r"], strict=True)):
        a, b = rows[id_l], rows[id_r]
        found[k] = levels_of(a, b)
        weights[k] = model.score(trained, a, b, freq).match_weight
    print(f"new pairs scored ({time.perf_counter() - start:.0f} s)")
    cluster = read_truth_clusters(data)
    new["match_probability"] = 2**weights / (1 + 2**weights)
    new["match_weight"] = weights
    for j, column in enumerate(columns):
        new[column] = found[:, j]
    new["cluster_l"] = cluster.reindex(new["id_l"]).to_numpy()
    new["cluster_r"] = cluster.reindex(new["id_r"]).to_numpy()
    new["match"] = new["cluster_l"] == new["cluster_r"]
    blocked["wide_only"] = False
    new["wide_only"] = True
    new = new[blocked.columns].astype(blocked.dtypes.to_dict())
    wide = pd.concat([blocked, new], ignore_index=True)
    out = data / "gammas-wide.parquet"
    pq.write_table(pa.Table.from_pandas(wide, preserve_index=False), out)
    print(
        f"{len(wide):,} pairs ({int(wide['match'].sum()):,} true, {int(new['match'].sum()):,} "
        f"of them new) in {out} ({time.perf_counter() - start:.0f} s)"
    )


def read_truth_clusters(data: Path) -> pd.Series:
    truth = pq.read_table(data / "truth.parquet", columns=["unique_id", "cluster"]).to_pandas()
    return truth.set_index("unique_id")["cluster"]


# supervised ---------------------------------------------------------------------------
def record_context(data: Path) -> pd.DataFrame:
    """The rows with the raw name as written and what the other records say of their name:
    how common it is, and how many birth dates, years and documents its records carry."""
    from normality import ascii_text

    rows = pq.read_table(data / "rows.parquet").to_pandas().set_index("unique_id")
    statements = pq.read_table(data / "statements.parquet").to_pandas()
    names = statements[statements["prop"] == "name"].drop_duplicates("record_id")
    rows["raw"] = names.set_index("record_id")["value"].reindex(rows.index).fillna("")
    folded = [(ascii_text(v) or "").lower() for v in rows["raw"]]
    rows["raw_sorted"] = [" ".join(sorted(v.split())) for v in folded]
    for column in ("full_name", "name_key", "surname", "first_name"):
        rows[f"n_{column}"] = rows.groupby(column)[column].transform("size").fillna(0)
    by_name = rows.groupby("full_name")
    rows["dobs_of_name"] = by_name["dob"].transform("nunique")
    rows["years_of_name"] = by_name["birth_year"].transform("nunique")
    rows["docs_of_name"] = by_name["document"].transform("nunique")
    rows["dobs_of_key"] = rows.groupby("name_key")["dob"].transform("nunique")
    rows["n_name_year"] = rows.groupby(["full_name", "birth_year"])["full_name"].transform("size")
    rows["n_parts"] = rows["parts"].map(lambda v: 0 if v is None else len(v))
    rows["name_len"] = rows["full_name"].fillna("").str.len()
    rows["has_dob"] = rows["dob"].notna()
    rows["has_year"] = rows["birth_year"].notna()
    rows["has_doc"] = rows["document"].notna()
    rows["native"] = ~rows["raw"].map(str.isascii)
    rows["bare"] = ~rows["has_year"] & ~rows["has_doc"]
    return rows


def pair_features(pairs: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """About seventy features of each pair, the model's levels and weight among them."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

    left = rows.reindex(pairs["id_l"].to_numpy())
    right = rows.reindex(pairs["id_r"].to_numpy())
    x = pd.DataFrame(index=pairs.index)
    for column in (c for c in pairs.columns if c.startswith("gamma_")):
        x[column] = pairs[column].to_numpy()
    x["splink_weight"] = pairs["match_weight"].to_numpy()

    def text(frame: pd.DataFrame, column: str) -> list[str]:
        return frame[column].fillna("").astype(str).tolist()

    def both(column: str) -> tuple[list[str], list[str]]:
        return text(left, column), text(right, column)

    def cdist(scorer: Any, a: list[str], b: list[str]) -> np.ndarray:
        return process.cpdist(a, b, scorer=scorer, workers=1)

    def where_both(has: str, values: Any) -> np.ndarray:
        present = left[has].to_numpy() & right[has].to_numpy()
        return np.where(present, values, -1)

    def same(column: str) -> np.ndarray:
        a, b = left[column].to_numpy(), right[column].to_numpy()
        return (a == b) & left[column].notna().to_numpy()

    # Names as the model folds them, and as written (folded to ASCII, parts sorted).
    full_l, full_r = both("full_name")
    x["same_full"] = same("full_name")
    x["same_key"] = same("name_key")
    x["same_raw"] = left["raw"].to_numpy() == right["raw"].to_numpy()
    x["full_ratio"] = cdist(fuzz.ratio, full_l, full_r)
    x["full_tsort"] = cdist(fuzz.token_sort_ratio, full_l, full_r)
    x["full_tset"] = cdist(fuzz.token_set_ratio, full_l, full_r)
    x["full_partial"] = cdist(fuzz.partial_ratio, full_l, full_r)
    x["full_jw"] = cdist(JaroWinkler.normalized_similarity, full_l, full_r)
    x["full_dl"] = cdist(DamerauLevenshtein.distance, full_l, full_r)
    raw_l, raw_r = both("raw_sorted")
    x["raw_tsort"] = cdist(fuzz.token_sort_ratio, raw_l, raw_r)
    x["raw_dl"] = cdist(DamerauLevenshtein.distance, raw_l, raw_r)
    x["raw_native_l"] = left["native"].to_numpy()
    x["raw_native_r"] = right["native"].to_numpy()
    x["raw_native_n"] = x["raw_native_l"].astype(int) + x["raw_native_r"].astype(int)
    first_l, first_r = both("first_name")
    sur_l, sur_r = both("surname")
    first_first = cdist(DamerauLevenshtein.distance, first_l, first_r)
    sur_sur = cdist(DamerauLevenshtein.distance, sur_l, sur_r)
    first_sur = cdist(DamerauLevenshtein.distance, first_l, sur_r)
    sur_first = cdist(DamerauLevenshtein.distance, sur_l, first_r)
    x["dl_first"] = np.minimum(first_first, first_sur)
    x["dl_sur"] = np.minimum(sur_sur, sur_first)
    x["dl_pair_best"] = np.minimum(first_first + sur_sur, first_sur + sur_first)
    x["jw_first"] = cdist(JaroWinkler.normalized_similarity, first_l, first_r)
    x["jw_sur"] = cdist(JaroWinkler.normalized_similarity, sur_l, sur_r)
    x["first_missing"] = left["first_name"].isna().to_numpy().astype(int) + right[
        "first_name"
    ].isna().to_numpy().astype(int)
    for column in ("parts", "keys", "symbols"):
        shared, jaccard = [], []
        for a, b in zip(left[column].to_numpy(), right[column].to_numpy(), strict=True):
            if a is None or b is None:
                shared.append(-1)
                jaccard.append(-1.0)
                continue
            common = len(set(a) & set(b))
            shared.append(common)
            jaccard.append(common / len(set(a) | set(b)))
        x[f"{column}_inter"], x[f"{column}_jac"] = shared, jaccard
    parts_l, parts_r = left["n_parts"].to_numpy(), right["n_parts"].to_numpy()
    x["parts_n_l"], x["parts_n_r"] = np.minimum(parts_l, parts_r), np.maximum(parts_l, parts_r)
    x["same_initials"] = same("initials")
    len_l, len_r = left["name_len"].to_numpy(), right["name_len"].to_numpy()
    x["len_min"], x["len_max"] = np.minimum(len_l, len_r), np.maximum(len_l, len_r)

    # Birth dates: full dates, years, transposed day and month.
    dob_l, dob_r = both("dob")
    x["dob_full_n"] = left["has_dob"].to_numpy().astype(int) + right["has_dob"].to_numpy()
    x["year_n"] = left["has_year"].to_numpy().astype(int) + right["has_year"].to_numpy()
    x["dob_eq"] = where_both("has_dob", np.array(dob_l) == np.array(dob_r))
    x["dob_dl"] = where_both("has_dob", cdist(DamerauLevenshtein.distance, dob_l, dob_r))
    swapped = [
        a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7] and a != b
        for a, b in zip(dob_l, dob_r, strict=True)
    ]
    x["dob_swap"] = where_both("has_dob", swapped)
    x["dob_same_month"] = where_both(
        "has_dob", [a[:7] == b[:7] for a, b in zip(dob_l, dob_r, strict=True)]
    )
    x["year_eq"] = where_both(
        "has_year", left["birth_year"].to_numpy() == right["birth_year"].to_numpy()
    )
    year_l = pd.to_numeric(left["birth_year"], errors="coerce").to_numpy()
    year_r = pd.to_numeric(right["birth_year"], errors="coerce").to_numpy()
    x["year_diff"] = where_both("has_year", np.abs(year_l - year_r))

    # Documents: equal, edits, differing characters, issuer prefix.
    doc_l, doc_r = both("document")
    x["doc_n"] = left["has_doc"].to_numpy().astype(int) + right["has_doc"].to_numpy()
    x["doc_eq"] = where_both("has_doc", np.array(doc_l) == np.array(doc_r))
    x["doc_dl"] = where_both("has_doc", cdist(DamerauLevenshtein.distance, doc_l, doc_r))
    x["doc_hamming"] = where_both(
        "has_doc",
        [
            sum(c != d for c, d in zip(a, b, strict=False)) + abs(len(a) - len(b))
            for a, b in zip(doc_l, doc_r, strict=True)
        ],
    )
    x["doc_prefix_eq"] = where_both(
        "has_doc", [a[:2] == b[:2] for a, b in zip(doc_l, doc_r, strict=True)]
    )
    for column in ("country", "gender"):
        a, b = left[column].to_numpy(), right[column].to_numpy()
        x[f"{column}_eq"] = np.where(pd.isna(a) | pd.isna(b), -1, (a == b).astype(int))
    x["same_agency"] = (
        left["source_dataset"].to_numpy() == right["source_dataset"].to_numpy()
    ).astype(int)

    # How common the names are, and how many persons they seem to name.
    for column in (
        "n_full_name",
        "n_name_key",
        "n_surname",
        "n_first_name",
        "dobs_of_name",
        "years_of_name",
        "docs_of_name",
        "dobs_of_key",
        "n_name_year",
    ):
        a, b = left[column].fillna(0).to_numpy(), right[column].fillna(0).to_numpy()
        x[f"{column}_min"], x[f"{column}_max"] = np.minimum(a, b), np.maximum(a, b)
    return x.astype(float)


def pair_class(a: pd.Series | pd.DataFrame, b: pd.Series | pd.DataFrame) -> Any:
    """BARE when a side has neither birth date nor document, else FULL when both have the
    full birth date, else OTHER (vectorised over frames of rows, or for one pair)."""
    bare = a["bare"] | b["bare"]
    full = a["has_dob"] & b["has_dob"]
    if isinstance(bare, pd.Series):
        return np.where(bare, BARE, np.where(full, FULL, OTHER))
    return BARE if bare else FULL if full else OTHER


def unblocked_by_class(data: Path, pairs: pd.DataFrame, rows: pd.DataFrame) -> Counter[str]:
    """The true pairs the candidate pairs miss, by class."""
    found = set(zip(pairs["id_l"], pairs["id_r"], strict=True))
    flags = rows[["bare", "has_dob"]].to_dict("index")
    return Counter(
        pair_class(flags[a], flags[b])
        for a, b in true_pairs(read_truth(data))
        if (a, b) not in found
    )


def person_folds(pairs: pd.DataFrame, data: Path) -> np.ndarray:
    """Each true person goes to fold 0 or 1, and a pair within one fold with it; a pair
    across folds (never a match) goes to one by a hash of the pair."""
    clusters = pd.read_parquet(data / "truth.parquet", columns=["cluster"])["cluster"].unique()
    fold_of = pd.Series(np.random.default_rng(0).integers(0, 2, len(clusters)), index=clusters)
    fold_l = fold_of.reindex(pairs["cluster_l"]).to_numpy()
    fold_r = fold_of.reindex(pairs["cluster_r"]).to_numpy()
    hashed = pd.util.hash_pandas_object(pairs["id_l"] + "|" + pairs["id_r"], index=False)
    return np.where(fold_l == fold_r, fold_l, hashed.to_numpy() % 2)


def crossfit(x: pd.DataFrame, label: np.ndarray, fold: np.ndarray, fast: bool) -> np.ndarray:
    """Out-of-fold match probabilities: model k is trained on fold 1-k and scores fold k."""
    import lightgbm as lgb

    params: dict[str, Any] = {
        "objective": "binary",
        "learning_rate": 0.1,
        "num_leaves": 63,
        "min_child_samples": 20,
        "n_estimators": 300,
        "subsample": 0.8,
        "subsample_freq": 1,
        "colsample_bytree": 0.8,
        "n_jobs": 2,
        "verbose": -1,
    }
    if fast:  # fewer, bolder trees on coarser bins
        params.update(n_estimators=150, learning_rate=0.15, max_bin=63)
    start = time.perf_counter()
    probability = np.zeros(len(x))
    gains = pd.Series(0.0, index=x.columns)
    for k in (0, 1):
        train, test = fold != k, fold == k
        classifier = lgb.LGBMClassifier(**params)
        classifier.fit(x[train], label[train])
        probability[test] = classifier.predict_proba(x[test])[:, 1]
        gains += classifier.booster_.feature_importance("gain")
        print(
            f"  fold {k}: trained on {train.sum():,} pairs, scored {test.sum():,} "
            f"({time.perf_counter() - start:.0f} s)"
        )
    print("  top features (gain):", ", ".join(gains.nlargest(12).index))
    return probability


def by_class(
    name: str,
    probability: np.ndarray,
    label: np.ndarray,
    classes: np.ndarray,
    same_full: np.ndarray,
    missed: Counter[str],
    actual: int,
) -> dict[str, Any]:
    """The best F1 of a score, and at its threshold the figures and errors of each class
    (a class's true pairs include those never blocked)."""
    out: dict[str, Any] = {"all": best_threshold(probability, label, actual)}
    chosen = probability >= out["all"]["threshold"]
    for c in (FULL, OTHER, BARE):
        mask = classes == c
        true_in_class = int(label[mask].sum()) + missed[c]
        out[c] = {
            **at(chosen[mask], label[mask], true_in_class),
            "blocked_true": int(label[mask].sum()),
            "unblocked_true": missed[c],
            "best_in_class": best_threshold(probability[mask], label[mask], true_in_class),
        }
    bare = classes == BARE
    errors: dict[str, Any] = {}
    for kind, mask in (("fp", chosen & ~label), ("fn_blocked", ~chosen & label)):
        errors[kind] = {
            "total": int(mask.sum()),
            BARE: int((mask & bare).sum()),
            "  of which same full name": int((mask & bare & same_full).sum()),
            "same full name (not the above)": int((mask & ~bare & same_full).sum()),
            "other": int((mask & ~bare & ~same_full).sum()),
        }
    errors["fn_unblocked"] = {"total": sum(missed.values()), **missed}
    out["errors"] = errors

    a = out["all"]
    print(
        f"\n== {name}: F1 {a['f1']:.4f}  precision {a['precision']:.4f}  "
        f"recall {a['recall']:.4f}  (threshold {a['threshold']})"
    )
    print(f"{'class':40} {'precision':>10} {'recall':>8} {'F1':>8} {'best F1':>8} {'true':>8}")
    for c in (FULL, OTHER, BARE):
        r = out[c]
        print(
            f"{c:40} {r['precision']:>10.4f} {r['recall']:>8.4f} {r['f1']:>8.4f} "
            f"{r['best_in_class']['f1']:>8.4f} {r['blocked_true'] + r['unblocked_true']:>8,}"
        )
    for kind, counts in errors.items():
        listed = ", ".join(f"{k.strip()} {v:,}" for k, v in counts.items() if k != "total")
        print(f"{kind:>12} {counts['total']:>7,}: {listed}")
    return out


def supervised(args: argparse.Namespace) -> None:
    data = Path(args.data)
    path = gammas_path(data, args.gammas)
    start = time.perf_counter()
    pairs = pq.read_table(path).to_pandas()
    pairs = pairs.drop(columns=[c for c in ("wide_only",) if c in pairs.columns])
    rows = record_context(data)
    actual = actual_pairs(data)
    label = pairs["match"].to_numpy().astype(bool)
    x = pair_features(pairs, rows)
    print(
        f"{len(pairs):,} pairs of {path.name}, {x.shape[1]} features "
        f"({time.perf_counter() - start:.0f} s)"
    )
    classes = pair_class(
        rows.reindex(pairs["id_l"].to_numpy()).reset_index(drop=True),
        rows.reindex(pairs["id_r"].to_numpy()).reset_index(drop=True),
    )
    same_full = x["same_full"].to_numpy().astype(bool)
    missed = unblocked_by_class(data, pairs, rows)
    results: dict[str, Any] = {
        "gammas": str(path),
        "fast": args.fast,
        "pairs": len(pairs),
        "true_pairs": actual,
        "true_blocked": int(label.sum()),
    }
    figures = (classes, same_full, missed, actual)
    results["current_model"] = by_class(
        "current model (Splink probability)",
        pairs["match_probability"].to_numpy(),
        label,
        *figures,
    )
    probability = crossfit(x, label, person_folds(pairs, data), args.fast)
    results["supervised"] = by_class(
        "supervised data oracle (LightGBM, cross-fitted by person)", probability, label, *figures
    )
    results["seconds"] = round(time.perf_counter() - start, 1)
    result = result_path(data, path, "supervised")
    result.write_text(json.dumps(results, indent=1))
    print(f"\nresults in {result} ({results['seconds']:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("gammas", help="every blocked pair with its levels, weight and truth")
    p.add_argument("--data", required=True)
    p.add_argument("--run", help="the run whose model is used (default: DATA/run-duckdb)")
    p.add_argument("--memory", default="3GB", help="DuckDB memory limit")
    p = sub.add_parser("levels", help="the comparison-vector oracle")
    p.add_argument("--data", required=True)
    p.add_argument("--gammas", help="the pairs (default: DATA/gammas.parquet)")
    p.add_argument("--top", type=int, default=15, help="tuples of levels listed by errors")
    p = sub.add_parser("widen", help="the blocked pairs and those sharing a name key")
    p.add_argument("--data", required=True)
    p.add_argument("--run", help="the run whose model is used (default: DATA/run-duckdb)")
    p.add_argument("--memory", default="5GB", help="DuckDB memory limit")
    p = sub.add_parser("supervised", help="LightGBM with the truth, cross-fitted by person")
    p.add_argument("--data", required=True)
    p.add_argument("--gammas", help="the pairs (default: DATA/gammas.parquet)")
    p.add_argument("--fast", action="store_true", help="fewer trees, coarser bins")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    commands = {"gammas": gammas, "levels": levels, "widen": widen, "supervised": supervised}
    commands[args.command](args)


if __name__ == "__main__":
    main()
