"""First stage: candidates from an in-memory tantivy index that keeps recall high.

Each screenable record is one document with its name parts under several keys — as
written, romanisation-folded, metaphone, rigour's name-variant symbols — with birth years
and identifiers. A query asks for any of its keys (BM25 ranks rare agreements first) and
adds fuzzy terms for parts the index has never seen, which are likely typing errors.

The index lives in the process and follows the database through `record_changes`: every
search first checks the feed's recent tail (its size and newest row; the rows themselves
when these moved), so a record written a moment ago (or rolled back) is seen as it is now.
What policy lets the caller see is decided afterwards, in SQL.

Typing errors are looked up beside the index, in SymSpell's deletion neighbourhoods of the
folded parts: tantivy's fuzzy term walks the whole term dictionary with a Levenshtein
automaton and marks its hits in a bitset of every document, 1.3–2.4 ms a part at 1M records
against about a tenth of that here.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache

import tantivy
from followthemoney import model
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from symspellpy import SymSpell, Verbosity

from palermo.db import fetch_rows, transaction_marked
from palermo.records.service import FEED_WRITTEN
from palermo.screening.entries import Entry, all_entries, entries_of
from palermo.screening.names import Part
from palermo.screening.scoring import ScreeningQuery

# The feed's tail re-read on every refresh: writes that commit out of order (PostgreSQL
# sequences) or roll back (a reused SQLite rowid) within it are still caught.
TAIL = 256
# What each query part that a record agrees on adds to its rank, whatever the record's
# length: BM25 alone ranked records whose names are short (no second script) above ones
# agreeing on more parts. 6 is about a common part's idf at 1M records; 3 and 10 did worse.
PART_AGREES = 6.0
# An add of this many entries or more is a build (not the catch-up of a few changes): it
# ends by freezing the process's objects (see `add`).
FREEZE_AFTER = 100_000
# Edits a never-seen part may be away from a known one: 1, or 2 for parts of LONG letters.
LONG = 8
_TAIL_SIZE = "SELECT COUNT(*), MAX(seq) FROM record_changes WHERE seq >= ?"
_FIELDS = ("tok", "fold", "pho", "sym", "skl", "ini", "yr", "dob", "ids")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("rid", stored=False, tokenizer_name="raw")  # to delete by
    builder.add_integer_field("n", fast=True)  # the entry's slot: read without a doc fetch
    for name in _FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw")
    return builder.build()


@cache
def family(schema_name: str) -> str:
    """Name keys are prefixed by the kind of thing named (a filter on the schema would stop
    tantivy from skipping through posting lists): p persons, o organisations, x others."""
    schema = model.get(schema_name)
    if schema is None:
        return "x"
    if schema.is_a("Person"):
        return "p"
    if schema.is_a("Organization") or schema.name == "LegalEntity":
        return "o"
    return "x"


@lru_cache(maxsize=1 << 18)
def _keys(part: Part, f: str) -> tuple[tuple[str, str], ...]:
    """The (field, term) pairs a name part puts in a document (cached: parts are shared by
    every name with the word, so a million records have a few hundred thousand)."""
    keys = [("ini", f + part.text[0])] if part.text.isascii() else []
    if part.initial:
        return tuple(keys)
    keys += [("tok", f + part.text), ("fold", f + part.folded)]
    keys += [("sym", f + s) for s in part.symbols]
    if part.phonetic:
        keys.append(("pho", f + part.phonetic))
    if part.skeleton and part.text.isascii():
        keys.append(("skl", f + part.skeleton))
    return tuple(keys)


def _document(entry: Entry, slot: int, parts: set[Part]) -> tantivy.Document:
    """The entry's document; its name parts are also gathered in `parts`."""
    fields: dict[str, set[str]] = {name: set() for name in _FIELDS}
    f = family(entry.schema)
    for name in entry.names:
        parts.update(name.parts)
        for part in name.parts:
            for field, term in _keys(part, f):
                fields[field].add(term)
    fields["yr"].update(d[:4] for d in entry.birth_dates)
    fields["dob"].update(entry.birth_dates)
    fields["ids"].update(entry.identifiers)
    return tantivy.Document(rid=entry.record_id, n=slot, **{k: list(v) for k, v in fields.items()})


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    retrieval: float


@dataclass(frozen=True)
class Page:
    candidates: list[Candidate]
    next_offset: int | None  # None: the index has nothing further


