"""Identity logic: the directory, log-in with MFA and lock-out, sessions and API tokens.

Services flush and never commit. Facts that must outlive a failed request (failed log-ins,
lock-outs, refused tokens) go through `durable_write` and durable audit lines.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pycountry
from sqlalchemy import update
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, Outcome, record
from palermo.db import durable_write
from palermo.errors import (
    AccountLocked,
    Conflict,
    Forbidden,
    Invalid,
    InvalidCredentials,
    MfaRequired,
    NotFound,
    SessionExpired,
    TokenInvalid,
)
from palermo.identity import repository
from palermo.identity.credentials import (
    Credentials,
    digest,
    new_bearer_secret,
    new_totp_secret,
    totp_step,
)
from palermo.identity.principal import Principal
from palermo.identity.roles import PARTNER_ONLY_KINDS, AgencyKind, Role
from palermo.models.identity import Agency, ApiToken, Node, User, UserRole, WebSession
from palermo.policy.administration import (
    may_administer_agency,
    may_grant,
    require_agency_admin,
    require_system_admin,
)
from palermo.settings import Settings
from palermo.translatable import N_

AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


# The directory -------------------------------------------------------------------------
def ensure_local_node(session: Session, settings: Settings) -> Node:
    node = repository.local_node(session)
    if node is None:
        node = Node(code=settings.node_code, name=settings.node_name, is_local=True)
        session.add(node)
        session.flush()
    return node


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code from alpha-2 or alpha-3 input, or a clear refusal."""
    candidate = value.strip().upper()
    country = None
    if len(candidate) == 2:
        country = pycountry.countries.get(alpha_2=candidate)
    elif len(candidate) == 3:
        country = pycountry.countries.get(alpha_3=candidate)
    if country is None:
        raise Invalid(
            N_("unknown country code %(value)s: use ISO 3166-1 alpha-2 (e.g. FR, NG, BR)"),
            value=repr(value),
        )
    return str(country.alpha_2)


def agency_kind(value: str) -> AgencyKind:
    try:
        return AgencyKind(value)
    except ValueError:
        known = ", ".join(k.value for k in AgencyKind)
        raise Invalid(
            N_("unknown agency kind %(value)s; known kinds: %(known)s"),
            value=repr(value),
            known=known,
        ) from None


def create_agency(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    code: str,
    name: str,
    kind: str,
    country: str,
) -> Agency:
    require_system_admin(principal, act="register agencies")
    code = code.strip().upper()
    if not AGENCY_CODE.match(code):
        raise Invalid(
            N_("agency code %(code)s must be 2-32 letters, digits, '-' or '_'"), code=repr(code)
        )
    if not name.strip():
        raise Invalid(N_("agency name must not be empty"))
    agency = Agency(
        code=code,
        name=name.strip(),
        kind=agency_kind(kind),
        country=country_code(country),
        node_id=ensure_local_node(session, settings).id,
    )
    if repository.agency_by_code(session, code) is not None:
        raise Conflict(N_("agency %(code)s already exists"), code=code)
    session.add(agency)
    session.flush()
    record(
        session,
        action="agency.create",
        operation=Operation.administration,
        principal=principal,
        object_ids=[agency.id],
        detail={"code": code, "kind": agency.kind.value, "country": agency.country},
    )
    return agency


def configure_agency(
    session: Session,
    *,
    principal: Principal,
    code: str,
    link_four_eyes: bool | None = None,
    review_after_months: int | None = None,
) -> Agency:
    """An agency's own rules: four-eyes linkage judgements, its records' review period."""
    agency = get_agency(session, code)
    require_agency_admin(principal, agency.id, act="change the agency's rules")
    changed: dict[str, object] = {}
    if link_four_eyes is not None:
        agency.link_four_eyes = changed["link_four_eyes"] = link_four_eyes
    if review_after_months is not None:
        if not 1 <= review_after_months <= 240:
            raise Invalid(N_("the review period is 1 to 240 months"))
        agency.review_after_months = changed["review_after_months"] = review_after_months
    if not changed:
        raise Invalid(N_("nothing to change: give --link-four-eyes or --review-after-months"))
    record(
        session,
        action="agency.configure",
        operation=Operation.administration,
        principal=principal,
        object_ids=[agency.id],
        detail=changed,
    )
    return agency


def get_agency(session: Session, code: str) -> Agency:
    agency = repository.agency_by_code(session, code)
    if agency is None:
        raise NotFound(N_("no agency with code %(code)s"), code=repr(code))
    return agency


