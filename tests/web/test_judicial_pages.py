"""The judicial pages through the app (no browser): the queue of each side — incoming and
outgoing for a central authority, what it executes for a police force, nothing for an
outsider (and a 404 on the request's page); the wizard's live check with the legal bases
that apply and those that do not, and a dual-criminality failure; a refused draft that comes
back as typed with the reason beside its field; the step forms each side is offered, taken
through the pages; a refusal form without any fiscal ground; the response-time table and its
CSV against figures worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from palermo.judicial import requests
from palermo.judicial.lifecycle import Ground, Step
from palermo.models.base import utcnow
from palermo.models.judicial import JudicialRequest
from palermo.web import i18n
from tests.judicial import conftest as judicial_world
from tests.judicial.conftest import Desk, request_in
from tests.judicial.test_deadlines_and_statistics import at, sent, step
from tests.web.test_linkage_pages import log_in

desk = judicial_world.desk  # NL-OM, CO-FGN and ES-MJ; CO-DIJIN, NL-NP and FR-OFAST police

NL, CO, ES, DIJIN, OUTSIDER = (
    "nl.prosecutor",
    "co.fiscal",
    "es.prosecutor",
    "co.dijin",
    "fr.officer",
)


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="request-row" data-reference="([^"]+)"', html)


def error(html: str, form: str) -> tuple[str | None, str] | None:
    """The refusal shown for `form`: the field it is beside (None: under the form), why."""
    found = re.search(
        rf'data-testid="error-{re.escape(form)}"(?: data-field="(\w+)")?>([^<]*)<', html
    )
    return (found.group(1), found.group(2)) if found else None


def forms_offered(html: str) -> set[str]:
    return set(re.findall(r'data-testid="form-(\w+)"', html))


def count(desk: Desk) -> int:
    desk.db.expire_all()
    return desk.db.scalar(select(func.count()).select_from(JudicialRequest)) or 0


def sent_by(desk: Desk, by: str, on: str, **fields: object) -> JudicialRequest:
    """A request drafted and sent on `on` by `by`'s central authority."""
    request = requests.draft(desk.db, principal=desk[by], payload=request_in(**fields), now=at(on))
    return requests.send(
        desk.db,
        principal=desk[by],
        keyring=desk.keyring,
        request=request,
        max_attachment_bytes=desk.settings.max_attachment_bytes,
        now=at(on),
    )


def post(client: TestClient, path: str, csrf: str, **data: object) -> object:
    return client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)


