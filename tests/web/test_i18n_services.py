"""What the services write in English shown in the reader's language: a refusal beside its
form and on the error page, notifications (old rows too), a case's timeline, the ICCS
labels, a notice's check findings and why a screening hit matched — while the API keeps
the English message and its stable code."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from palermo.errors import Forbidden
from palermo.identity.roles import Role
from palermo.models.cases import Case
from palermo.models.records import Notification
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
