"""The evidence package a court receives: one ZIP that proves itself offline.

    manifest.json          the case, each item (metadata, SHA-256, where its file and custody
                           log are), who exported it when, every public key that signed
                           anything in the package, and the SHA-256 of every other file
    manifest.sig           the exporting agency's Ed25519 signature over manifest.json
    files/<sha256>         the bytes of each digital item
    custody/<item>.jsonl   each item's custody log, one hashed line per entry
    handovers.json         the signed hand-over statements and countersigned receipts
    verify.py              the offline verifier (`python verify.py PACKAGE.zip`)

Items whose integrity check ever failed are refused, and so are items another agency
contributed under a handling code from H1 up (H1: not to be used in judicial proceedings
without the provider's permission; H2 and H3 restrict more), naming each.
"""

from __future__ import annotations

import json
import re
import uuid
import zipfile
import zlib
from collections.abc import Sequence
from datetime import datetime
from importlib.resources import files
from io import BytesIO
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palermo.audit.service import Operation, refusals_logged
from palermo.cases import custody, verify
from palermo.cases.evidence import acting_member, checked_bytes, handovers_of, item_for
from palermo.cases.timeline import EVIDENCE_EXPORTED, changed
from palermo.cases.vocabulary import CustodyKind, EvidenceKind
from palermo.errors import Conflict, Forbidden, Invalid
from palermo.exchange import crypto, keys
from palermo.identity.principal import Principal
from palermo.models.cases import Case, EvidenceHandover, EvidenceItem
from palermo.models.exchange import AgencyKey
from palermo.records.envelope import HandlingCode
from palermo.records.repository import agency_codes
from palermo.translatable import written

FORMAT = "palermo-evidence-package-v1"


def export(
    session: Session,
    *,
    principal: Principal,
    sealer: crypto.KeySealer,
    case: Case,
    item_ids: Sequence[uuid.UUID | str],
    now: datetime,
) -> bytes:
    """The package of the items named, signed by the principal's member agency; each item's
    custody log records the export, and the disclosure is audited."""
    agency = acting_member(session, principal, case)
    found = list({i.id: i for i in (item_for(session, case, key) for key in item_ids)}.values())
    with refusals_logged(
        session,
        action="cases.evidence.export",
        operation=Operation.disclosure,
        principal=principal,
        object_ids=[case.id, *(i.id for i in found)],
        detail={"case": case.reference, "evidence": [i.reference for i in found]},
    ):
        if not found:
            raise Invalid("name the evidence items to export")
        codes = agency_codes(session, {i.agency_id for i in found} | {agency.id})
        _exportable(found, agency.id, codes)
        contents = {
            item.sha256: checked_bytes(
                session,
                principal=principal,
                case=case,
                item=item,
                agency=agency,
                during="export",
                now=now,
            )
            for item in found
            if item.kind is EvidenceKind.digital and item.sha256
        }
        kid, private = keys.signing_private(session, sealer, agency.id)
    package_id = uuid.uuid4()
    for item in found:
        custody.append(
            session,
            item_id=item.id,
            reference=item.reference,
            kind=CustodyKind.exported,
            agency=agency.code,
            actor=principal.username,
            at=now,
            note=f"in evidence package {package_id}",
            observed_sha256=item.sha256,
        )
    handovers = {item.id: handovers_of(session, item) for item in found}
    holders = agency_codes(session, {i.holder_agency_id for i in found})
    entries: dict[str, bytes] = {}
    listed: list[dict[str, Any]] = []
    for item in found:
        path = f"custody/{re.sub(r'[^A-Za-z0-9.-]+', '_', item.reference)}.jsonl"
        lines = custody.log(session, item)
        entries[path] = b"".join(
            json.dumps(
                custody.document(item.reference, e) | {"entry_hash": e.entry_hash},
                ensure_ascii=False,
            ).encode()
            + b"\n"
            for e in lines
        )
        listed.append(
            _item(item, codes[item.agency_id], holders[item.holder_agency_id], path, lines[-1])
        )
    all_handovers = [h for item in found for h in handovers[item.id]]
    entries["handovers.json"] = _dumps(
        [_handover(h, item.reference) for item in found for h in handovers[item.id]]
    )
    entries["verify.py"] = files("palermo.cases").joinpath("verify.py").read_bytes()
    for digest, data in contents.items():
        assert data is not None
        entries[f"files/{digest}"] = data
    kids = {kid} | {h.kid for h in all_handovers} | {h.receipt_kid for h in all_handovers}
    manifest = {
        "format": FORMAT,
        "package": str(package_id),
        "case": {"reference": case.reference, "title": case.title},
        "exported_at": custody.iso(now),
        "exported_by": {"agency": agency.code, "user": principal.username},
        "signer": {"agency": agency.code, "kid": kid},
        "keys": _keys(session, {k for k in kids if k}),
        "items": listed,
        "contents": {name: crypto.sha256_hex(data) for name, data in sorted(entries.items())},
    }
    raw = _dumps(manifest)
    signature = crypto.b64(crypto.sign(private, raw)).encode()
    changed(
        session,
        case,
        principal=principal,
        agency_id=agency.id,
        action="cases.evidence.export",
        operation=Operation.disclosure,
        summary=written(
            EVIDENCE_EXPORTED,
            agency=agency.code,
            references=", ".join(i.reference for i in found),
        ),
        now=now,
        object_ids=[i.id for i in found],
        detail={
            "package": str(package_id),
            "evidence": [i.reference for i in found],
            "manifest_sha256": crypto.sha256_hex(raw),
        },
    )
    return _zip({"manifest.json": raw, "manifest.sig": signature, **entries}, now)