# The queue --------------------------------------------------------------------------------
def test_the_queue_shows_each_side_its_incoming_and_outgoing_requests(
    client: TestClient, desk: Desk
) -> None:
    harbour = desk.send(desk.draft())  # NL → CO, past the date it asked for (2026-09-30)
    for taken in (Step.acknowledge,):
        requests.take_step(
            desk.db, principal=desk["co"], request=harbour, step=taken, now=at("2026-06-02")
        )
    requests.assign(
        desk.db, principal=desk["co"], request=harbour, agency_code="CO-DIJIN", now=at("2026-06-03")
    )
    draft = desk.draft(proceedings="Investigation 'Lighthouse' into a second shipment")
    madrid = sent_by(desk, "es", "2026-06-05", requested="CO-FGN", requested_by=None)
    desk.db.commit()

    log_in(client, NL)
    assert '<a href="/judicial"' in client.get("/").text  # the navigation item, available
    assert rows(client.get("/judicial").text) == []  # nothing asked of NL-OM
    outgoing = client.get("/judicial", params={"box": "outgoing"}).text
    assert rows(outgoing) == [draft.reference, harbour.reference]  # the newest first
    assert 'data-testid="draft-request"' in outgoing
    found = client.get("/judicial", params={"box": "outgoing", "q": "lighthouse"}).text
    assert rows(found) == [draft.reference]
    drafts = client.get("/judicial", params={"box": "all", "status": "draft"}).text
    assert rows(drafts) == [draft.reference]

    log_in(client, CO)
    incoming = client.get("/judicial").text
    assert rows(incoming) == [madrid.reference, harbour.reference]  # never NL's draft
    late = re.search(
        rf'data-reference="{re.escape(harbour.reference)}" data-overdue="(\w+)"', incoming
    )
    assert late is not None
    assert late.group(1) == "true"
    assert 'data-side="requested"' in incoming
    assert rows(client.get("/judicial", params={"box": "outgoing"}).text) == []
    assert rows(client.get("/judicial", params={"status": "sent"}).text) == [madrid.reference]
    assert rows(client.get("/judicial", params={"kind": "extradition"}).text) == []
    fragment = client.get(
        "/judicial", params={"q": madrid.reference}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text
    assert rows(fragment.text) == [madrid.reference]

    log_in(client, DIJIN)  # a police force: what it executes, and no tabs nor drafting
    mine = client.get("/judicial").text
    assert rows(mine) == [harbour.reference]
    assert 'data-side="executing"' in mine
    assert 'data-testid="box-outgoing"' not in mine
    assert 'data-testid="draft-request"' not in mine
    assert rows(client.get("/judicial", params={"box": "all"}).text) == [harbour.reference]
    assert client.get("/judicial/new").status_code == 403

    log_in(client, OUTSIDER)
    assert rows(client.get("/judicial").text) == []


def test_a_request_is_a_404_to_an_agency_on_none_of_its_sides(
    client: TestClient, desk: Desk
) -> None:
    harbour = desk.send(desk.draft())
    draft = desk.draft()
    desk.db.commit()
    for username, request in ((OUTSIDER, harbour), (ES, harbour), (CO, draft), (DIJIN, harbour)):
        log_in(client, username)
        assert client.get(f"/judicial/{request.id}").status_code == 404, username
    log_in(client, CO)
    assert client.get(f"/judicial/{harbour.id}").status_code == 200


# The wizard -------------------------------------------------------------------------------
def test_the_wizard_checks_the_legal_bases_and_dual_criminality_live(
    client: TestClient, desk: Desk
) -> None:
    log_in(client, NL)
    wizard = client.get("/judicial/new")
    assert wizard.status_code == 200, wizard.text
    assert '<option value="CO-FGN">' in wizard.text
    assert '<option value="NL-OM">' not in wizard.text  # not to its own state
    assert '<option value="0601">0601 ' in wizard.text  # ICCS codes with their labels
    assert 'hx-get="/judicial/new/check"' in wizard.text
    assert 'data-testid="check-problem"' in wizard.text  # nothing to weigh yet

    check = client.get(
        "/judicial/new/check",
        params={"kind": "mla", "requested": "CO-FGN", "offences": ["0601"], "on": "2026-12-01"},
        headers={"HX-Request": "true"},
    )
    assert check.status_code == 200
    assert "<html" not in check.text
    applies = dict(re.findall(r'data-treaty="(\w+)" data-applies="(\w+)"', check.text))
    assert applies["UN1988"] == applies["UNTOC"] == "true"
    assert applies["EIO"] == applies["ETS030"] == "false"
    assert "CO is not bound by it" in check.text  # why the EIO does not apply
    assert 'data-testid="dual-criminality" data-holds="true"' in check.text
    assert 'data-state="CO" data-serious="true"' in check.text  # 30 years in Colombia
    options = re.findall(
        r'<option value="(\w+)"( selected)?>', check.text.split("draft-treaty")[-1]
    )
    assert [code for code, _ in options][:2] == ["UN1988", "UNTOC"]  # the applicable first
    assert options[0][1] == " selected"

    fraud = client.get(
        "/judicial/new/check",
        params={
            "kind": "extradition",
            "requested": "CO-FGN",
            "offences": ["07"],
            "treaty": "UNTOC",
        },
    ).text
    assert 'data-testid="dual-criminality" data-holds="false"' in fraud
    assert 'data-code="07" data-holds="false"' in fraud
    assert "no offence of CO is recorded for it" in fraud
    assert '<option value="UNTOC" selected>' in fraud  # the basis chosen stays chosen
    moved = client.get(
        "/judicial/new/check",
        params={"kind": "mla", "requested": "CO-FGN", "offences": ["0601"], "treaty": "EIO"},
    ).text
    assert '<option value="UN1988" selected>' in moved  # the EIO binds no Colombia: the first
    unknown = client.get("/judicial/new/check", params={"requested": "CO-FGN", "offences": ["99"]})
    assert "unknown ICCS code" in unknown.text


def test_a_refused_draft_comes_back_as_typed_with_the_reason_beside_its_field(
    client: TestClient, desk: Desk
) -> None:
    csrf = log_in(client, NL)
    typed = {
        "kind": "mla",
        "requested": "NL-NP",  # a police force, no central authority
        "offences": ["0601"],
        "treaty": "UNTOC",
        "proceedings": "Investigation 'Harbour' into cocaine imports",
        "measures": ["bank_records", "taking_evidence"],
        "persons": "Julián Restrepo Ochoa; CO; Turbo",
    }
    refused = post(client, "/judicial/new", csrf, **typed)
    assert refused.status_code == 422
    field, reason = error(refused.text, "draft") or (None, "")
    assert field == "requested"
    assert "NL-NP is not a central authority" in reason
    assert "Investigation &#39;Harbour&#39; into cocaine imports</textarea>" in refused.text
    assert '<option value="0601" selected>' in refused.text
    assert 'value="bank_records" checked' in refused.text
    assert "Julián Restrepo Ochoa; CO; Turbo</textarea>" in refused.text
    assert 'data-testid="check"' in refused.text  # the live check drawn for what was typed

    nameless = post(
        client, "/judicial/new", csrf, **{**typed, "requested": "CO-FGN", "persons": "; CO"}
    )
    assert error(nameless.text, "draft") == ("persons", "Persons: is required")
    no_basis = post(client, "/judicial/new", csrf, **{**typed, "requested": "CO-FGN", "treaty": ""})
    assert error(no_basis.text, "draft") == ("treaty", "Legal basis: is required")
    assert count(desk) == 0

    saved = post(client, "/judicial/new", csrf, **{**typed, "requested": "CO-FGN"})
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert 'data-testid="done"' in page
    assert 'data-status="draft"' in page
    assert count(desk) == 1
    assert "facts: a summary of the relevant facts" in page  # what it does not say yet


# A request's page -------------------------------------------------------------------------
def test_each_side_is_offered_its_steps_and_takes_them_through_the_page(
    client: TestClient, desk: Desk
) -> None:
    harbour = desk.draft(requested_by="2027-06-30")
    desk.db.commit()
    page = f"/judicial/{harbour.id}"

    csrf = log_in(client, NL)
    assert forms_offered(client.get(page).text) == {"send", "withdraw"}
    sent_page = post(client, f"{page}/send", csrf)
    assert sent_page.status_code == 303
    after = client.get(sent_page.headers["location"]).text
    assert "Request sent." in after
    assert forms_offered(after) == {"withdraw"}
    assert 'data-testid="legal-basis" data-treaty="UNTOC"' in after
    assert 'data-testid="dual-criminality" data-holds="true"' in after

    csrf = log_in(client, CO)
    offered = client.get(page).text
    assert forms_offered(offered) == {"acknowledge", "consult"}
    assert 'data-side="requested"' in offered
    assert post(client, f"{page}/acknowledge", csrf, note="Received").status_code == 303
    assign_form = client.get(page).text
    assert forms_offered(assign_form) == {"assign", "consult"}
    executors = re.findall(
        r'<option value="([\w-]+)">',
        assign_form.split('data-testid="assign-agency"')[1].split("</select>")[0],
    )
    assert "CO-DIJIN" in executors
    assert not {"NL-NP", "FR-OFAST"} & set(executors)
    wrong = post(client, f"{page}/assign", csrf, agency="NL-NP")
    assert error(wrong.text, "assign") == ("agency", "NL-NP is no authority of CO")
    assert post(client, f"{page}/assign", csrf, agency="CO-DIJIN").status_code == 303

    csrf = log_in(client, DIJIN)
    assert forms_offered(client.get(page).text) == {"execute"}
    today = utcnow().date().isoformat()
    early = post(
        client, f"{page}/execute", csrf, executed_on="2026-01-01", summary="Statements produced"
    )
    assert error(early.text, "execute") == (
        "executed_on",
        "executed_on 2026-01-01 is outside the request&#39;s life",
    )
    blank = post(
        client,
        f"{page}/execute",
        csrf,
        measure="bank_records",
        executed_on=today,
        summary="",
    )
    assert error(blank.text, "execute") == ("summary", "Summary: is required")
    assert 'value="bank_records" selected' in blank.text  # as typed
    done = post(
        client,
        f"{page}/execute",
        csrf,
        measure="bank_records",
        executed_on=today,
        summary="Statements produced by Banco Andino",
    )
    assert done.status_code == 303
    assert 'data-testid="part" data-measure="bank_records"' in client.get(page).text

    csrf = log_in(client, CO)
    assert forms_offered(client.get(page).text) == {"execute", "answer", "consult"}
    answered = post(
        client,
        f"{page}/answer",
        csrf,
        summary="Statements 2024–2026 and the witness's hearing record",
        confidentiality="Not to be disclosed to the account holder",
    )
    assert answered.status_code == 303

    log_in(client, NL)
    final = client.get(page).text
    assert 'data-status="answered"' in final
    assert forms_offered(final) == set()
    assert 'data-testid="conditions"' in final
    assert "Only for the proceedings named in" in final
    assert "Not to be disclosed to the account holder" in final
    steps = re.findall(r'data-testid="event" data-step="(\w+)"', final)
    assert steps == ["draft", "send", "acknowledge", "assign", "execute", "answer"]


def test_a_refusal_offers_no_fiscal_ground_and_needs_its_reasons(
    client: TestClient, desk: Desk
) -> None:
    harbour = desk.send(desk.draft())
    desk.db.commit()
    page = f"/judicial/{harbour.id}"
    csrf = log_in(client, CO)
    unsaid = post(client, f"{page}/consult", csrf, note="")
    assert error(unsaid.text, "consult") == (
        "note",
        "say what the consultation is about (the ground considered)",
    )
    assert (
        post(client, f"{page}/consult", csrf, note="Bank secrecy: a judge's order").status_code
        == 303
    )

    form = client.get(page).text
    assert forms_offered(form) == {"resume", "refuse"}
    refusal = form.split('data-testid="form-refuse"')[1].split("</details>")[0]
    select = refusal.split('data-testid="refuse-ground"')[1].split("</select>")[0]
    grounds = re.findall(r'<option value="(\w+)"', select)
    assert "domestic_prohibition" in grounds
    assert "fiscal" not in select.lower()  # fiscal matters are no ground (Arts. 16(15), 18(22))
    assert not {"nationality", "political_offence"} & set(grounds)  # extradition's alone
    today = utcnow().date().isoformat()
    short = post(
        client,
        f"{page}/refuse",
        csrf,
        ground="domestic_prohibition",
        reasons="No.",
        consulted_on=today,
    )
    assert error(short.text, "refuse") == (
        "reasons",
        "a refusal gives its reasons (Art. 18(23)): a few sentences at least",
    )
    fiscal = post(
        client,
        f"{page}/refuse",
        csrf,
        ground="fiscal_matters",
        reasons="x" * 30,
        consulted_on=today,
    )
    assert fiscal.status_code == 422
    assert (error(fiscal.text, "refuse") or ("", ""))[0] == "ground"
    reasons = "Colombian law forbids producing these records without a judge's order."
    assert (
        post(
            client,
            f"{page}/refuse",
            csrf,
            ground="domestic_prohibition",
            reasons=reasons,
            consulted_on=today,
        ).status_code
        == 303
    )

    log_in(client, NL)
    refused = client.get(page).text
    assert 'data-ground="domestic_prohibition"' in refused
    assert reasons.replace("'", "&#39;") in refused


# Response times ---------------------------------------------------------------------------
def test_response_times_table_and_csv(client: TestClient, desk: Desk) -> None:
    """By hand. Netherlands → Colombia: three sent on 1 June; the first acknowledged after 4
    days and answered after 20, the second acknowledged after 10 and refused after 30, the
    third never acknowledged and past the date asked: medians (4, 10) → 7 and (20, 30) → 25.
    Netherlands → Spain: one, withdrawn the next day: no median."""
    first = sent(desk, "2026-06-01")
    step(desk, first, Step.acknowledge, "2026-06-05")
    requests.assign(
        desk.db, principal=desk["co"], request=first, agency_code="CO-DIJIN", now=at("2026-06-06")
    )
    requests.answer(
        desk.db,
        principal=desk["co"],
        request=first,
        summary="Statements produced",
        speciality="",
        confidentiality="",
        now=at("2026-06-21"),
    )
    second = sent(desk, "2026-06-01")
    step(desk, second, Step.acknowledge, "2026-06-11")
    step(desk, second, Step.consult, "2026-06-20")
    requests.refuse(
        desk.db,
        principal=desk["co"],
        request=second,
        ground=Ground.domestic_prohibition,
        reasons="The bank records need a judge's order, which was refused.",
        consulted_on=date(2026, 6, 25),
        now=at("2026-07-01"),
    )
    sent(desk, "2026-06-01", requested_by="2026-09-30")
    spain = sent(desk, "2026-06-01", requested="ES-MJ", treaty="EIO", persons=[])
    step(desk, spain, Step.withdraw, "2026-06-02", by="nl")
    desk.db.commit()

    log_in(client, DIJIN)  # figures only: any worker sees them
    page = client.get("/judicial/statistics")
    assert page.status_code == 200, page.text
    table = re.findall(r'data-testid="pair" data-pair="(\w+-\w+)">.*?</tr>', page.text, flags=re.S)
    assert table == ["NL-CO", "NL-ES"]  # the slowest first
    colombia = page.text.split('data-pair="NL-CO"')[1].split("</tr>")[0]
    cells = dict(re.findall(r'data-testid="(\w+)">([^<]*)<', colombia))
    assert cells == {
        "sent": "3",
        "answered": "1",
        "refused": "1",
        "withdrawn": "0",
        "open": "1",
        "overdue": "1",
        "median_days_to_acknowledge": "7",
        "median_days_to_close": "25",
    }
    assert 'data-chart="medians"' in page.text
    assert '<script src="/static/js/charts.js" defer></script>' in page.text

    download = client.get("/judicial/statistics.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(download.text))) == [
        [
            "requesting",
            "requested",
            "sent",
            "answered",
            "refused",
            "withdrawn",
            "open",
            "overdue",
            "median_days_to_acknowledge",
            "median_days_to_close",
        ],
        ["NL", "CO", "3", "1", "1", "0", "1", "1", "7", "25"],
        ["NL", "ES", "1", "0", "0", "1", "0", "0", "", ""],
    ]

    # In French, the chart's titles and the measures it tells apart are French too.
    client.cookies.set(i18n.LANGUAGE_COOKIE, "fr")
    french = client.get("/judicial/statistics").text
    found = re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>', french)
    assert found is not None
    spec = json.loads(found.group(1))["medians"]
    fr = i18n.translations("fr")
    title = fr.ugettext("Median days from sending")
    assert title != "Median days from sending"
    assert spec["encoding"]["x"]["title"] == title
    assert spec["encoding"]["color"]["title"] == fr.ugettext("Median days")
    measures = {v["measure"] for v in spec["datasets"][spec["data"]["name"]]}
    assert measures == {fr.ugettext("to acknowledge"), fr.ugettext("to close (answer or refusal)")}