def _check_roles(agency: Agency, roles: Iterable[Role], principal: Principal) -> list[Role]:
    chosen = sorted(set(roles))
    if not chosen:
        raise Invalid(N_("a user needs at least one role"))
    for role in chosen:
        if not may_grant(principal, role):
            raise Forbidden(N_("you may not grant the role %(role)s"), role=role.value)
    partner_agency = agency.kind in PARTNER_ONLY_KINDS
    if partner_agency and not set(chosen) <= {Role.partner, Role.agency_admin}:
        raise Invalid(N_("users of a private partner hold only the partner and agency_admin roles"))
    if not partner_agency and Role.partner in chosen:
        raise Invalid(N_("the partner role belongs to users of private-partner agencies"))
    return chosen


def parse_roles(values: Iterable[str]) -> list[Role]:
    roles = []
    for value in values:
        try:
            roles.append(Role(value.strip()))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise Invalid(
                N_("unknown role %(value)s; known roles: %(known)s"), value=repr(value), known=known
            ) from None
    return roles


@dataclass(frozen=True)
class NewUser:
    user: User
    totp_secret: str | None  # shown once, for enrolment in an authenticator app


def create_user(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    credentials: Credentials,
    username: str,
    display_name: str,
    agency_code: str,
    roles: Iterable[Role],
    password: str,
    email: str | None = None,
    password_hash: str | None = None,
    totp_secret: str | None = None,
) -> NewUser:
    """Register a user. Roles that require MFA get a TOTP seed at once (returned once).

    `password_hash` and `totp_secret` let a caller that generates many users (the demo
    world) supply precomputed credentials.
    """
    agency = get_agency(session, agency_code)
    require_agency_admin(principal, agency.id, act="add users")
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise Invalid(
            N_("username %(username)s must be 2-64 of a-z, 0-9, '.', '_' or '-'"),
            username=repr(username),
        )
    chosen = _check_roles(agency, roles, principal)
    if repository.user_by_username(session, username) is not None:
        raise Conflict(N_("user %(username)s already exists"), username=username)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        email=email,
        agency_id=agency.id,
        password_hash=password_hash or credentials.hash_password(password),
        roles=[UserRole(role=r) for r in chosen],
    )
    secret = None
    if totp_secret or settings.mfa_required_roles.intersection(chosen):
        secret = totp_secret or new_totp_secret()
        user.totp_secret = credentials.seal_totp_secret(secret)
    session.add(user)
    session.flush()
    record(
        session,
        action="user.create",
        operation=Operation.administration,
        principal=principal,
        object_ids=[user.id],
        detail={"username": username, "agency": agency.code, "roles": [r.value for r in chosen]},
    )
    return NewUser(user=user, totp_secret=secret)


def reset_mfa(
    session: Session, *, principal: Principal, credentials: Credentials, username: str
) -> str:
    """Issue a fresh TOTP seed (a lost phone); the old one stops working at once."""
    user = repository.user_by_username(session, username)
    if user is None:
        raise NotFound(N_("no user %(username)s"), username=repr(username))
    require_agency_admin(principal, user.agency_id, act="reset MFA")
    secret = new_totp_secret()
    user.totp_secret = credentials.seal_totp_secret(secret)
    user.totp_last_step = None
    session.flush()
    record(
        session,
        action="user.reset_mfa",
        operation=Operation.administration,
        principal=principal,
        object_ids=[user.id],
    )
    return secret


def principal_for(user: User, *, channel: str) -> Principal:
    return Principal(
        username=user.username,
        roles=user.role_set,
        user_id=user.id,
        agency_id=user.agency_id,
        agency_code=user.agency.code,
        country=user.agency.country,
        channel=channel,
        private_partner=user.agency.kind in PARTNER_ONLY_KINDS,
    )


# Log-in --------------------------------------------------------------------------------
def job_principal(session: Session, username: str) -> Principal:
    """The submitter of a background job, with their rights as they are now: a user
    disabled meanwhile stops the job."""
    user = repository.user_by_username(session, username)
    if user is None or not user.active:
        raise NotFound(N_("user %(username)s is no longer active"), username=username)
    return principal_for(user, channel="api")


def mfa_needed(user: User, settings: Settings) -> bool:
    return user.totp_secret is not None or bool(settings.mfa_required_roles & user.role_set)


