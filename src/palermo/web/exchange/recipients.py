"""The recipients picker: this node's agencies and its peers', grouped by country, searched
as the officer types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import pycountry
from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.deps import PrincipalDep, SessionDep
from palermo.exchange import messages
from palermo.identity import repository as directory
from palermo.identity.principal import Principal
from palermo.routing import APIRouter
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)


# The directory of recipients ---------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    code: str
    name: str
    kind: str
    country: str
    node: str | None  # the peer node hosting it; None when hosted here

    @property
    def searchable(self) -> str:
        return " ".join(
            [self.code, self.name, self.kind, self.country, _country_name(self.country)]
            + ([self.node] if self.node else [])
        ).casefold()


@dataclass(frozen=True)
class CountryGroup:
    country: str
    label: str
    agencies: list[Recipient]


@dataclass(frozen=True)
class Picker:
    selected: list[Recipient]
    groups: list[CountryGroup]
    q: str
    total: int


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


def recipients_directory(session: Session, principal: Principal) -> list[Recipient]:
    """Every active agency this node knows, its own and its peers', except the sender's."""
    return [
        Recipient(
            code=a.code,
            name=a.name,
            kind=a.kind.value,
            country=a.country,
            node=None if a.node.is_local else a.node.code,
        )
        for a in directory.list_agencies(session)
        if a.active and a.id != principal.agency_id
    ]


def picker(agencies: Sequence[Recipient], selected: Sequence[str], q: str) -> Picker:
    """The agencies grouped by country; chosen ones first, the others filtered by `q`."""
    chosen = {c.strip().upper() for c in selected}
    needle = q.strip().casefold()
    groups: dict[str, list[Recipient]] = {}
    for agency in agencies:
        if agency.code not in chosen and (not needle or needle in agency.searchable):
            groups.setdefault(agency.country, []).append(agency)
    return Picker(
        selected=[a for a in agencies if a.code in chosen],
        groups=sorted(
            (CountryGroup(c, f"{_country_name(c)} ({c})", found) for c, found in groups.items()),
            key=lambda g: g.label,
        ),
        q=q,
        total=len(agencies),
    )


@router.get("/messages/recipients", response_class=HTMLResponse)
def recipient_options(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[str, Query(max_length=100)] = "",
    recipients: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The picker's options, filtered as the officer types (HTMX)."""
    messages.require_exchange(principal)
    options = picker(recipients_directory(session, principal), recipients or [], q)
    return page(request, "exchange/_picker_options.html", principal, picker=options)
