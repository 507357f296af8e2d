"""Building blocks for records tests: envelopes, entities, principals."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from palermo.identity import repository, service
from palermo.identity.principal import Principal
from palermo.models.identity import User
from palermo.policy.records import AccessContext
from palermo.records.schemas import EnvelopeIn

INVESTIGATION = AccessContext.of("criminal_investigation", "case 2026/0417, Operation Tide")
HEADERS = {"X-Purpose": "criminal_investigation", "X-Justification": "case 2026/0417"}


def envelope(**overrides: Any) -> EnvelopeIn:
    fields: dict[str, Any] = {"legal_basis": "StPO § 483", "subject_category": "suspect"}
    fields.update(overrides)
    return EnvelopeIn.model_validate(fields)


def person(name: str, source_id: str | None = None, **properties: list[str]) -> dict[str, Any]:
    return {"id": source_id, "schema": "Person", "properties": {"name": [name], **properties}}


def principal_of(db: Session, user: User) -> Principal:
    loaded = repository.user_by_id(db, user.id)
    assert loaded is not None
    return service.principal_for(loaded, channel="cli")