class ScreeningIndex:
    def __init__(self) -> None:
        self._schema = _schema()
        self._index = tantivy.Index(self._schema)
        self._writer = self._index.writer(heap_size=256_000_000, num_threads=1)
        # Entries by slot number (the documents' fast field "n"); a replaced entry's old slot
        # is emptied, so a document not yet deleted in a searcher's snapshot finds nothing.
        # Slots are not reused: eight bytes per change until the process restarts.
        self._slots: list[Entry | None] = []
        self._slot_of: dict[str, int] = {}
        self._tail: dict[int, str] = {}
        self._built = False
        self._unsure = False  # the tail was read in a transaction that wrote to the feed
        self._lock = threading.Lock()
        # The folded parts of each family (unprefixed) for typing errors; a part no longer
        # in the index stays here, and a term query for it finds nothing.
        self._spellings: dict[str, SymSpell] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def get(self, record_id: str) -> Entry | None:
        slot = self._slot_of.get(record_id)
        return None if slot is None else self._slots[slot]

    # Following the database ----------------------------------------------------------
    def refresh(self, session: Session) -> None:
        with self._lock:
            if not self._built:
                self._build(session)
            else:
                self._catch_up(session)

    def _feed(self, session: Session, after: int) -> dict[int, str]:
        rows = fetch_rows(
            session, "SELECT seq, record_id FROM record_changes WHERE seq > ? ORDER BY seq", [after]
        )
        return {int(seq): rid for seq, rid in rows}

    def _build(self, session: Session) -> None:
        last = fetch_rows(session, "SELECT MAX(seq) FROM record_changes", [])[0][0] or 0
        # Read the feed's position first: whatever changes while the records stream in is
        # read again by the next refresh.
        self._tail = self._feed(session, max(0, int(last) - TAIL))
        self.add(all_entries(session))
        self._built = True

    def _catch_up(self, session: Session) -> None:
        start = min(self._tail, default=0)
        # Unchanged if the tail still has as many rows and the same newest one — unless rows
        # read through a transaction that wrote some may have rolled back since, and their
        # numbers been taken again (SQLite reuses a rolled-back rowid).
        wrote = transaction_marked(session, FEED_WRITTEN)
        if not (wrote or self._unsure):
            size = fetch_rows(session, _TAIL_SIZE, [start])[0]
            if tuple(size) == (len(self._tail), max(self._tail, default=None)):
                return
        self._unsure = wrote
        feed = self._feed(session, max(0, start - 1))
        changed = {rid for seq, rid in feed.items() if self._tail.get(seq) != rid}
        changed.update(rid for seq, rid in self._tail.items() if feed.get(seq) != rid)
        if feed:
            newest = max(feed)
            self._tail = {s: r for s, r in feed.items() if s > newest - TAIL}
        if not changed:
            return
        for rid in changed:
            self._forget(rid)
        self.add(entries_of(session, sorted(changed)))

    def _forget(self, record_id: str) -> None:
        slot = self._slot_of.pop(record_id, None)
        if slot is not None:
            self._writer.delete_documents_by_term("rid", record_id)
            self._slots[slot] = None

    def add(self, entries: Iterable[Entry]) -> None:
        """Index (or re-index) entries and make them searchable."""
        seen: dict[str, set[Part]] = {f: set() for f in "pox"}
        with _collector_paused():
            # Every entry is made before the first document goes to tantivy: interleaving the
            # two, tantivy's indexing thread and the one making entries held each other up
            # (a 1M build: 82.7 s against 57.1 s). The entries are kept in slots anyway.
            made = list(entries)
            for entry in made:
                self._forget(entry.record_id)
                slot = self._slot_of[entry.record_id] = len(self._slots)
                self._slots.append(entry)
                parts = seen[family(entry.schema)]
                self._writer.add_document(_document(entry, slot, parts))
            if len(made) >= FREEZE_AFTER:
                # Out of the collector's sight for good: with a 1M index each full collection
                # walked its ~10M objects, a 4.7-s stall of the process. Entries hold no
                # cycles, so a replaced one is still freed (by its reference count).
                gc.freeze()
        self._writer.commit()
        for f, parts in seen.items():
            folded = {p.folded for p in parts if not p.initial and p.folded.isascii()}
            if folded:
                spellings = self._spellings.setdefault(f, _spellings())
                for word in folded:
                    spellings.create_dictionary_entry(word, 1)
        self._index.reload()

    # Candidates ------------------------------------------------------------------------
    def _term(self, field: str, value: str, boost: float) -> tantivy.Query:
        query = tantivy.Query.term_query(self._schema, field, value)
        return tantivy.Query.boost_query(query, boost) if boost != 1.0 else query

    def candidates(
        self, query: ScreeningQuery, *, schemas: Sequence[str], limit: int = 50, offset: int = 0
    ) -> Page:
        """The `limit` best-ranked index hits from `offset` on, kept if of the given schemas."""
        searcher = self._index.searcher()
        agreeing: list[tantivy.Query] = []  # a record must agree on one full name part
        initials: list[tantivy.Query] = []
        for f in sorted({family(s) for s in schemas}):
            for clause, full in self._name_terms(searcher, query, f):
                (agreeing if full else initials).append(clause)
        # Initials and birth dates only rank the records that agree on a full part; a name of
        # initials alone ("Y. A", with a one-letter Chinese surname) has nothing else.
        ranking = initials if agreeing else []
        agreeing = agreeing or initials
        if query.birth_date:
            ranking.append(self._term("yr", query.birth_date[:4], 1.5))
            if len(query.birth_date) == 10:
                ranking.append(self._term("dob", query.birth_date, 2.0))
        # A record that shares only an initial or a birth year with the query has no name
        # to score; leaving it out spares walking their long posting lists (an initial is
        # in a third of the records) — the optional clauses are only looked up for records
        # that agree on a name part.
        should = [self._term("ids", query.document, 5.0)] if query.document else []
        if agreeing:
            named = _either(agreeing)
            if ranking:
                optional = [(tantivy.Occur.Should, q) for q in ranking]
                named = tantivy.Query.boolean_query([(tantivy.Occur.Must, named), *optional])
            should.append(named)
        if not should:
            return Page([], None)
        wanted = set(schemas)
        hits = searcher.search(_either(should), limit, count=False, offset=offset).hits
        found: list[Candidate] = []
        # Other schemas of the same family are skipped here.
        slots = searcher.fast_field_values("n", [address for _, address in hits])
        for (retrieval, _), slot in zip(hits, slots, strict=True):
            entry = self._slots[int(slot)] if slot is not None else None
            if entry is not None and entry.schema in wanted:
                found.append(Candidate(entry=entry, retrieval=retrieval))
        return Page(found, offset + limit if len(hits) == limit else None)

    def _name_terms(
        self, searcher: tantivy.Searcher, query: ScreeningQuery, f: str
    ) -> Iterator[tuple[tantivy.Query, bool]]:
        """One clause per name part: the best of its keys counts (a disjunction-max), so a
        record with many variant ids, or with the name in two scripts, is not ranked above
        one that agrees on every part and on the birth date; and the part's agreement
        counts once more at a constant score (PART_AGREES). Each clause comes with whether
        it is a full part's (an initial only ranks)."""
        for name in query.names:
            # Spelling variants widen the search for full names only: a surname with an
            # initial already meets many records.
            spelled_out = len(name.parts) > 1 and not any(p.initial for p in name.parts)
            for part in name.parts:
                if part.initial:  # "J." narrows the Smiths to those with a J name
                    yield self._term("ini", f + part.text, 0.5), False
                    continue
                keys = list(self._part_keys(searcher, part, f))
                clause = tantivy.Query.disjunction_max_query(keys, 0.1) if keys[1:] else keys[0]
                # Latin spellings of one name ("Ekaterina", "Yekaterina") meet on their
                # variant ids; these rank, but do not count as the part agreeing.
                variants = [self._term("sym", f + s, 0.9) for s in sorted(part.symbols)]
                if spelled_out and part.text.isascii() and len(part.folded) >= 4 and variants:
                    yield tantivy.Query.disjunction_max_query([*keys, *variants], 0.1), True
                else:
                    yield clause, True
                yield tantivy.Query.const_score_query(clause, PART_AGREES), True

    def _part_keys(self, searcher: tantivy.Searcher, part: Part, f: str) -> Iterator[tantivy.Query]:
        folded = f + part.folded
        yield self._term("tok", f + part.text, 1.0)
        yield self._term("fold", folded, 1.0)
        if part.phonetic:
            yield self._term("pho", f + part.phonetic, 0.7)
        if not part.text.isascii():  # another script: its name variants lead
            for symbol in part.symbols:
                yield self._term("sym", f + symbol, 0.9)
            if part.skeleton:  # Arabic: Latin spellings of its consonants
                yield self._term("skl", f + part.skeleton, 0.8)
        unseen = len(part.folded) >= 4 and not searcher.doc_freq("fold", folded)
        if unseen and part.folded.isascii() and f in self._spellings:
            # Never seen: most likely a typing error; look an edit or two away (a
            # transposition is one), every such part alike.
            distance = 1 if len(part.folded) < LONG else 2
            near = self._spellings[f].lookup(part.folded, Verbosity.ALL, distance)
            if near:
                terms = [self._term("fold", f + s.term, 1.0) for s in near]
                yield tantivy.Query.const_score_query(_either(terms), 0.8)


