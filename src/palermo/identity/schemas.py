"""API shapes of the identity capability."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from palermo.errors import Invalid
from palermo.identity.roles import AgencyKind, Role
from palermo.identity.service import country_code


def _iso_country(value: str) -> str:
    try:
        return country_code(value)
    except Invalid as wrong:
        raise ValueError(wrong.message) from None


Country = Annotated[str, AfterValidator(_iso_country), Field(description="ISO 3166 alpha-2")]


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: AgencyKind
    country: str
    node: str = Field(description="code of the agency's home node")


class AgencyIn(BaseModel):
    code: str = Field(min_length=2, max_length=32, examples=["NCB-FR"])
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(description="one of the agency kinds", examples=["police"])
    country: str = Field(description="ISO 3166-1 alpha-2", examples=["FR"])


class UserOut(BaseModel):
    username: str
    display_name: str
    agency: str
    roles: list[Role]
    mfa_enrolled: bool
    locked_until: datetime | None
    active: bool


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str = Field(default="", max_length=200)
    agency: str = Field(description="agency code")
    roles: list[str] = Field(min_length=1)
    password: str = Field(min_length=1, max_length=256)
    email: str | None = Field(default=None, max_length=254)


class NewUserOut(BaseModel):
    user: UserOut
    totp_secret: str | None = Field(
        description="TOTP seed for the authenticator app, shown only once"
    )
    totp_uri: str | None


class MfaResetOut(BaseModel):
    totp_secret: str
    totp_uri: str


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    totp_code: str | None = Field(default=None, max_length=10)


class Me(BaseModel):
    username: str
    display_name: str
    agency: AgencyOut
    roles: list[Role]
    channel: str
    csrf_token: str | None = Field(
        default=None, description="send as X-CSRF-Token on unsafe requests made with the cookie"
    )


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(default=90, ge=1)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class IssuedTokenOut(BaseModel):
    token: TokenOut
    secret: str = Field(description="the bearer token; shown only once")


class Error(BaseModel):
    code: str
    message: str
    details: list[dict[str, object]] = []


class ErrorOut(BaseModel):
    error: Error
