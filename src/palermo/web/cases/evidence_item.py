"""An evidence item's page: what it is, whether its bytes still match the digest recorded at
collection — a failure said first, with both digests —, its custody log with the state of
its hash chain, its hand-overs (the signed statements and countersigned receipts); its file
downloaded through the integrity check that logs the access, a check now, a hand-over signed
for another contributing member, and its receipt by that member.

Every step is the evidence services' (`palermo.cases.evidence`, `handovers`): the page
offers what the reader's agency may do; a refusal comes back with its reason."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from palermo.cases import evidence, handovers, service
from palermo.cases.evidence_schemas import EvidenceDetail, HandoverIn, ReceiptIn
from palermo.cases.vocabulary import CONTRIBUTING, CustodyKind, HandoverStatus
from palermo.deps import PrincipalDep, SessionDep
from palermo.exchange.deps import KeyringDep
from palermo.http import download_response
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.cases import Case, EvidenceItem
from palermo.policy import cases as policy
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web.cases.forms import Again, FormSpec, Posted, Refused, act, shaped
from palermo.web.cases.views import Reader, case_at_work, reader_of, render

router = APIRouter(include_in_schema=False)

Item = Annotated[str, Path(max_length=64, description="the item's id or number")]

HANDOVER = FormSpec(
    fields=("to", "place", "note"),
    places=(
        ("contributing member", "to"),
        ("already holds", "to"),
        ("unknown agency", "to"),
        ("(place)", "place"),
    ),
)
RECEIPT = FormSpec(fields=("place", "note"))
BUTTON = FormSpec(fields=())  # a form that is only its button (a download, a check)

CUSTODY_TITLES = {
    CustodyKind.collected: N_("Collected"),
    CustodyKind.handed_over: N_("Handed over"),
    CustodyKind.received: N_("Received"),
    CustodyKind.accessed: N_("Accessed"),
    CustodyKind.verified: N_("Verified"),
    CustodyKind.integrity_failed: N_("Integrity check failed"),
    CustodyKind.exported: N_("Exported"),
}
HANDOVER_TITLES = {
    HandoverStatus.pending: N_("Awaiting receipt"),
    HandoverStatus.received: N_("Received"),
}
DONE = {
    "verified": N_("Checked now: the bytes and the custody chain hold"),
    "verify-failed": N_("Checked now: see what failed"),
    "handed-over": N_("Hand-over signed; the item is yours until the other agency receives it"),
    "received": N_("Item received; your agency countersigned the receipt and holds it"),
}


def item_url(case: Case, item_id: uuid.UUID, done: str = "") -> str:
    return f"/cases/{case.id}/evidence/{item_id}" + (f"?done={done}" if done else "")


def offered(item: EvidenceDetail, reader: Reader, recipients: list[str]) -> set[str]:
    """The forms the item's page offers the reader; the services decide all the same."""
    forms = {"verify"}
    if item.intact:
        forms.add("download")
    pending = [h for h in item.handovers if h.status is HandoverStatus.pending]
    if (
        reader.contributing
        and item.holder == reader.agency
        and item.integrity_failed_at is None
        and not pending
        and recipients
    ):
        forms.add("handover")
    if reader.contributing:
        forms |= {f"receive-{h.id}" for h in pending if h.to_agency == reader.agency}
    return forms