def _refuse_login(
    session: Session,
    *,
    user: User | None,
    username: str,
    reason: str,
    settings: Settings,
    now: datetime,
) -> None:
    """Count the failure (locking the account at the limit) in a write that survives."""
    user_id = user.id if user else None
    lock_for = timedelta(minutes=settings.lockout_minutes)

    def write(s: Session) -> None:
        record(
            s,
            action="auth.login_failed",
            operation=Operation.authentication,
            outcome=Outcome.failure,
            actor=username[:64],
            detail={"reason": reason},
        )
        if user_id is None:
            return
        failures = s.execute(
            update(User)
            .where(User.id == user_id)
            .values(failed_logins=User.failed_logins + 1)
            .returning(User.failed_logins)
        ).scalar_one()
        if failures >= settings.max_failed_logins:
            locked_until = now + lock_for
            s.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_logins=0, locked_until=locked_until)
            )
            record(
                s,
                action="auth.lockout",
                operation=Operation.authentication,
                outcome=Outcome.failure,
                actor=username[:64],
                object_ids=[user_id],
                detail={"until": locked_until.isoformat(), "after_failures": failures},
            )

    durable_write(session, write)


def _refuse_if_locked(session: Session, *, user: User, settings: Settings, now: datetime) -> None:
    if user.locked_until is None or user.locked_until <= now:
        return
    record(
        session,
        action="auth.login_refused_locked",
        operation=Operation.authentication,
        outcome=Outcome.failure,
        actor=user.username,
        object_ids=[user.id],
        durable=True,
    )
    raise AccountLocked(
        N_("account locked after %(failures)s failed log-ins; try again after %(time)s UTC"),
        failures=settings.max_failed_logins,
        time=f"{user.locked_until:%H:%M}",
    )


def check_password(
    session: Session,
    *,
    settings: Settings,
    credentials: Credentials,
    username: str,
    password: str,
    now: datetime,
) -> User:
    """First factor. Unknown users, wrong passwords and disabled accounts look alike."""
    username = username.strip().lower()
    user = repository.user_by_username(session, username)
    if user is None or not user.active:
        credentials.burn_password_check()
        _refuse_login(
            session,
            user=None,
            username=username,
            reason="unknown or disabled user",
            settings=settings,
            now=now,
        )
        raise InvalidCredentials(N_("wrong username or password"))
    _refuse_if_locked(session, user=user, settings=settings, now=now)
    if not credentials.verify_password(user.password_hash, password):
        _refuse_login(
            session,
            user=user,
            username=username,
            reason="wrong password",
            settings=settings,
            now=now,
        )
        raise InvalidCredentials(N_("wrong username or password"))
    return user


def check_second_factor(
    session: Session,
    *,
    settings: Settings,
    credentials: Credentials,
    user: User,
    code: str | None,
    now: datetime,
) -> None:
    """Second factor (TOTP). A wrong code counts towards lock-out like a wrong password."""
    if not mfa_needed(user, settings):
        return
    if user.totp_secret is None:
        raise Forbidden(
            N_(
                "your role requires MFA but no authenticator is enrolled; "
                "ask your agency administrator to reset your MFA"
            )
        )
    _refuse_if_locked(session, user=user, settings=settings, now=now)
    if not code:
        raise MfaRequired(N_("a one-time code from your authenticator app is required"))
    step = totp_step(credentials.open_totp_secret(user.totp_secret), code, at=now.timestamp())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        reason = N_("wrong one-time code") if step is None else N_("one-time code already used")
        _refuse_login(
            session,
            user=user,
            username=user.username,
            reason=reason,
            settings=settings,
            now=now,
        )
        raise InvalidCredentials(reason)
    user.totp_last_step = step


def _logged_in(session: Session, user: User, *, channel: str) -> None:
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    record(
        session,
        action="auth.login",
        operation=Operation.authentication,
        principal=principal_for(user, channel=channel),
        object_ids=[user.id],
    )


# Browser sessions ----------------------------------------------------------------------
@dataclass(frozen=True)
class OpenedSession:
    cookie: str  # the secret for the browser; only its digest is stored
    web_session: WebSession


def open_session(session: Session, *, user: User, mfa_passed: bool, now: datetime) -> OpenedSession:
    """A new session after the password step; `mfa_passed` is False until the code is given."""
    cookie = secrets.token_urlsafe(32)
    web_session = WebSession(
        user_id=user.id,
        token_hash=digest(cookie),
        csrf_token=secrets.token_urlsafe(32),
        mfa_passed=mfa_passed,
        last_seen_at=now,
        created_at=now,
    )
    session.add(web_session)
    if mfa_passed:
        _logged_in(session, user, channel="session")
    session.flush()
    return OpenedSession(cookie=cookie, web_session=web_session)


def pass_mfa(session: Session, *, web_session: WebSession, user: User) -> str:
    """Mark the session as fully authenticated and rotate its secret (no session fixation)."""
    cookie = secrets.token_urlsafe(32)
    web_session.token_hash = digest(cookie)
    web_session.csrf_token = secrets.token_urlsafe(32)
    web_session.mfa_passed = True
    _logged_in(session, user, channel="session")
    return cookie


