"""The case pages' forms: what was posted, shaped as the services' input, and a refusal that
brings the form back as it was typed, the reason beside the field it is about."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from palermo.db import attempt
from palermo.deps import CSRF_FIELD
from palermo.errors import PalermoError
from palermo.web.notices.common import problems

Shape = TypeVar("Shape", bound=BaseModel)
Done = TypeVar("Done")

# How the services' input fields are named on the forms, for the reasons of a refusal.
LABELS = {
    "title": "Title",
    "summary": "Summary",
    "offences": "Offences",
    "legal_basis": "Legal basis",
    "opened_on": "Opened on",
    "agency": "Agency",
    "role": "Role",
    "record_id": "Record",
    "description": "Description",
    "assignee": "Assignee",
    "due_on": "Due on",
    "status": "Status",
    "result": "Result",
    "reference": "Reference",
    "purpose": "Purpose",
    "starts_on": "Starts on",
    "ends_on": "Ends on",
    "evidence_rules": "Evidence rules",
    "parties": "Parties",
    "signed_on": "Signed on",
    "new_end": "New end",
    "reason": "Reason",
    "agreed_on": "Agreed on",
    "closed_on": "Closed on",
    "evaluation": "Evaluation",
    "closure": "Closure",
    "technique": "Technique",
    "authority": "Authority",
    "scope": "Scope",
    "valid_from": "Valid from",
    "valid_until": "Valid until",
    "jurisdictions": "Jurisdictions",
    "on": "Date",
    "country": "Country",
    "name": "Name",
    "countries": "Countries",
    "label": "Label",
    "kind": "Kind",
    "quantity": "Quantity",
    "unit": "Unit",
    "item": "Item",
    "target": "Target",
    "note": "Note",
    "handling": "Handling code",
    "collected_at": "Collected at",
    "collected_place": "Place of collection",
    "file": "File",
    "file_name": "File name",
    "media_type": "Media type",
    "to": "To",
    "place": "Place",
    "items": "Items",
}


@dataclass(frozen=True)
class FormSpec:
    """A form: its fields (each has a place for its error on the page) and which words of a
    service's refusal point at which field — the first found wins; none, under the form."""

    fields: tuple[str, ...]
    places: tuple[tuple[str, str], ...] = ()

    def field_of(self, message: str) -> str | None:
        return next((field for words, field in self.places if words in message), None)


@dataclass(frozen=True)
class Refused:
    """A refused form, shown again with what was typed and why."""

    values: Mapping[str, str]
    # The reasons, by the field each is shown beside; "" for one shown under the form.
    reasons: Mapping[str, str]

    @property
    def error(self) -> str:
        """Every reason at once, for a page that does not offer the form."""
        return "; ".join(self.reasons.values())


async def _posted(request: Request) -> dict[str, str]:
    """The posted fields, trimmed; one sent several times (a multiple select) comma-joined."""
    form = await request.form()
    sent: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key != CSRF_FIELD and isinstance(value, str):
            sent.setdefault(key, []).append(value.strip())
    return {key: ", ".join(v for v in values if v) for key, values in sent.items()}


Posted = Annotated[dict[str, str], Depends(_posted)]


async def _uploaded(request: Request) -> UploadFile | None:
    """The file sent in the form's `file` field; None when none was chosen."""
    sent = (await request.form()).get("file")
    return sent if isinstance(sent, UploadFile) and sent.filename else None


Uploaded = Annotated[UploadFile | None, Depends(_uploaded)]


def listed(text: str) -> list[str]:
    """Codes typed in one field ("0601, 0501" or "NL DE"), in their order."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


def shaped(model: type[Shape], data: Mapping[str, Any]) -> Shape:
    """The form as the service's input; blank fields left out, so the model's defaults hold."""
    return model.model_validate({k: v for k, v in data.items() if v not in ("", None, [])})


def refusal(
    spec: FormSpec, values: Mapping[str, str], error: PalermoError | ValidationError
) -> tuple[Refused, int]:
    """The refusal to show, and its status code."""
    if isinstance(error, ValidationError):
        reasons: dict[str, list[str]] = {}
        for name, message in problems(error, LABELS):
            reasons.setdefault(name if name in spec.fields else "", []).append(message)
        return Refused(values, {k: "; ".join(v) for k, v in reasons.items()}), 422
    field = spec.field_of(error.message)
    place = field if field in spec.fields else ""
    return Refused(values, {place: error.message}), error.status_code


Again = Callable[[dict[str, Refused], int], Response]


def act(
    session: Session,
    step: Callable[[], Done],
    *,
    form: str,
    spec: FormSpec,
    values: Mapping[str, str],
    then: str | Callable[[Done], str | Response],
    again: Again,
) -> Response:
    """Run `step` in a savepoint: done, on to `then` (or where `then` says from what the step
    made, or what it answers: a download); refused, it leaves nothing behind but its audit
    line and the page comes `again` with the form `form` as typed and why."""
    try:
        made = attempt(session, step)
    except (PalermoError, ValidationError) as error:
        refused, status_code = refusal(spec, values, error)
        return again({form: refused}, status_code)
    answer = then if isinstance(then, str) else then(made)
    return answer if isinstance(answer, Response) else RedirectResponse(answer, status_code=303)
