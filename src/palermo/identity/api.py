"""Identity routes: log-in, the agency directory, users and API tokens."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status

from palermo.deps import SESSION_COOKIE, CredentialsDep, PrincipalDep, SessionDep, SettingsDep
from palermo.errors import (
    AccountLocked,
    Conflict,
    CsrfFailed,
    Forbidden,
    Invalid,
    InvalidCredentials,
    MfaRequired,
    NotFound,
    Unauthorized,
    error_responses,
)
from palermo.identity import repository, service
from palermo.identity.credentials import provisioning_uri
from palermo.identity.principal import Principal
from palermo.identity.schemas import (
    AgencyIn,
    AgencyOut,
    IssuedTokenOut,
    LoginIn,
    Me,
    MfaResetOut,
    NewUserOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from palermo.models.base import utcnow
from palermo.models.identity import Agency, User
from palermo.routing import APIRouter
from palermo.settings import Settings
from palermo.translatable import N_

router = APIRouter(prefix="/api", tags=["identity"])
AUTH_ERRORS = error_responses(Unauthorized, CsrfFailed)


def agency_out(agency: Agency) -> AgencyOut:
    return AgencyOut(
        code=agency.code,
        name=agency.name,
        kind=agency.kind,
        country=agency.country,
        node=agency.node.code,
    )


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        agency=user.agency.code,
        roles=sorted(user.role_set),
        mfa_enrolled=user.totp_secret is not None,
        locked_until=user.locked_until,
        active=user.active,
    )


def set_session_cookie(response: Response, cookie: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )


@router.post(
    "/auth/login",
    response_model=Me,
    responses=error_responses(InvalidCredentials, MfaRequired, AccountLocked, Forbidden),
)
def login(
    body: LoginIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    credentials: CredentialsDep,
) -> Me:
    """Open a browser-style session (cookie). Password and, where required, a TOTP code."""
    now = utcnow()
    user = service.check_password(
        session,
        settings=settings,
        credentials=credentials,
        username=body.username,
        password=body.password,
        now=now,
    )
    service.check_second_factor(
        session,
        settings=settings,
        credentials=credentials,
        user=user,
        code=body.totp_code,
        now=now,
    )
    opened = service.open_session(session, user=user, mfa_passed=True, now=now)
    set_session_cookie(response, opened.cookie, settings)
    return Me(
        username=user.username,
        display_name=user.display_name,
        agency=agency_out(service.get_agency(session, user.agency.code)),
        roles=sorted(user.role_set),
        channel="session",
        csrf_token=opened.web_session.csrf_token,
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=AUTH_ERRORS)
def logout(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep
) -> None:
    """End the current browser session."""
    web_session = getattr(request.state, "web_session", None)
    user = repository.user_by_id(session, principal.user_id) if principal.user_id else None
    if web_session is not None and user is not None:
        service.end_session(session, web_session=web_session, user=user, now=utcnow())
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=Me, responses=AUTH_ERRORS)
def me(request: Request, session: SessionDep, principal: PrincipalDep) -> Me:
    """Who the caller is, for which agency, with which roles."""
    user = _own_user(session, principal)
    web_session = getattr(request.state, "web_session", None)
    return Me(
        username=user.username,
        display_name=user.display_name,
        agency=agency_out(service.get_agency(session, user.agency.code)),
        roles=sorted(user.role_set),
        channel=principal.channel,
        csrf_token=web_session.csrf_token if web_session else None,
    )


def _own_user(session: SessionDep, principal: Principal) -> User:
    user = repository.user_by_id(session, principal.user_id) if principal.user_id else None
    if user is None:
        raise NotFound(N_("no user behind this principal"))
    return user


@router.get("/agencies", response_model=list[AgencyOut], responses=AUTH_ERRORS)
def list_agencies(
    session: SessionDep,
    principal: PrincipalDep,
    country: str | None = None,
    kind: str | None = None,
) -> list[AgencyOut]:
    """The agency directory, optionally by country (ISO alpha-2) and kind."""
    agencies = repository.list_agencies(
        session,
        country=service.country_code(country) if country else None,
        kind=service.agency_kind(kind) if kind else None,
    )
    return [agency_out(a) for a in agencies]


@router.get(
    "/agencies/{code}", response_model=AgencyOut, responses=AUTH_ERRORS | error_responses(NotFound)
)
def get_agency(code: str, session: SessionDep, principal: PrincipalDep) -> AgencyOut:
    """One agency of the directory."""
    return agency_out(service.get_agency(session, code))


@router.post(
    "/agencies",
    response_model=AgencyOut,
    status_code=status.HTTP_201_CREATED,
    responses=AUTH_ERRORS | error_responses(Forbidden, Conflict, Invalid),
)
def create_agency(
    body: AgencyIn, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> AgencyOut:
    """Register an agency hosted on this node (system administrators)."""
    agency = service.create_agency(
        session,
        principal=principal,
        settings=settings,
        code=body.code,
        name=body.name,
        kind=body.kind,
        country=body.country,
    )
    return agency_out(service.get_agency(session, agency.code))


@router.get("/users", response_model=list[UserOut], responses=AUTH_ERRORS)
def list_users(session: SessionDep, principal: PrincipalDep) -> list[UserOut]:
    """Users the caller administers (their agency's, or all for system administrators)."""
    return [user_out(u) for u in repository.administrable_users(session, principal=principal)]


@router.post(
    "/users",
    response_model=NewUserOut,
    status_code=status.HTTP_201_CREATED,
    responses=AUTH_ERRORS | error_responses(Forbidden, Conflict, Invalid, NotFound),
)
def create_user(
    body: UserIn,
    session: SessionDep,
    settings: SettingsDep,
    credentials: CredentialsDep,
    principal: PrincipalDep,
) -> NewUserOut:
    """Add a user to an agency (its administrators, or system administrators)."""
    created = service.create_user(
        session,
        principal=principal,
        settings=settings,
        credentials=credentials,
        username=body.username,
        display_name=body.display_name,
        agency_code=body.agency,
        roles=service.parse_roles(body.roles),
        password=body.password,
        email=body.email,
    )
    user = repository.user_by_id(session, created.user.id)
    assert user is not None
    secret = created.totp_secret
    return NewUserOut(
        user=user_out(user),
        totp_secret=secret,
        totp_uri=provisioning_uri(secret, username=user.username, issuer=settings.node_name)
        if secret
        else None,
    )


@router.post(
    "/users/{username}/reset-mfa",
    response_model=MfaResetOut,
    responses=AUTH_ERRORS | error_responses(Forbidden, NotFound),
)
def reset_mfa(
    username: str,
    session: SessionDep,
    settings: SettingsDep,
    credentials: CredentialsDep,
    principal: PrincipalDep,
) -> MfaResetOut:
    """Issue a new TOTP seed for a user; the old authenticator stops working."""
    secret = service.reset_mfa(
        session, principal=principal, credentials=credentials, username=username
    )
    return MfaResetOut(
        totp_secret=secret,
        totp_uri=provisioning_uri(secret, username=username.lower(), issuer=settings.node_name),
    )


@router.get("/tokens", response_model=list[TokenOut], responses=AUTH_ERRORS)
def list_tokens(session: SessionDep, principal: PrincipalDep) -> list[TokenOut]:
    """The caller's own API tokens (never their secrets)."""
    user = _own_user(session, principal)
    return [TokenOut.model_validate(t) for t in repository.tokens_of(session, user.id)]


@router.post(
    "/tokens",
    response_model=IssuedTokenOut,
    status_code=status.HTTP_201_CREATED,
    responses=AUTH_ERRORS | error_responses(Invalid, Forbidden),
)
def create_token(
    body: TokenIn, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> IssuedTokenOut:
    """Create a personal API token; the secret is shown in this response only."""
    issued = service.create_token(
        session,
        principal=principal,
        settings=settings,
        name=body.name,
        days=body.days,
        now=utcnow(),
    )
    return IssuedTokenOut(token=TokenOut.model_validate(issued.token), secret=issued.secret)


@router.delete(
    "/tokens/{token_id}",
    response_model=TokenOut,
    responses=AUTH_ERRORS | error_responses(NotFound),
)
def revoke_token(token_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> TokenOut:
    """Revoke an API token at once: one's own, or one of one's agency as administrator."""
    token = service.revoke_token(session, principal=principal, token_id=token_id, now=utcnow())
    return TokenOut.model_validate(token)
