"""Serving a node: the app a process keeps for its life."""

from __future__ import annotations

import gc

from palermo.serve import app_for_life
from palermo.settings import Settings


def test_the_app_a_node_serves_is_out_of_the_collectors_sight(settings: Settings) -> None:
    """Its ~500k objects live as long as the process: a full collection walking them all
    stalled every request in flight for ~0.25 s. Frozen, the collector skips them."""
    try:
        app = app_for_life(settings)
        assert gc.is_tracked(app)
        assert not any(o is app for o in gc.get_objects())  # the frozen are not walked
        assert not any(o is app.router for o in gc.get_objects())
    finally:
        gc.unfreeze()
