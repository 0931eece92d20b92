import shutil

import pytest

from app import create_app
from config import TestConfig
from course.accounts.models import Role
from course.curriculum.services import get_curriculum
from course.learning import services
from course.learning.models import EnrolmentStatus, UnitStatus
from quizzes.api import has_passed, take_quiz
from tests.conftest import create_tables, drop_tables


def complete(trainee, unit):
    """Complete a module the way a trainee does: pass its quiz."""
    assert take_quiz(trainee.id, unit.quiz)
    return services.level_progress(trainee, get_curriculum().level(unit.level))


@pytest.fixture
def level_one(app):
    return get_curriculum().level("level-1")


def test_new_trainee_has_nothing_started_and_level_two_locked(app, make, level_one):
    trainee = make.make_trainee()
    level1, level2, level3 = services.training_overview(trainee)
    assert (level1.done, level1.total, level1.percent) == (0, 7, 0)
    assert {row.status for row in level1.rows} == {UnitStatus.NOT_STARTED}
    assert not level1.locked
    assert level2.locked
    assert "completed Level 1: Knowledge Building" in level2.lock_reason
    assert level3.locked


def test_opening_a_module_enrols_and_marks_it_in_progress(app, make, level_one):
    trainee = make.make_trainee()
    unit = level_one.units[2]
    assert services.record_visit(trainee, unit) == UnitStatus.IN_PROGRESS
    enrolment = services.current_enrolment(trainee, "level-1")
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert services.unit_status(trainee, unit) == UnitStatus.IN_PROGRESS


def test_revisiting_a_completed_module_keeps_it_complete(app, make, level_one):
    trainee = make.make_trainee()
    complete(trainee, level_one.units[0])
    assert services.record_visit(trainee, level_one.units[0]) == UnitStatus.COMPLETE


def test_progress_counts_completed_modules(app, make, level_one):
    trainee = make.make_trainee()
    for unit in level_one.units[:3]:
        complete(trainee, unit)
    services.record_visit(trainee, level_one.units[3])
    progress = services.level_progress(trainee, level_one)
    assert (progress.done, progress.percent) == (3, 43)
    assert [row.status for row in progress.rows[2:5]] == [
        UnitStatus.COMPLETE,
        UnitStatus.IN_PROGRESS,
        UnitStatus.NOT_STARTED,
    ]
    assert not progress.complete


def test_every_module_done_leaves_level_one_to_the_workshop_sign_off(app, make, level_one):
    trainee = make.make_trainee()
    for unit in level_one.units:
        progress = complete(trainee, unit)
    assert progress.done == progress.total and not progress.complete
    assert not services.has_completed_level(trainee, "level-1")
    assert "opens when you have completed Level 1" in services.level_lock_reason(trainee, "level-2")

    make.complete_level_one(trainee)  # the workshop attended and signed off

    assert services.has_completed_level(trainee, "level-1")
    # Level 2 is no longer blocked by the prerequisite, only by enrolment (mentor groups).
    assert services.level_lock_reason(trainee, "level-2") == (
        "You are not enrolled in Level 2: Skill Building yet."
    )


def test_a_module_with_a_quiz_cannot_be_completed_before_the_quiz_is_passed(app, make, level_one):
    trainee = make.make_trainee()
    unit = level_one.units[0]
    assert not take_quiz(trainee.id, unit.quiz, correct=False)
    with pytest.raises(services.LearningError, match="Pass this module's quiz first"):
        services.mark_unit_complete(trainee, unit)
    assert services.unit_status(trainee, unit) == UnitStatus.NOT_STARTED


def test_passing_a_quiz_completes_its_module(app, make, level_one):
    trainee = make.make_trainee()
    unit = level_one.units[4]
    take_quiz(trainee.id, unit.quiz)
    assert has_passed(trainee.id, unit.quiz)
    assert services.unit_status(trainee, unit) == UnitStatus.COMPLETE


def test_passing_a_quiz_again_changes_nothing(app, make, level_one):
    trainee = make.make_trainee()
    complete(trainee, level_one.units[0])
    first = services.current_enrolment(trainee, "level-1").progress[0].completed_at
    progress = complete(trainee, level_one.units[0])
    assert progress.done == 1
    assert services.current_enrolment(trainee, "level-1").progress[0].completed_at == first


def test_progress_is_per_person(app, make, level_one):
    amara, jonah = make.make_trainee(), make.make_trainee()
    complete(amara, level_one.units[0])
    assert services.level_progress(jonah, level_one).done == 0


