"""Global search: one query put to every capability the principal works with, each through
its own listing — so through its own policy filter, and audited as that listing audits its
consultations — and merged into typed results.

Records and notices name people: they are searched only under a declared purpose and
justification, which their audit lines carry; without one they are reported as needing it.
Only what is returned is consulted: a type that is not asked for is not searched, and
suggestions share one budget that the types fill in turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from followthemoney import model, registry
from sqlalchemy.orm import Session

from palermo.assets import service as assets
from palermo.cases import service as cases
from palermo.errors import Forbidden, Invalid
from palermo.exchange import messages, reading
from palermo.exchange.keys import Keyring
from palermo.identity.principal import Principal
from palermo.judicial import views as judicial
from palermo.judicial.lifecycle import KIND_TITLES as REQUEST_KIND_TITLES
from palermo.notices import service as notices
from palermo.policy import assets as asset_policy
from palermo.policy import cases as case_policy
from palermo.policy import judicial as judicial_policy
from palermo.policy.notices import uses_notices
from palermo.policy.records import AccessContext, reads_records
from palermo.records import service as records
from palermo.records.repository import agency_codes
from palermo.records.schemas import HitOut, RecordOut
from palermo.search.schemas import KindTally, ResultKind, SearchOut, SearchResult
from palermo.translatable import N_

SNIPPET_LENGTH = 160


@dataclass(frozen=True)
class Asked:
    session: Session
    keyring: Keyring
    principal: Principal
    text: str
    context: AccessContext | None
    now: datetime


@dataclass(frozen=True)
class Found:
    results: list[SearchResult]
    count: int
    more: bool = False


@dataclass(frozen=True)
class Source:
    kind: ResultKind
    usable: Callable[[Principal], bool]
    find: Callable[[Asked, int], Found]
    needs_context: bool = False


def search(
    session: Session,
    keyring: Keyring,
    *,
    principal: Principal,
    text: str,
    context: AccessContext | None,
    now: datetime,
    kind: ResultKind | None = None,
    limit: int = 10,
    pooled: bool = False,
) -> SearchOut:
    """What the principal may see that matches `text`: up to `limit` results of each type
    (of `kind` alone, if given), each type's count. `pooled`: `limit` is for all types
    together, filled in type order (suggestions)."""
    text = text.strip()
    if not text:
        raise Invalid(N_("type what you are looking for"))
    if not 1 <= limit <= 50:
        raise Invalid(N_("limit must be between 1 and 50"))
    asked = Asked(session, keyring, principal, text, context, now)
    tallies, results = [], []
    budget = limit
    for source in SOURCES:
        if not source.usable(principal):
            continue
        if (kind is not None and source.kind is not kind) or budget == 0:
            tallies.append(KindTally(kind=source.kind))
        elif source.needs_context and context is None:
            tallies.append(KindTally(kind=source.kind, needs_context=True))
        else:
            found = source.find(asked, budget)
            tallies.append(KindTally(kind=source.kind, count=found.count, more=found.more))
            results.extend(found.results)
            if pooled:
                budget -= len(found.results)
    return SearchOut(query=text, kind=kind, tallies=tallies, results=results)


def kinds_for(principal: Principal) -> list[ResultKind]:
    """The types this principal works with, and so may search."""
    return [source.kind for source in SOURCES if source.usable(principal)]


def _may(check: Callable[[Principal], None]) -> Callable[[Principal], bool]:
    def usable(principal: Principal) -> bool:
        try:
            check(principal)
        except Forbidden:
            return False
        return True

    return usable


def _snippet(*parts: str | None) -> str:
    joined = " · ".join(p for p in parts if p)
    return joined if len(joined) <= SNIPPET_LENGTH else joined[: SNIPPET_LENGTH - 1] + "…"


def _listed(found: list[SearchResult], limit: int) -> Found:
    """A listing asked for one more than it shows, to tell whether more match."""
    return Found(found[:limit], min(len(found), limit), more=len(found) > limit)


# Records --------------------------------------------------------------------------------
def _records(asked: Asked, limit: int) -> Found:
    assert asked.context is not None
    try:
        found = records.search_records(
            asked.session,
            principal=asked.principal,
            context=asked.context,
            text=asked.text,
            limit=limit,
            now=asked.now,
        )
    except Invalid:  # no letter or digit: no name to look for
        return Found([], 0)
    return Found([_record(item) for item in found.items], found.total)


def _record(item: RecordOut | HitOut) -> SearchResult:
    link = f"/records/{quote(item.id, safe='')}"
    if isinstance(item, HitOut):
        return SearchResult(
            kind=ResultKind.record,
            access="hit_only",
            reference=item.id,
            title=None,
            schema=item.schema_,
            agency=item.owner_agency,
            link=link,
        )
    return SearchResult(
        kind=ResultKind.record,
        reference=item.id,
        title=item.caption,
        snippet=_record_snippet(item),
        schema=item.schema_,
        agency=item.envelope.owner_agency,
        link=link,
        date=item.updated_at,
    )


def _record_snippet(item: RecordOut) -> str:
    """The schema's featured properties but its name and links to other records."""
    schema = model.get(item.schema_)
    if schema is None:
        return ""
    values = [
        value
        for name in schema.featured
        if name != "name"
        and (prop := schema.get(name)) is not None
        and prop.type is not registry.entity
        for value in item.properties.get(name, [])[:2]
    ]
    return _snippet(*values)


