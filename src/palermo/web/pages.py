"""The workspace shell: log-in with MFA, my agency, my account (API tokens); the home page
is the role dashboards (`web.dashboards`)."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from palermo.deps import (
    CSRF_FIELD,
    SESSION_COOKIE,
    CredentialsDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from palermo.errors import CsrfFailed, NotFound, PalermoError, Unauthorized
from palermo.identity import repository, service
from palermo.identity.api import set_session_cookie
from palermo.identity.principal import Principal
from palermo.models.base import utcnow
from palermo.routing import APIRouter
from palermo.translatable import N_
from palermo.web import i18n
from palermo.web.templating import HERE, page

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "palermo_login_csrf"


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def mfa_url(target: str | None) -> str:
    return "/login/mfa?" + urlencode({"next": safe_next(target)}, safe="/")


def safe_next(target: str | None) -> str:
    """Only same-site paths: `next` must never become an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


# Language ----------------------------------------------------------------------------
@router.get("/language/{code}")
def choose_language(code: str, next: str = "/") -> Response:
    """Remember the chosen language (a year, this browser) and go back where one was."""
    if code not in i18n.LANGUAGES:
        raise NotFound(f"no language {code!r}; Palermo speaks {', '.join(i18n.LANGUAGES)}")
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True
    )
    return response


# Log-in ------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", expired: int = 0) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page(
        request,
        "login.html",
        None,
        next=safe_next(next),
        login_csrf=token,
        notice="Your session ended; please log in again." if expired else None,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: CredentialsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise CsrfFailed(N_("the log-in form expired; reload the page and try again"))
    now = utcnow()
    try:
        user = service.check_password(
            session,
            settings=settings,
            credentials=credentials,
            username=username,
            password=password,
            now=now,
        )
    except PalermoError as error:
        # The failure is already counted and audited (durable); show the form again.
        return page(
            request,
            "login.html",
            None,
            next=safe_next(next),
            login_csrf=expected,
            error=i18n.said(error),
            username=username,
            status_code=error.status_code,
        )
    needs_code = service.mfa_needed(user, settings)
    opened = service.open_session(session, user=user, mfa_passed=not needs_code, now=now)
    target = mfa_url(next) if needs_code else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, opened.cookie, settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _pending_login(request: Request, session: SessionDep, settings: SettingsDep) -> Any:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("log in first")
    return service.resume_session(session, settings=settings, cookie=cookie, now=utcnow())


@router.get("/login/mfa", response_class=HTMLResponse)
def mfa_form(
    request: Request, session: SessionDep, settings: SettingsDep, next: str = "/"
) -> Response:
    active = _pending_login(request, session, settings)
    if active.web_session.mfa_passed:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(
        request,
        "mfa.html",
        None,
        next=safe_next(next),
        mfa_csrf=active.web_session.csrf_token,
        username=active.user.username,
    )


@router.post("/login/mfa", response_class=HTMLResponse)
def mfa(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: CredentialsDep,
    code: Annotated[str, Form(max_length=10)],
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=128)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    active = _pending_login(request, session, settings)
    if not secrets.compare_digest(active.web_session.csrf_token, csrf_token):
        raise CsrfFailed("the form expired; reload the page and try again")
    try:
        service.check_second_factor(
            session,
            settings=settings,
            credentials=credentials,
            user=active.user,
            code=code,
            now=utcnow(),
        )
    except PalermoError as error:
        response = page(
            request,
            "mfa.html",
            None,
            next=safe_next(next),
            mfa_csrf=active.web_session.csrf_token,
            username=active.user.username,
            error=i18n.said(error),
            status_code=error.status_code,
        )
        if error.status_code == 423:  # locked out mid-way: the half-open session ends
            service.end_session(
                session, web_session=active.web_session, user=active.user, now=utcnow()
            )
        return response
    cookie = service.pass_mfa(session, web_session=active.web_session, user=active.user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, cookie, settings)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    web_session = request.state.web_session
    user = repository.user_by_id(session, web_session.user_id)
    if user is not None:
        service.end_session(session, web_session=web_session, user=user, now=utcnow())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# The shell ---------------------------------------------------------------------------
@router.get("/agency", response_class=HTMLResponse)
def my_agency(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    agency = service.get_agency(session, principal.agency_code or "")
    return page(
        request,
        "agency.html",
        principal,
        agency=agency,
        users=repository.administrable_users(session, principal=principal),
        compatriots=[
            a
            for a in repository.list_agencies(session, country=agency.country)
            if a.id != agency.id
        ],
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    return _accountpage(request, session, principal)


def _accountpage(
    request: Request, session: SessionDep, principal: Principal, **context: Any
) -> Response:
    tokens = repository.tokens_of(session, principal.user_id) if principal.user_id else []
    return page(request, "account.html", principal, tokens=tokens, now=utcnow(), **context)


@router.post("/account/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    name: Annotated[str, Form(max_length=100)],
    days: Annotated[int, Form()] = 90,
) -> Response:
    try:
        issued = service.create_token(
            session, principal=principal, settings=settings, name=name, days=days, now=utcnow()
        )
    except PalermoError as error:
        return _accountpage(request, session, principal, error=i18n.said(error))
    return _accountpage(request, session, principal, new_secret=issued.secret)


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    request: Request, token_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    service.revoke_token(session, principal=principal, token_id=token_id, now=utcnow())
    return RedirectResponse("/account", status_code=303)