def file_name(case: Case, now: datetime) -> str:
    """What a downloaded package is called: the case's reference and the time of export."""
    return f"{re.sub(r'[^A-Za-z0-9.-]+', '-', case.reference)}-evidence-{now:%Y%m%dT%H%M%S}.zip"


def _exportable(
    found: list[EvidenceItem], exporter: uuid.UUID, codes: dict[uuid.UUID, str]
) -> None:
    failed = [
        f"{i.reference} (since {custody.iso(i.integrity_failed_at)})"
        for i in found
        if i.integrity_failed_at is not None
    ]
    if failed:
        raise Conflict(
            f"evidence that failed its integrity check is not exported: {', '.join(failed)}"
        )
    restricted = [
        f"{i.reference} ({i.handling}, contributed by {codes[i.agency_id]})"
        for i in found
        if i.handling != HandlingCode.H0 and i.agency_id != exporter
    ]
    if restricted:
        raise Forbidden(
            "H1 and above: no use in judicial proceedings without the provider's permission; "
            f"ask the contributing agency to export {', '.join(restricted)}"
        )


def _item(
    item: EvidenceItem, contributed_by: str, holder: str, custody_path: str, last: Any
) -> dict[str, Any]:
    return {
        "reference": item.reference,
        "kind": item.kind.value,
        "title": item.title,
        "description": item.description,
        "handling": item.handling,
        "contributed_by": contributed_by,
        "holder": holder,
        "collected_at": custody.iso(item.collected_at),
        "collected_place": item.collected_place,
        "sha256": item.sha256,
        "size": item.size,
        "file_name": item.file_name,
        "media_type": item.media_type,
        "file": f"files/{item.sha256}" if item.sha256 else None,
        "custody": custody_path,
        "custody_head": last.entry_hash,
    }


def _handover(handover: EvidenceHandover, reference: str) -> dict[str, Any]:
    return {
        "id": str(handover.id),
        "item": reference,
        "status": handover.status.value,
        "statement": handover.statement,
        "kid": handover.kid,
        "signature": crypto.b64(handover.signature),
        "receipt": handover.receipt,
        "receipt_kid": handover.receipt_kid,
        "receipt_signature": (
            crypto.b64(handover.receipt_signature) if handover.receipt_signature else None
        ),
    }


def _keys(session: Session, kids: set[str]) -> dict[str, dict[str, str]]:
    found = session.scalars(select(AgencyKey).where(AgencyKey.kid.in_(kids))).all()
    codes = agency_codes(session, {k.agency_id for k in found})
    return {
        k.kid: {"agency": codes[k.agency_id], "public": crypto.b64(k.public_key)} for k in found
    }


def _dumps(document: Any) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"


def _zip(entries: dict[str, bytes], now: datetime) -> bytes:
    buffer = BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = _compression(data)
            package.writestr(info, data)
    return buffer.getvalue()


def _compression(data: bytes) -> int:
    """Deflated, unless deflate shrinks it more than the verifier accepts of a member (it
    refuses such ratios as a zip bomb's): a file of mostly zeros, such as a disk image, is
    stored as it is."""
    if len(data) <= verify.RATIO_FROM:
        return zipfile.ZIP_DEFLATED
    # The deflate zipfile writes: raw (no zlib header), at the default level.
    deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    compressed = len(deflate.compress(data)) + len(deflate.flush())
    if len(data) > verify.MAX_RATIO * compressed:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED
