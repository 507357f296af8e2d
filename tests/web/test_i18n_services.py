"""What the services write in English shown in the reader's language: a refusal beside its
form and on the error page, notifications (old rows too), a case's timeline, the ICCS
labels, a notice's check findings and why a screening hit matched — while the API keeps
the English message and its stable code."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from palermo.assets.money import to_minor
from palermo.cases import timeline
from palermo.cases.vocabulary import ResultKind
from palermo.errors import Forbidden, Invalid
from palermo.identity.roles import Role
from palermo.models.cases import Case, CaseEvent
from palermo.models.records import Notification
from palermo.models.tasks import Task
from palermo.notices import checks
from palermo.notifications import texts
from palermo.screening.scoring import COUNTRY_ELSEWHERE, COUNTRY_MATCHES
from palermo.translatable import N_, written
from palermo.web import i18n
from palermo.web.notices.common import finding
from palermo.web.pages import LOGIN_CSRF_COOKIE
from palermo.web.screening import explained
from tests.web import test_cases_pages as cases_pages
from tests.web.test_cases_pages import LEAD, PARTICIPANT, error, url
from tests.web.test_linkage_pages import log_in

team = cases_pages.team
harbour = cases_pages.harbour


def test_a_refusal_keeps_its_english_and_code_for_the_api() -> None:
    refused = Forbidden(N_("only the lead agency of %(reference)s does this"), reference="OP-1")
    assert refused.to_dict() == {
        "error": {"code": "forbidden", "message": "only the lead agency of OP-1 does this"}
    }
    with i18n.speaking("es"):
        assert str(i18n.said(refused)) == "solo el organismo principal de OP-1 puede hacerlo"


def test_a_refused_form_and_the_error_page_speak_the_readers_language(
    client: TestClient, harbour: Case
) -> None:
    csrf = log_in(client, PARTICIPANT)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    refused = client.post(
        url(harbour, "/members"),
        data={"agency": "ES-MJ", "legal_basis": "MLA 2026/18", "csrf_token": csrf},
    )
    assert refused.status_code == 403
    reason = f"seul le service chef de file de {harbour.reference} peut le faire"
    assert error(refused.text, "member") == (None, reason)

    client.cookies.set(i18n.LANGUAGE_COOKIE, "es")
    missing = client.get(url(harbour).replace(str(harbour.id), str(uuid.uuid4())))
    assert missing.status_code == 404
    assert '<p role="alert">no existe ese caso</p>' in missing.text
    api = client.get(f"/api/cases/{uuid.uuid4()}")
    assert api.json()["error"] == {"code": "not_found", "message": "no such case"}


def test_the_timeline_is_shown_in_arabic(client: TestClient, harbour: Case) -> None:
    csrf = log_in(client, LEAD)
    admitted = client.post(
        url(harbour, "/members"),
        data={"agency": "co-dijin", "role": "participant", "legal_basis": "MLA 2026/17"}
        | {"csrf_token": csrf},
        follow_redirects=False,
    )
    assert admitted.status_code == 303, admitted.text
    assert "CO-DIJIN joined as participant (MLA 2026/17)" in client.get(url(harbour)).text
    client.cookies.set(i18n.LANGUAGE_COOKIE, "ar")
    page = client.get(url(harbour)).text
    assert "انضمت CO-DIJIN بصفة مشارك (MLA 2026/17)" in page
    assert "joined as" not in page


def test_notifications_are_shown_in_the_readers_language(
    client: TestClient, db: Session, factory
) -> None:  # type: ignore[no-untyped-def]
    user, _ = factory.user("es-pn.officer", Role.officer)
    corrected = written(texts.RECORD_CORRECTED, record="nl-np:p-1", version=3)
    # Written before the texts were marked: the same English, recognised all the same.
    reviewed = "Record nl-np:p-2 (Jan de Vries) is due for review on 2026-12-01; without a "
    reviewed += "decision it is blocked after 2027-01-01."
    for message in (corrected, reviewed, "Something only English knows"):
        db.add(Notification(agency_id=user.agency_id, kind="record.corrected", message=message))
    db.commit()
    log_in(client, "es-pn.officer")
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    page = client.get("/notifications").text
    assert "La fiche nl-np:p-1 a été rectifiée (version 3)." in page
    assert "doit être réexaminée le 1 déc. 2026 ; faute de décision" in page
    assert "Something only English knows" in page
    api = client.get("/api/notifications").json()
    assert {n["message"] for n in api} >= {corrected, reviewed}


def test_iccs_labels_are_translated_in_the_case_form(client: TestClient, harbour: Case) -> None:
    log_in(client, LEAD)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "es")
    page = client.get("/cases/new").text
    assert "0101 Homicidio intencional" in page
    assert "Intentional homicide" not in page


def test_check_findings_and_hit_explanations_in_the_readers_language() -> None:
    with i18n.speaking("fr"):
        label = written(checks.MALFORMED, label="Sought for", problem=checks.NOT_A_FLAG)
        assert str(finding(label)) == "Recherché aux fins de : doit être vrai ou faux"
        assert str(finding("an unknown finding")) == "an unknown finding"
        line = COUNTRY_MATCHES % {"country": "DE"}
        assert str(explained(line)) == "le pays Allemagne concorde"
    with i18n.speaking("ar"):
        line = COUNTRY_ELSEWHERE % {"country": "CO", "countries": "['NL']"}
        assert str(explained(line)) == "البلد كولومبيا ليس من بين ['NL']"


def test_log_in_refusals_speak_the_readers_language(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    factory.user("anna", Role.officer)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    form = client.get("/login")
    csrf = client.cookies.get(LOGIN_CSRF_COOKIE)
    assert form.status_code == 200
    assert csrf
    refused = client.post(
        "/login", data={"username": "anna", "password": "not the password", "csrf_token": csrf}
    )
    assert refused.status_code == 401
    assert "nom d&#39;utilisateur ou mot de passe erroné" in refused.text
    assert "wrong username or password" not in refused.text
    expired = client.post(
        "/login", data={"username": "anna", "password": "x", "csrf_token": "forged"}
    )
    assert expired.status_code == 403
    assert "le formulaire de connexion a expiré" in expired.text
    api = client.post("/api/auth/login", json={"username": "anna", "password": "wrong"})
    assert api.json()["error"] == {
        "code": "invalid_credentials",
        "message": "wrong username or password",
    }


def test_refusals_of_the_other_services_speak_the_readers_language(
    client: TestClient, harbour: Case
) -> None:
    log_in(client, LEAD)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    missing = client.get("/statistics/people.csv")
    assert missing.status_code == 404
    assert "aucun chiffre &#39;people&#39; ; les chiffres disponibles sont" in missing.text
    with pytest.raises(Invalid) as refused:
        to_minor(Decimal("1.005"))
    assert refused.value.message == "amount 1.005 has more than two decimals"
    with i18n.speaking("ar"):
        assert str(i18n.said(refused.value)) == "amount 1.005 يتضمن أكثر من منزلتين عشريتين"


def test_task_titles_are_shown_in_the_readers_language(
    client: TestClient, db: Session, factory
) -> None:  # type: ignore[no-untyped-def]
    user, _ = factory.user("es-pn.officer", Role.officer)
    title = written(
        texts.CONFIRM_IDENTITY,
        who="FR-POL (FR)",
        kind=N_("Red Notice"),
        entity="2026/123",
        title="Jan de Vries",
    )
    assert title == "Confirm identity: FR-POL (FR) hit Red Notice 2026/123 “Jan de Vries”"
    answer = written(
        texts.SILVER_ANSWER, agency="ES-PN", count=2, reference="2026/7", title="Yacht", assets="A"
    )
    located = written(texts.ASSETS_LOCATED, answer=answer)
    for words in (title, located):
        db.add(
            Task(
                agency_id=user.agency_id,
                kind="notice.hit",
                title=words,
                link="/notices",
                subject_id=str(uuid.uuid4()),
                created_at=datetime.now(UTC),
            )
        )
    db.commit()
    log_in(client, "es-pn.officer")
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    page = client.get("/tasks").text
    assert "Confirmer l&#39;identité : concordance de FR-POL (FR) avec Notice rouge" in page
    assert "Biens localisés : ES-PN a localisé 2 bien(s) au titre de la notice argent" in page
    assert "Confirm identity" not in page


def test_results_integrity_failures_and_brought_in_lines_of_the_timeline(
    client: TestClient, db: Session, harbour: Case
) -> None:
    lines = {
        "action_result": written(
            timeline.ACTION_RESULTS[ResultKind.seizure],
            country="NL",
            quantity="12.5",
            unit="kg",
            item="cocaine",
        ),
        "evidence.integrity_failed": written(
            timeline.EVIDENCE_INTEGRITY_FAILED, reference="EV-1", during="access"
        ),
        "brought_in": written(timeline.ASSET_FOUND, reference="AS-9", description="a yacht"),
    }
    assert lines["action_result"] == "NL: seizures 12.5 kg cocaine"
    for kind, summary in lines.items():
        db.add(
            CaseEvent(
                case_id=harbour.id,
                at=datetime.now(UTC),
                actor="nl-politie.lead",
                kind=kind,
                summary=summary,
            )
        )
    db.commit()
    log_in(client, LEAD)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "es")
    page = client.get(url(harbour)).text
    assert "NL: incautaciones 12.5 kg cocaine" in page
    assert "EV-1 no superó su control de integridad (acceso)" in page
    assert "bien AS-9 hallado: a yacht" in page
    assert "failed its integrity check" not in page


def test_a_form_of_the_wrong_shape_is_refused_in_the_readers_language(
    client: TestClient,
    team,  # type: ignore[no-untyped-def]
) -> None:
    """Pydantic's reasons are told by their error type: in French here, and in plain words
    in English ("is required", not pydantic's "Field required")."""
    csrf = log_in(client, LEAD)
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    short = client.post(
        "/cases/new",
        data={"title": "O", "legal_basis": "", "offences": "0601", "csrf_token": csrf},
    )
    assert short.status_code == 422
    reasons = dict(re.findall(r'data-testid="error-open" data-field="(\w+)">([^<]+)<', short.text))
    assert reasons["title"].endswith(": doit compter au moins 3 caractères")
    assert reasons["legal_basis"].endswith(": est obligatoire")
    assert "should have" not in short.text
    assert "Field required" not in short.text


def test_reasons_given_as_words_are_translated_when_the_page_is_rendered() -> None:
    """A refusal caught before the page's language is known keeps its reasons as words."""
    refused = Invalid("%(reasons)s", reasons=i18n.Listed([i18n.Said(N_("is required"))] * 2))
    assert refused.message == "is required; is required"
    shown = i18n.said(refused)  # as a handler does, outside any language
    with i18n.speaking("fr"):
        assert str(shown) == "est obligatoire; est obligatoire"
