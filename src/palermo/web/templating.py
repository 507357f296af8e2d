"""The Jinja2 environment shared by every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from palermo import __version__
from palermo.identity.principal import Principal
from palermo.identity.roles import AGENCY_KIND_TITLES, ROLE_TITLES, Role
from palermo.policy.records import AccessContext
from palermo.records.envelope import HANDLING_MEANING, PURPOSE_TITLES
from palermo.web import i18n
from palermo.web.navigation import NAVIGATION

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.add_extension("jinja2.ext.i18n")
# Newstyle gettext: `_("Hello %(name)s", name=…)` formats and escapes like Jinja does.
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)
templates.env.globals.update(
    version=__version__,
    navigation=NAVIGATION,
    role_titles=ROLE_TITLES,
    kind_titles=AGENCY_KIND_TITLES,
    handling_meaning=HANDLING_MEANING,
    purpose_titles=PURPOSE_TITLES,
    languages=i18n.LANGUAGES,
    name_properties=i18n.NAME_PROPERTIES,
    language=i18n.current,
    direction=i18n.direction,
)
templates.env.filters.update(
    date=i18n.format_date,
    datetime=i18n.format_datetime,
    time=i18n.format_time,
    number=i18n.format_number,
    country=i18n.country_name,
    person_name=i18n.person_name,
    said=i18n.said,
)


def working_context(request: Request) -> AccessContext | None:
    """The purpose and justification the officer declared for this session, if any."""
    web_session = getattr(request.state, "web_session", None)
    if web_session is None or not web_session.purpose or not web_session.justification:
        return None
    return AccessContext.of(web_session.purpose, web_session.justification)


def page(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    web_session = getattr(request.state, "web_session", None)
    with i18n.speaking(i18n.language_of(request)):
        return templates.TemplateResponse(
            request,
            template,
            {
                "principal": principal,
                "csrf_token": web_session.csrf_token if web_session else None,
                "context": working_context(request),
                "Role": Role,
                **context,
            },
            status_code=status_code,
        )
