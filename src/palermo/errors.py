"""The one error hierarchy: every failure a client can cause has a status and a stable code."""

from __future__ import annotations

from typing import Any, ClassVar


class PalermoError(Exception):
    """`message` is English, for the API and the audit trail. A message marked with `N_` may
    name placeholders (`%(code)s`) given as keyword values: the workspace then shows it in
    the reader's language (`palermo.web.i18n.said`)."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(
        self, message: str, *, details: list[dict[str, Any]] | None = None, **values: Any
    ) -> None:
        self.template = message
        self.values = values
        # Each value written as an f-string writes it, so the English is as it always was.
        self.message = message % {k: format(v) for k, v in values.items()} if values else message
        super().__init__(self.message)
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(PalermoError):
    status_code = 400
    code = "bad_request"


class MalformedBody(BadRequest):
    code = "malformed_body"


class Unauthorized(PalermoError):
    status_code = 401
    code = "unauthorized"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class MfaRequired(Unauthorized):
    code = "mfa_required"


class SessionExpired(Unauthorized):
    code = "session_expired"


class TokenInvalid(Unauthorized):
    code = "token_invalid"


class Forbidden(PalermoError):
    """For acts a principal may never do (a role, not a record): records answer NotFound."""

    status_code = 403
    code = "forbidden"


class CsrfFailed(Forbidden):
    code = "csrf_failed"


class NotFound(PalermoError):
    status_code = 404
    code = "not_found"


class Conflict(PalermoError):
    status_code = 409
    code = "conflict"


class MethodNotAllowed(PalermoError):
    status_code = 405
    code = "method_not_allowed"


class PayloadTooLarge(PalermoError):
    status_code = 413
    code = "payload_too_large"


class Invalid(PalermoError):
    status_code = 422
    code = "invalid"


class AccountLocked(PalermoError):
    status_code = 423
    code = "account_locked"


class RateLimited(PalermoError):
    status_code = 429
    code = "rate_limited"


def error_responses(*errors: type[PalermoError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for a route, so each route declares what it can raise."""
    responses: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = responses.setdefault(error.status_code, {"description": "", "model": None})
        codes = [c for c in entry["description"].split(", ") if c]
        entry["description"] = ", ".join([*codes, error.code])
        entry.pop("model", None)
        entry["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return responses
