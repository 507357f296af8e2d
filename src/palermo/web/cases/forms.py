"""The case pages' forms: the pages' shared form handling (`palermo.web.forms`), with the
names the case forms give the services' input fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from palermo.web import forms
from palermo.web.forms import Again, Posted, Refused, Uploaded, act, listed, shaped

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
class FormSpec(forms.FormSpec):
    """A case form (see `palermo.web.forms.FormSpec`), its fields named as `LABELS` says."""

    labels: Mapping[str, str] = field(default_factory=lambda: LABELS)


__all__ = [
    "LABELS",
    "Again",
    "FormSpec",
    "Posted",
    "Refused",
    "Uploaded",
    "act",
    "listed",
    "shaped",
]