@dataclass(frozen=True)
class ActiveSession:
    web_session: WebSession
    user: User


def resume_session(
    session: Session, *, settings: Settings, cookie: str, now: datetime
) -> ActiveSession:
    """The live session behind a cookie; idle or over-age sessions end here (CJIS 5.5.5)."""
    web_session = repository.session_by_token_hash(session, digest(cookie))
    if web_session is None or web_session.ended_at is not None:
        raise SessionExpired(N_("not logged in"))
    user = repository.user_by_id(session, web_session.user_id)
    idle = now - web_session.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
    too_old = now - web_session.created_at > timedelta(hours=settings.session_absolute_hours)
    if user is None or not user.active or idle or too_old:
        reason = "idle" if idle else "over age" if too_old else "user disabled"
        session_id = web_session.id

        def end(s: Session) -> None:
            s.execute(update(WebSession).where(WebSession.id == session_id).values(ended_at=now))
            record(
                s,
                action="auth.session_expired",
                operation=Operation.authentication,
                actor=user.username if user else "unknown",
                object_ids=[session_id],
                detail={"reason": reason},
            )

        durable_write(session, end)
        raise SessionExpired(f"session ended ({reason}); please log in again")
    web_session.last_seen_at = now
    return ActiveSession(web_session=web_session, user=user)


def end_session(session: Session, *, web_session: WebSession, user: User, now: datetime) -> None:
    web_session.ended_at = now
    record(
        session,
        action="auth.logout",
        operation=Operation.authentication,
        principal=principal_for(user, channel="session"),
        object_ids=[web_session.id],
    )


# API tokens ----------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    secret: str  # shown once
    token: ApiToken


def create_token(
    session: Session,
    *,
    principal: Principal,
    settings: Settings,
    name: str,
    days: int,
    now: datetime,
) -> IssuedToken:
    """A personal API token for the principal's own account."""
    if principal.user_id is None:
        raise Forbidden(N_("API tokens belong to a user; act with --as USER"))
    if not 1 <= days <= settings.api_token_max_days:
        raise Invalid(
            N_("token lifetime must be 1-%(days)s days"), days=settings.api_token_max_days
        )
    if not name.strip():
        raise Invalid(N_("a token needs a name that says what it is for"))
    secret = new_bearer_secret()
    token = ApiToken(
        user_id=principal.user_id,
        name=name.strip()[:100],
        prefix=secret[:12],
        token_hash=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    record(
        session,
        action="token.create",
        operation=Operation.authentication,
        principal=principal,
        object_ids=[token.id],
        detail={"name": token.name, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(secret=secret, token=token)


def revoke_token(
    session: Session, *, principal: Principal, token_id: uuid.UUID, now: datetime
) -> ApiToken:
    """Revoke a token: one's own, or any of one's agency as its administrator."""
    token = repository.token_by_id(session, token_id)
    if token is None or (
        token.user_id != principal.user_id
        and not may_administer_agency(principal, token.user.agency_id)
    ):
        raise NotFound(N_("no such token"))
    if token.revoked_at is None:
        token.revoked_at = now
        record(
            session,
            action="token.revoke",
            operation=Operation.authentication,
            principal=principal,
            object_ids=[token.id],
        )
    return token


def authenticate_token(session: Session, *, secret: str, now: datetime) -> Principal:
    """The principal behind a bearer token; every use and every refusal is audited."""
    holder = repository.token_holder(session, digest(secret))
    problem = None
    if holder is None:
        problem = "unknown token"
    elif holder.revoked_at is not None:
        problem = "token revoked"
    elif holder.expires_at <= now:
        problem = "token expired"
    elif not holder.active:
        problem = "token owner disabled"
    if problem is not None or holder is None:
        record(
            session,
            action="auth.token_refused",
            operation=Operation.authentication,
            outcome=Outcome.failure,
            actor=holder.username if holder else "anonymous",
            object_ids=[holder.token_id] if holder else [],
            detail={"reason": problem, "prefix": secret[:12]},
            durable=True,
        )
        raise TokenInvalid(problem or "unknown token")
    repository.note_token_use(session, holder, now)
    principal = Principal(
        username=holder.username,
        roles=holder.roles,
        user_id=holder.user_id,
        agency_id=holder.agency_id,
        agency_code=holder.agency_code,
        country=holder.country,
        channel="token",
        private_partner=holder.kind in PARTNER_ONLY_KINDS,
    )
    record(
        session,
        action="auth.token_used",
        operation=Operation.authentication,
        principal=principal,
        object_ids=[holder.token_id],
    )
    return principal