def _spellings() -> SymSpell:
    """Deletions are made of a word's first five letters only (SymSpell's prefix; the whole
    words are compared after): at 300,000 distinct parts, 9 µs a part and 0.4M keys against
    36 µs and 3.7M with the default seven, for lookups of 0.14 ms instead of 0.07."""
    return SymSpell(max_dictionary_edit_distance=2, prefix_length=5)


def _either(queries: Sequence[tantivy.Query]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


_PAUSES = 0
_PAUSES_LOCK = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while entries stream in: a build makes
    millions of objects without cycles (entries, names, tuples), which the collector would
    walk again and again and find nothing to free — a fifth of a 1M build's time. Nested
    and concurrent builds keep it paused until the last one ends."""
    global _PAUSES
    with _PAUSES_LOCK:
        ours = _PAUSES > 0 or gc.isenabled()  # paused by someone else: leave it to them
        if ours:
            _PAUSES += 1
            gc.disable()
    try:
        yield
    finally:
        if ours:
            with _PAUSES_LOCK:
                _PAUSES -= 1
                if _PAUSES == 0:
                    gc.enable()


_INDEXES: dict[str, ScreeningIndex] = {}
_REGISTRY_LOCK = threading.Lock()


def index_for(engine: Engine) -> ScreeningIndex:
    """The process's index of one database (built on first use, then kept up to date)."""
    key = engine.url.render_as_string(hide_password=False)
    with _REGISTRY_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = ScreeningIndex()
        return _INDEXES[key]
