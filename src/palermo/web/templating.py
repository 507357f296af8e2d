"""The Jinja2 environment shared by every page."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from palermo import __version__
from palermo.identity.roles import AGENCY_KIND_TITLES, ROLE_TITLES
from palermo.web.navigation import NAVIGATION

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(
    version=__version__,
    navigation=NAVIGATION,
    role_titles=ROLE_TITLES,
    kind_titles=AGENCY_KIND_TITLES,
)
