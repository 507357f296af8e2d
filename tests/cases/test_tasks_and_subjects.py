"""Tasks go to contributing members and close with a result; subjects keep their envelopes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from palermo.cases import service, subjects, tasks, timeline
from palermo.cases.vocabulary import TaskStatus
from palermo.errors import Forbidden, Invalid, NotFound
from palermo.models.cases import Case
from palermo.models.tasks import Task
from palermo.records.service import create_record
from tests.cases.conftest import NOW, Team
from tests.records.helpers import envelope, person


@pytest.fixture
def case(team: Team) -> Case:
    return team.case(members={"DE-BKA": "participant", "EUROPOL": "observer"})


def record(team: Team, name: str, by: str, **shares: object) -> str:
    created = create_record(
        team.db,
        principal=team[by],
        settings=team.settings,
        entity=person(name),
        envelope=envelope(**shares),
        now=NOW,
    )
    return created.id


def test_a_task_sits_in_the_assignee_agencys_list_until_done(team: Team, case: Case) -> None:
    task = tasks.set_task(
        team.db,
        principal=team["nl"],
        case=case,
        title="Identify the Hamburg consignee",
        description="Company register and bank records",
        agency_code="DE-BKA",
        assignee="de.officer",
        due_on=date(2026, 5, 1),
        now=NOW,
    )
    assert task.number == 1
    mine = team.db.scalars(select(Task).where(Task.subject_id == str(task.id))).one()
    assert mine.agency_id == team.agencies["DE-BKA"].id
    assert mine.done_at is None
    shown = service.tasks_out(team.db, [task], NOW.date())[0]
    assert shown.overdue
    assert shown.assignee == "de.officer"
    assert shown.set_by == "NL-NP"
    with pytest.raises(Forbidden, match="assigned to"):
        tasks.update_task(
            team.db,
            principal=team["nl"],
            case=case,
            number=1,
            status=TaskStatus.in_progress,
            result=None,
            result_records=[],
            now=NOW,
        )
    tasks.update_task(
        team.db,
        principal=team["de"],
        case=case,
        number=1,
        status=TaskStatus.in_progress,
        result=None,
        result_records=[],
        now=NOW,
    )
    with pytest.raises(Invalid, match="result"):
        tasks.update_task(
            team.db,
            principal=team["de"],
            case=case,
            number=1,
            status=TaskStatus.done,
            result=" ",
            result_records=[],
            now=NOW,
        )
    consignee = record(team, "Jörg Lindemann", "de")
    tasks.update_task(
        team.db,
        principal=team["de"],
        case=case,
        number=1,
        status=TaskStatus.done,
        result="Consignee is Nordlicht Handels GmbH, director identified",
        result_records=[consignee],
        now=NOW,
    )
    assert task.result_record_ids == [consignee]
    assert mine.done_at is not None
    assert mine.outcome
    assert mine.outcome.startswith("done")
    with pytest.raises(Invalid, match="is done"):
        tasks.update_task(
            team.db,
            principal=team["de"],
            case=case,
            number=1,
            status=TaskStatus.cancelled,
            result=None,
            result_records=[],
            now=NOW,
        )


def test_tasks_only_go_to_contributing_members(team: Team, case: Case) -> None:
    for code, why in (("FR-OFAST", "not a contributing member"), ("EUROPOL", "not a contributing")):
        with pytest.raises(Invalid, match=why):
            tasks.set_task(
                team.db,
                principal=team["nl"],
                case=case,
                title="Something",
                description="",
                agency_code=code,
                assignee=None,
                due_on=None,
                now=NOW,
            )
    with pytest.raises(Invalid, match="not a user of the agency"):
        tasks.set_task(
            team.db,
            principal=team["nl"],
            case=case,
            title="Something",
            description="",
            agency_code="DE-BKA",
            assignee="nl.officer",
            due_on=None,
            now=NOW,
        )


def test_the_setter_or_the_lead_cancels(team: Team, case: Case) -> None:
    tasks.set_task(
        team.db,
        principal=team["de"],
        case=case,
        title="Translate the intercepts",
        description="",
        agency_code="NL-NP",
        assignee=None,
        due_on=None,
        now=NOW,
    )
    tasks.update_task(
        team.db,
        principal=team["de"],
        case=case,
        number=1,
        status=TaskStatus.cancelled,
        result="No longer needed",
        result_records=[],
        now=NOW,
    )
    assert tasks.task_of(team.db, case, 1).status is TaskStatus.cancelled


def test_subjects_keep_their_envelopes(team: Team, case: Case) -> None:
    shared = record(team, "Sander de Groot", "nl", shares=[{"scope": "agency", "agency": "DE-BKA"}])
    own = record(team, "Maria Vos", "nl")
    german = record(team, "Jörg Lindemann", "de")
    for record_id, by in ((shared, "nl"), (own, "nl"), (german, "de")):
        subjects.add_subject(team.db, principal=team[by], case=case, record_id=record_id, now=NOW)
    seen_by_de = subjects.subjects(team.db, team["de"], case, now=NOW)
    assert {s.caption for s in seen_by_de.seen} == {"Sander de Groot", "Jörg Lindemann"}
    assert seen_by_de.withheld == {"NL-NP": 1}
    seen_by_nl = subjects.subjects(team.db, team["nl"], case, now=NOW)
    assert {s.caption for s in seen_by_nl.seen} == {"Sander de Groot", "Maria Vos"}
    assert seen_by_nl.withheld == {"DE-BKA": 1}
    # The timeline every member reads names records, not what only some may see.
    added = [e.summary for e in timeline.events(team.db, case) if e.kind == "subject"]
    assert added == [f"subject added: Person {r}" for r in (shared, own, german)]
    # A member cannot add what it does not see in full.
    with pytest.raises(NotFound):
        subjects.add_subject(team.db, principal=team["de"], case=case, record_id=own, now=NOW)