# Cases ----------------------------------------------------------------------------------
def _cases(asked: Asked, limit: int) -> Found:
    found = cases.listing(asked.session, asked.principal, q=asked.text, limit=limit + 1)
    return _listed(
        [
            SearchResult(
                kind=ResultKind.case,
                reference=case.reference,
                title=case.title,
                snippet=_snippet(case.lead, case.status.value, ", ".join(case.offences)),
                agency=case.lead,
                link=f"/cases/{case.id}",
                date=case.opened_on,
            )
            for case in found
        ],
        limit,
    )


# Notices --------------------------------------------------------------------------------
def _notices(asked: Asked, limit: int) -> Found:
    assert asked.context is not None
    found = notices.listing(
        asked.session, asked.principal, text=asked.text, limit=limit, context=asked.context
    )
    codes = agency_codes(asked.session, [n.requesting_agency_id for n in found.items])
    results = [
        SearchResult(
            kind=ResultKind.notice,
            reference=notice.entity_id,
            title=notice.title,
            snippet=_snippet(
                notice.kind.value, notice.status.value, codes[notice.requesting_agency_id]
            ),
            agency=codes[notice.requesting_agency_id],
            link=f"/notices/{notice.id}",
            date=notice.updated_at,
        )
        for notice in found.items
    ]
    return Found(results, found.total)


# Messages -------------------------------------------------------------------------------
def _messages(asked: Asked, limit: int) -> Found:
    found = reading.listing(
        asked.session,
        asked.keyring,
        principal=asked.principal,
        folder="all",
        text=asked.text,
        limit=limit + 1,
    )
    return _listed(
        [
            SearchResult(
                kind=ResultKind.message,
                reference=message.case_ref,
                title=message.subject,
                snippet=_snippet(f"{message.sender} → {', '.join(message.recipients)}"),
                agency=message.sender,
                link=f"/messages/m/{message.id}",
                date=message.sent_at,
            )
            for message in found
        ],
        limit,
    )


# Judicial requests ----------------------------------------------------------------------
def _requests(asked: Asked, limit: int) -> Found:
    found = judicial.listing(asked.session, asked.principal, q=asked.text, limit=limit + 1)
    return _listed(
        [
            SearchResult(
                kind=ResultKind.request,
                reference=request.reference,
                title=REQUEST_KIND_TITLES[request.kind],
                snippet=_snippet(
                    f"{request.requesting} → {request.requested}", request.status.value
                ),
                agency=request.requesting,
                link=f"/judicial/{request.id}",
                date=request.sent_at or request.status_since,
            )
            for request in found
        ],
        limit,
    )


# Assets ---------------------------------------------------------------------------------
def _assets(asked: Asked, limit: int) -> Found:
    found = assets.listing(
        asked.session, asked.principal, now=asked.now, q=asked.text, limit=limit + 1
    )
    codes = agency_codes(asked.session, {a.agency_id for a in found})
    return _listed(
        [
            SearchResult(
                kind=ResultKind.asset,
                reference=asset.reference,
                title=asset.description,
                snippet=_snippet(asset.kind.value, asset.country, asset.state.value),
                agency=codes[asset.agency_id],
                link=f"/assets/{asset.id}",
                date=asset.state_since,
            )
            for asset in found
        ],
        limit,
    )


SOURCES = (
    Source(ResultKind.record, reads_records, _records, needs_context=True),
    Source(ResultKind.case, _may(case_policy.may_work), _cases),
    Source(ResultKind.notice, uses_notices, _notices, needs_context=True),
    Source(ResultKind.message, messages.may_exchange, _messages),
    Source(ResultKind.request, _may(judicial_policy.may_work), _requests),
    Source(ResultKind.asset, _may(asset_policy.may_work), _assets),
)
