"""How errors look to a person in a browser: a page, or a redirect to log in."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from palermo.errors import MfaRequired, PalermoError, SessionExpired, Unauthorized
from palermo.web import i18n
from palermo.web.templating import templates

API_PREFIXES = ("/api/", "/federation/", "/notices/v1/", "/openapi.json", "/healthz", "/readyz")


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def web_error_response(request: Request, error: PalermoError) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if isinstance(error, MfaRequired):
        return RedirectResponse(
            "/login/mfa?" + urlencode({"next": target}, safe="/"), status_code=303
        )
    if isinstance(error, Unauthorized):
        query = {"next": target} if request.url.path not in ("/", "/login") else {}
        if isinstance(error, SessionExpired) and error.message != "not logged in":
            query["expired"] = "1"
        suffix = "?" + urlencode(query, safe="/") if query else ""
        if request.headers.get("HX-Request") == "true":
            # An HTMX request (a polling board, a live filter) would swap the log-in page
            # into a fragment: tell HTMX to leave the page for the log-in instead.
            return Response(status_code=204, headers={"HX-Redirect": f"/login{suffix}"})
        return RedirectResponse(f"/login{suffix}", status_code=303)
    with i18n.speaking(i18n.language_of(request)):
        return templates.TemplateResponse(
            request, "error.html", {"error": error}, status_code=error.status_code
        )