def item_page(
    request: Request,
    session: Session,
    principal: Principal,
    case: Case,
    key: uuid.UUID | str,
    *,
    forms: dict[str, Refused] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    """The item, its bytes checked on the way (a mismatch is flagged, logged and shown)."""
    found = evidence.read_item(session, principal=principal, case=case, item_id=key, now=utcnow())
    item = evidence.detail(session, found)
    reader = reader_of(session, principal, case)
    recipients = [
        m.agency
        for m in service.members_out(session, case)
        if m.role in CONTRIBUTING and m.agency != item.holder
    ]
    return render(
        request,
        "cases/evidence_item.html",
        principal,
        case=case,
        item=item,
        reader=reader,
        offered=offered(item, reader, recipients),
        recipients=recipients,
        custody_titles=CUSTODY_TITLES,
        handover_titles=HANDOVER_TITLES,
        forms=forms or {},
        done=DONE.get(done, ""),
        status_code=status_code,
    )


def item_again(
    request: Request, session: Session, principal: Principal, case: Case, key: uuid.UUID
) -> Again:
    """The item's page drawn again around a refused form."""
    return lambda forms, code: item_page(
        request, session, principal, case, key, forms=forms, status_code=code
    )


# Fixed paths first: /evidence/handovers/… before /evidence/{item}.
@router.post(
    "/cases/{case_id}/evidence/handovers/{handover_id}/receipt", response_class=HTMLResponse
)
def receive(
    request: Request,
    case_id: uuid.UUID,
    handover_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    form: Posted,
) -> Response:
    """My agency receives an item handed over to it: the releasing agency's signature and
    the item's bytes are checked, my agency countersigns the receipt and holds the item."""
    case = policy.case_for(session, principal, case_id)
    handover = handovers.handover_for(session, case, handover_id)

    def step() -> object:
        body = shaped(ReceiptIn, form)
        return handovers.receive(
            session,
            principal=principal,
            sealer=keyring.sealer,
            handover=handover,
            now=utcnow(),
            place=body.place,
            note=body.note,
        )

    return act(
        session,
        step,
        form=f"receive-{handover.id}",
        spec=RECEIPT,
        values=form,
        then=item_url(case, handover.evidence_id, "received"),
        again=item_again(request, session, principal, case, handover.evidence_id),
    )


@router.get("/cases/{case_id}/evidence/{item}", response_class=HTMLResponse)
def item_view(
    request: Request,
    case_id: uuid.UUID,
    item: Item,
    session: SessionDep,
    principal: PrincipalDep,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """An item: what it is, whether its bytes still match, its custody log and hand-overs,
    and what my agency may do with it (a 404 to non-members)."""
    case = case_at_work(session, principal, case_id)
    return item_page(request, session, principal, case, item, done=done)


@router.get("/cases/{case_id}/evidence/{item}/content", response_class=HTMLResponse)
def download(
    request: Request, case_id: uuid.UUID, item: Item, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The item's file after checking its bytes against the digest recorded at collection;
    the access is logged in its custody. A mismatch refuses it (409) and the item's page
    says why, naming both digests."""
    case = case_at_work(session, principal, case_id)
    found = evidence.item_for(session, case, item)  # a 404 before anything else

    def answer(made: tuple[EvidenceItem, bytes]) -> Response:
        served, data = made
        name = served.file_name or served.reference
        return download_response(data, name, served.media_type or "application/octet-stream")

    return act(
        session,
        lambda: evidence.content(
            session, principal=principal, case=case, item_id=found.id, now=utcnow()
        ),
        form="download",
        spec=BUTTON,
        values={},
        then=answer,
        again=item_again(request, session, principal, case, found.id),
    )


@router.post("/cases/{case_id}/evidence/{item}/verify", response_class=HTMLResponse)
def verify(
    request: Request, case_id: uuid.UUID, item: Item, session: SessionDep, principal: PrincipalDep
) -> Response:
    """Check the item's bytes and custody chain now; the check is logged in its custody."""
    case = policy.case_for(session, principal, case_id)
    found = evidence.item_for(session, case, item)
    return act(
        session,
        lambda: evidence.verify(
            session, principal=principal, case=case, item_id=found.id, now=utcnow()
        ),
        form="verify",
        spec=BUTTON,
        values={},
        then=lambda checked: item_url(
            case,
            found.id,
            "verify-failed" if checked.intact is False or checked.chain_problems else "verified",
        ),
        again=item_again(request, session, principal, case, found.id),
    )


@router.post("/cases/{case_id}/evidence/{item}/handovers", response_class=HTMLResponse)
def hand_over(
    request: Request,
    case_id: uuid.UUID,
    item: Item,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    form: Posted,
) -> Response:
    """My agency, holding the item, hands it over to another contributing member with a
    statement it signs (Ed25519); that agency holds it once it has received it."""
    case = policy.case_for(session, principal, case_id)
    found = evidence.item_for(session, case, item)

    def step() -> object:
        body = shaped(HandoverIn, form)
        return handovers.hand_over(
            session,
            principal=principal,
            sealer=keyring.sealer,
            item=found,
            to_agency_code=body.to,
            place=body.place,
            note=body.note,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form="handover",
        spec=HANDOVER,
        values=form,
        then=item_url(case, found.id, "handed-over"),
        again=item_again(request, session, principal, case, found.id),
    )
