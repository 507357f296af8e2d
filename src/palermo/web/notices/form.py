"""The notice request form, drawn from the type's field table (`kinds.FIELDS`): the subject
as FtM properties, the type's particulars, recipients and publicity. The automatic checks
run as the officer types; the request is saved as a draft, or saved and submitted."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from palermo.db import attempt
from palermo.deps import PrincipalDep, SessionDep, SettingsDep
from palermo.errors import Conflict, Invalid
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.models.notices import Notice
from palermo.notices import checks, service, views
from palermo.notices.checks import Finding
from palermo.notices.kinds import (
    DIFFUSION_KINDS,
    FIELDS,
    KIND_PURPOSES,
    KIND_TITLES,
    SUBJECT_OPTIONAL,
    SUBJECT_SCHEMATA,
    FieldType,
    NoticeKind,
)
from palermo.notices.schemas import ActionIn
from palermo.offences import iccs
from palermo.policy import notices as policy
from palermo.records.schemas import EntityIn
from palermo.routing import APIRouter
from palermo.settings import Settings
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.notices.common import (
    FormDep,
    Refusable,
    option_title,
    problems,
    requestable,
    tabs,
)
from palermo.web.notices.fields import (
    MAY_BE_PUBLIC,
    PAYLOAD_LABELS,
    SUBJECT_FIELDS,
    blank_form,
    findings_of,
    form_of,
    notice_in,
    particular_key,
    place_of,
    places,
    read_form,
    with_unshown,
)
from palermo.web.templating import page

router = APIRouter(include_in_schema=False)


# Pages ----------------------------------------------------------------------------------------
def _iccs_options() -> list[tuple[str, str, str]]:
    """Each offence's code, its code indented by its level, and its label (translated where
    shown)."""
    return [(o.code, "\u2003" * (o.level - 1) + o.code, o.label) for o in iccs().values()]


def _form_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    kind: NoticeKind,
    diffusion: bool,
    form: dict[str, Any],
    checked: bool,
    notice_id: uuid.UUID | None = None,
    error: i18n.Said | None = None,
    status_code: int = 200,
) -> Response:
    findings = findings_of(kind, diffusion, form) if checked else None
    schemata = SUBJECT_SCHEMATA[kind] or ()
    return page(
        request,
        "notices/form.html",
        principal,
        kind=kind,
        kind_title=KIND_TITLES[kind],
        purpose=KIND_PURPOSES[kind],
        diffusion=diffusion,
        may_diffuse=kind in DIFFUSION_KINDS,
        form=form,
        notice_id=notice_id,
        fields=FIELDS[kind],
        field_type=FieldType,
        key=particular_key,
        option_title=option_title,
        iccs_options=_iccs_options(),
        schemata=schemata,
        subject_optional=kind in SUBJECT_OPTIONAL,
        subject_fields=[f for f in SUBJECT_FIELDS if set(f.props) & set(schemata)],
        may_be_public=kind in MAY_BE_PUBLIC and not diffusion,
        **_check_context(kind, diffusion, findings),
        error=error,
        status_code=status_code,
        **tabs(session, principal, "edit" if notice_id else "new"),
    )


def _check_context(
    kind: NoticeKind, diffusion: bool, findings: list[Finding] | None
) -> dict[str, Any]:
    by_place: dict[str, list[Finding]] = {}
    for finding in findings or []:
        place = place_of(kind, finding)
        if place:
            by_place.setdefault(place, []).append(finding)
    return {
        "findings": findings,
        "by_place": by_place,
        "place_of": lambda f: place_of(kind, f),
        "places": places(kind, diffusion),
        "errors": len(checks.errors(findings or [])),
    }


def _kind_of(data: FormData) -> tuple[NoticeKind, bool]:
    try:
        kind = NoticeKind(str(data.get("kind")))
    except ValueError:
        raise Invalid(N_("choose the type of notice")) from None
    return kind, bool(data.get("diffusion"))


@router.get("/notices/new", response_class=HTMLResponse)
def new_request(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    kind: str = "",
    diffusion: bool = False,
) -> Response:
    """A blank request of a type; without a type, the types to choose from."""
    kinds = requestable(session, principal)
    if not kinds:
        policy.may_request(session, principal, NoticeKind.red)  # says why not (403)
    if kind not in kinds:
        return page(
            request,
            "notices/kinds.html",
            principal,
            kinds=kinds,
            kind_titles=KIND_TITLES,
            purposes=KIND_PURPOSES,
            diffusion_kinds=DIFFUSION_KINDS,
            **tabs(session, principal, "new"),
        )
    chosen = NoticeKind(kind)
    return _form_page(
        request,
        session,
        principal,
        kind=chosen,
        diffusion=diffusion and chosen in DIFFUSION_KINDS,
        form=blank_form(chosen),
        checked=False,
    )


@router.post("/notices/check", response_class=HTMLResponse)
def check_request(request: Request, principal: PrincipalDep, data: FormDep) -> Response:
    """The live checks: the summary, each field's findings (out of band) and the count of
    errors on the Submit button."""
    kind, diffusion = _kind_of(data)
    findings = findings_of(kind, diffusion, read_form(kind, data))
    return page(
        request, "notices/_check.html", principal, **_check_context(kind, diffusion, findings)
    )


@router.post("/notices/new", response_class=HTMLResponse)
def create_request(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    data: FormDep,
) -> Response:
    """Save the request as a draft (op=save) or save and submit it (op=submit); refused,
    the form comes back as typed, with the reasons."""
    return _save(request, session, principal, settings, data, None)


def _save(
    request: Request,
    session: Session,
    principal: Principal,
    settings: Settings,
    data: FormData,
    notice_id: uuid.UUID | None,
) -> Response:
    kind, diffusion = _kind_of(data)
    form = read_form(kind, data)

    def save() -> Notice:
        payload = notice_in(kind, diffusion, form)
        now = utcnow()
        if notice_id is None:
            notice = service.create(session, principal=principal, payload=payload, now=now)
        else:
            stored = service.notice_for(session, principal, notice_id).subject
            if payload.subject is not None:
                merged = with_unshown(payload.subject.as_ftm(), stored)
                payload.subject = EntityIn.model_validate(merged)
            notice = service.update(
                session, principal=principal, notice_id=notice_id, payload=payload, now=now
            )
        if data.get("op") != "submit":
            return notice
        return service.act(
            session,
            principal=principal,
            notice_id=notice.id,
            action="submit",
            body=ActionIn(),
            settings=settings,
            now=now,
        )

    try:
        notice = attempt(session, save)
    except Refusable as error:
        if isinstance(error, ValidationError):
            problem = i18n.Listed([m for _, m in problems(error, PAYLOAD_LABELS)])
            incomplete = N_("the request is incomplete: %(problem)s")
            message, status_code = i18n.Said(incomplete, {"problem": problem}), 422
        else:
            message, status_code = i18n.said(error), error.status_code
        return _form_page(
            request,
            session,
            principal,
            kind=kind,
            diffusion=diffusion,
            form=form,
            checked=True,
            notice_id=notice_id,
            error=message,
            status_code=status_code,
        )
    return RedirectResponse(f"/notices/{notice.id}", status_code=303)


@router.get("/notices/{notice_id}/edit", response_class=HTMLResponse)
def edit_request(
    request: Request, notice_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """A draft in the form, with its findings."""
    notice = views.view(session, principal, service.notice_for(session, principal, notice_id))
    if "submit" not in notice.actions:  # a draft its requesting agency may still change
        raise Conflict(N_("only a draft is changed, and only by its requesting agency"))
    return _form_page(
        request,
        session,
        principal,
        kind=notice.kind,
        diffusion=notice.diffusion,
        form=form_of(notice),
        checked=True,
        notice_id=notice_id,
    )


@router.post("/notices/{notice_id}/edit", response_class=HTMLResponse)
def update_request(
    request: Request,
    notice_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    data: FormDep,
) -> Response:
    """Save the changed draft (op=save), or save and submit it (op=submit)."""
    return _save(request, session, principal, settings, data, notice_id)
