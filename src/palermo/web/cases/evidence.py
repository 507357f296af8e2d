"""Evidence in the case's workspace: an item added — a file uploaded, stored once under its
SHA-256, or an object described — and the package for a court of the items ticked, a ZIP
that verifies itself offline. Each item has its own page (`evidence_item.py`).

Every step is the evidence services' (`palermo.cases.evidence`, `package`): the workspace
offers what the reader's agency may do; a refusal comes back as typed, with its reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from palermo.cases import evidence, package
from palermo.cases.evidence_schemas import EvidenceBase
from palermo.cases.vocabulary import EvidenceKind
from palermo.deps import PrincipalDep, SessionDep
from palermo.exchange.deps import KeyringDep
from palermo.http import download_response
from palermo.models.base import utcnow
from palermo.models.cases import EvidenceItem
from palermo.policy import cases as policy
from palermo.routing import APIRouter
from palermo.web.cases.forms import FormSpec, Posted, Uploaded, act, listed, shaped
from palermo.web.cases.workspace import again, back

router = APIRouter(include_in_schema=False)

DESCRIBED = ("title", "description", "handling", "collected_at", "collected_place")
ITEM_PLACES = (
    ("title", "title"),
    ("collected_at", "collected_at"),
    ("collected_place", "collected_place"),
    ("handling", "handling"),
)
ADDING = {
    EvidenceKind.digital: FormSpec(
        fields=(*DESCRIBED, "file"), places=(*ITEM_PLACES, ("file", "file"))
    ),
    EvidenceKind.physical: FormSpec(fields=DESCRIBED, places=ITEM_PLACES),
}
EXPORT = FormSpec(
    fields=("items",),
    places=(("integrity", "items"), ("H1", "items"), ("evidence item", "items")),
)


def as_utc(typed: str) -> str:
    """A time typed without its zone (a datetime-local field) is UTC, as the form says."""
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        return typed  # the validation says why
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


# Fixed paths: /evidence/export before the item pages' /evidence/{item}.
@router.post("/cases/{case_id}/evidence", response_class=HTMLResponse)
def add_item(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    form: Posted,
    upload: Uploaded,
) -> Response:
    """Add an item my agency collected: a file uploaded (stored once by its SHA-256) or an
    object described. My agency holds it; its custody log opens with the collection."""
    case = policy.case_for(session, principal, case_id)
    kind = EvidenceKind.physical if form.get("kind") == "physical" else EvidenceKind.digital

    def step() -> EvidenceItem:
        body = shaped(
            EvidenceBase,
            {
                **{name: form.get(name, "") for name in DESCRIBED},
                "kind": kind,
                "collected_at": as_utc(form.get("collected_at", "")),
                "file_name": upload.filename if upload else None,
                "media_type": upload.content_type if upload else None,
            },
        )
        return evidence.add_item(
            session,
            principal=principal,
            case=case,
            kind=body.kind,
            title=body.title,
            description=body.description,
            handling=body.handling.value,
            collected_at=body.collected_at,
            collected_place=body.collected_place,
            content=upload.file.read() if upload else None,
            file_name=body.file_name,
            media_type=body.media_type,
            now=utcnow(),
        )

    return act(
        session,
        step,
        form=f"evidence-{kind.value}",
        spec=ADDING[kind],
        values=form,
        then=back(case, "evidence", "evidence"),
        again=again(request, session, principal, case),
    )


@router.post("/cases/{case_id}/evidence/export", response_class=HTMLResponse)
def export(
    request: Request,
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    keyring: KeyringDep,
    form: Posted,
) -> Response:
    """The package for a court of the items ticked: a ZIP signed by my agency that carries
    its own offline verifier. Refused, with the reason, for items whose integrity check
    failed and for other agencies' items under H1 and above."""
    case = policy.case_for(session, principal, case_id)
    now = utcnow()
    return act(
        session,
        lambda: package.export(
            session,
            principal=principal,
            sealer=keyring.sealer,
            case=case,
            item_ids=listed(form.get("items", "")),
            now=now,
        ),
        form="export",
        spec=EXPORT,
        values=form,
        then=lambda data: download_response(data, package.file_name(case, now), "application/zip"),
        again=again(request, session, principal, case),
    )