def test_training_page_lists_modules_with_status_and_percentage(client, auth, level_one):
    trainee = auth.login_as(Role.TRAINEE)
    complete(trainee, level_one.units[0])
    services.record_visit(trainee, level_one.units[1])
    page = client.get("/training").get_data(as_text=True)
    assert "1 of 7 done (14%)" in page
    for unit in level_one.units:
        assert unit.title in page
    assert page.count(">Done<") == 1
    assert page.count(">In progress<") == 1
    assert page.count(">Not started<") == 5
    assert "Locked. Level 2 opens when you have completed Level 1: Knowledge Building." in page


def test_module_page_renders_markdown_handout_and_quiz_link(client, auth, level_one):
    auth.login_as(Role.TRAINEE)
    unit = level_one.units[1]
    page = client.get(f"/units/{unit.slug}").get_data(as_text=True)
    assert f"<h1>{unit.title}</h1>" in page
    assert "<h2>Key ideas</h2>" in page
    assert f'href="/quizzes/{unit.quiz}"' in page
    assert "The module is complete when you pass its quiz." in page
    handout = get_curriculum().handouts[unit.handouts[0]]
    assert f'href="/handouts/{handout.slug}"' in page
    assert unit.reflection_prompts[0] in page


@pytest.fixture
def app_without_quizzes(tmp_path):
    """The real curriculum with the quizzes taken off, for modules completed by hand."""
    content = tmp_path / "content"
    shutil.copytree(TestConfig.COURSE_CONTENT_DIR, content)
    shutil.rmtree(content / "quizzes")
    for path in (content / "level-1").glob("*.md"):
        text = path.read_text()
        path.write_text(text.replace(f"quiz: {path.stem.split('-', 1)[1]}", "quiz: null"))

    class NoQuizzes(TestConfig):
        COURSE_CONTENT_DIR = str(content)

    app = create_app(NoQuizzes)
    with app.app_context():
        create_tables()
        yield app
        drop_tables()


def test_mark_as_complete_button_completes_a_module_without_quiz(app_without_quizzes, make):
    client = app_without_quizzes.test_client()
    trainee = make.make_trainee()
    client.post("/login", data={"email": trainee.email, "password": make.PASSWORD})
    unit = get_curriculum().level("level-1").units[0]
    assert unit.quiz is None
    assert "Mark as complete" in client.get(f"/units/{unit.slug}").get_data(as_text=True)
    response = client.post(f"/units/{unit.slug}/complete")
    assert response.status_code == 302
    assert services.unit_status(trainee, unit) == UnitStatus.COMPLETE
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is marked complete" in page


def test_mark_as_complete_is_refused_while_the_quiz_is_not_passed(client, auth, level_one):
    trainee = auth.login_as(Role.TRAINEE)
    unit = level_one.units[0]
    response = client.post(f"/units/{unit.slug}/complete", follow_redirects=True)
    assert "Pass this module&#39;s quiz first" in response.get_data(as_text=True)
    assert services.unit_status(trainee, unit) != UnitStatus.COMPLETE


def test_the_last_module_done_points_to_the_workshop_sign_off(client, auth, level_one, make):
    trainee = auth.login_as(Role.TRAINEE)
    for unit in level_one.units:
        complete(trainee, unit)
    page = client.get("/training").get_data(as_text=True)
    assert "7 of 7 done (100%)" in page
    assert "Completed on" not in page
    assert "Your workshop trainer signs Level 1 off" in page
    assert "Level 2 opens when" in page

    make.complete_level_one(trainee)

    page = client.get("/training").get_data(as_text=True)
    assert "Completed on" in page
    assert "Level 2 opens when" not in page


def test_mentor_reads_a_module_without_progress_or_button(client, auth, level_one):
    mentor = auth.login_as(Role.MASTER_TRAINER)
    page = client.get(f"/units/{level_one.units[0].slug}").get_data(as_text=True)
    assert "Mark as complete" not in page
    assert services.current_enrolment(mentor, "level-1") is None


def test_handout_page_is_printable(client, auth):
    auth.login_as(Role.TRAINEE)
    handout = next(iter(get_curriculum().handouts.values()))
    page = client.get(f"/handouts/{handout.slug}").get_data(as_text=True)
    assert handout.title in page
    assert 'media="print"' in page
    assert "data-print" in page
    assert "window.print" not in page  # no inline script: the button is wired in course.js


def test_unknown_unit_is_not_found(client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/units/no-such-module").status_code == 404
