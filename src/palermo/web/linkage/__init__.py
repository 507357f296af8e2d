"""Linkage pages: the review queue with the latest run and its entities, two records side
by side with the judgement buttons, and an entity's dossier."""

from palermo.routing import APIRouter
from palermo.web.linkage import compare, entity, overview

router = APIRouter(include_in_schema=False)
for part in (overview, compare, entity):
    router.include_router(part.router)

__all__ = ["router"]
