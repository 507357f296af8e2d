"""Notice pages: the list and review queue, the request form with its live checks, a
notice's page with the reviewer's checklist, its history and hit reports; and the public
extract, which needs no log-in."""

from palermo.routing import APIRouter
from palermo.web.notices import form, listing, notice, public

router = APIRouter(include_in_schema=False)
# The form's fixed paths (/notices/new, /notices/check) before the notice's /notices/{id}.
for part in (listing, form, notice, public):
    router.include_router(part.router)

__all__ = ["router"]
