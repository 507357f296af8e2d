"""Hypothesis settings of the fuzz tests: a short run in `make test`; `fuzz-long` for more.

.venv/bin/pytest tests/fuzz --hypothesis-profile=fuzz-long
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz-long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
