"""First stage: candidates from an in-memory tantivy index that keeps recall high.

Each screenable record is one document with its name parts under several keys — as
written, romanisation-folded, metaphone, rigour's name-variant symbols — with birth years
and identifiers. A query asks for any of its keys (BM25 ranks rare agreements first) and
adds fuzzy terms for parts the index has never seen, which are likely typing errors.

The index lives in the process and follows the database through `record_changes`: every
search first reads the feed's recent tail, so a record written a moment ago (or rolled back)
is seen as it is now. What policy lets the caller see is decided afterwards, in SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import tantivy
from followthemoney import model
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from palermo.db import fetch_rows
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


def _document(entry: Entry, slot: int) -> tantivy.Document:
    f = family(entry.schema)
    every = [p for name in entry.names for p in name.parts]
    parts = [p for p in every if not p.initial]
    return tantivy.Document(
        rid=entry.record_id,
        n=slot,
        ini=list({f + p.text[0] for p in every if p.text.isascii()}),
        tok=list({f + p.text for p in parts}),
        fold=list({f + p.folded for p in parts}),
        pho=list({f + p.phonetic for p in parts if p.phonetic}),
        sym=list({f + s for p in parts for s in p.symbols}),
        skl=list({f + p.skeleton for p in parts if p.skeleton and p.text.isascii()}),
        yr=list({d[:4] for d in entry.birth_dates}),
        dob=list(entry.birth_dates),
        ids=list(entry.identifiers),
    )


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
        self._lock = threading.Lock()

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
        for entry in entries:
            self._forget(entry.record_id)
            slot = self._slot_of[entry.record_id] = len(self._slots)
            self._slots.append(entry)
            self._writer.add_document(_document(entry, slot))
        self._writer.commit()
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
        should: list[tantivy.Query] = []
        for f in sorted({family(s) for s in schemas}):
            should.extend(self._name_terms(searcher, query, f))
        if query.birth_date:
            should.append(self._term("yr", query.birth_date[:4], 1.5))
            if len(query.birth_date) == 10:
                should.append(self._term("dob", query.birth_date, 2.0))
        if query.document:
            should.append(self._term("ids", query.document, 5.0))
        if not should:
            return Page([], None)
        wanted = set(schemas)
        combined = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in should])
        hits = searcher.search(combined, limit, count=False, offset=offset).hits
        found: list[Candidate] = []
        # Other schemas of the same family (or sharing only a birth date) are skipped here.
        slots = searcher.fast_field_values("n", [address for _, address in hits])
        for (retrieval, _), slot in zip(hits, slots, strict=True):
            entry = self._slots[int(slot)] if slot is not None else None
            if entry is not None and entry.schema in wanted:
                found.append(Candidate(entry=entry, retrieval=retrieval))
        return Page(found, offset + limit if len(hits) == limit else None)

    def _name_terms(
        self, searcher: tantivy.Searcher, query: ScreeningQuery, f: str
    ) -> Iterator[tantivy.Query]:
        """One clause per name part: the best of its keys counts (a disjunction-max), so a
        record with many variant ids, or with the name in two scripts, is not ranked above
        one that agrees on every part and on the birth date; and the part's agreement
        counts once more at a constant score (PART_AGREES)."""
        for name in query.names:
            # Spelling variants widen the search for full names only: a surname with an
            # initial already meets many records.
            spelled_out = len(name.parts) > 1 and not any(p.initial for p in name.parts)
            for part in name.parts:
                if part.initial:  # "J." narrows the Smiths to those with a J name
                    yield self._term("ini", f + part.text, 0.5)
                    continue
                keys = list(self._part_keys(searcher, part, f))
                clause = tantivy.Query.disjunction_max_query(keys, 0.1) if keys[1:] else keys[0]
                # Latin spellings of one name ("Ekaterina", "Yekaterina") meet on their
                # variant ids; these rank, but do not count as the part agreeing.
                variants = [self._term("sym", f + s, 0.9) for s in sorted(part.symbols)]
                if spelled_out and part.text.isascii() and len(part.folded) >= 4 and variants:
                    yield tantivy.Query.disjunction_max_query([*keys, *variants], 0.1)
                else:
                    yield clause
                yield tantivy.Query.const_score_query(clause, PART_AGREES)

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
        if unseen and part.folded.isascii():
            # Never seen: most likely a typing error; look an edit or two away.
            distance = 1 if len(part.folded) < 8 else 2
            fuzzy = tantivy.Query.fuzzy_term_query(
                self._schema, "fold", folded, distance=distance, transposition_cost_one=True
            )
            yield tantivy.Query.boost_query(fuzzy, 0.8)


_INDEXES: dict[str, ScreeningIndex] = {}
_REGISTRY_LOCK = threading.Lock()


def index_for(engine: Engine) -> ScreeningIndex:
    """The process's index of one database (built on first use, then kept up to date)."""
    key = engine.url.render_as_string(hide_password=False)
    with _REGISTRY_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = ScreeningIndex()
        return _INDEXES[key]
