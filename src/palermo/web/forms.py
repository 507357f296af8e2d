"""The pages' forms: what was posted, shaped as the services' input, and a refusal that
brings the form back as it was typed, the reason beside the field it is about."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from palermo.db import attempt
from palermo.deps import CSRF_FIELD
from palermo.errors import PalermoError
from palermo.web import i18n
from palermo.web.notices.common import problems

Shape = TypeVar("Shape", bound=BaseModel)
Done = TypeVar("Done")


@dataclass(frozen=True)
class FormSpec:
    """A form: its fields (each has a place for its error on the page) and which words of a
    service's refusal point at which field — the first found wins; none, under the form.
    `labels` names the fields in the reasons of a validation error ("requested_by" is
    "Requested by" unless said otherwise)."""

    fields: tuple[str, ...]
    places: tuple[tuple[str, str], ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def field_of(self, message: str) -> str | None:
        return next((name for words, name in self.places if words in message), None)

    def label(self, name: str) -> str:
        return self.labels.get(name) or name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Refused:
    """A refused form, shown again with what was typed and why."""

    values: Mapping[str, str]
    # The reasons, by the field each is shown beside; "" for one shown under the form.
    reasons: Mapping[str, str | i18n.Said | i18n.Listed]

    @property
    def error(self) -> str:
        """Every reason at once, for a page that does not offer the form."""
        return "; ".join(map(str, self.reasons.values()))


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
        named = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
        labels = {name: spec.label(name) for name in named}
        reasons: dict[str, list[i18n.Said]] = {}
        for name, message in problems(error, labels):
            reasons.setdefault(name if name in spec.fields else "", []).append(message)
        return Refused(values, {k: i18n.Listed(v) for k, v in reasons.items()}), 422
    place = spec.field_of(error.message)
    where = place if place in spec.fields else ""
    return Refused(values, {where: i18n.said(error)}), error.status_code


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
