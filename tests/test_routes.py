"""The route inventory: every URL rule declares who may use it, checked for each role.

A new route without an entry in ACCESS fails ``test_every_route_is_classified``, so
no page can be added unguarded.
"""

import pytest

from course.accounts.models import Role
from course.agencies.models import Cohort
from course.extensions import db
from tests import factories

ANON = "anonymous"
ROLES = [ANON, *Role]
LOGIN = 302  # anonymous visitors are sent to the sign-in page
MODULE = "/units/elements-of-a-healthy-relationship"
HANDOUT = "/handouts/healthy-relationships-small-moments"
QUIZ = "/quizzes/elements-of-a-healthy-relationship"
WEEK = "/units/l2-week-01-watching-with-fresh-eyes"
MENTORS = (Role.MASTER_TRAINER, Role.AGENCY_TRAINER)
NOBODY = "nobody-has-this-public"  # a well-formed public id of nothing: checks answer 404


def signed_in(code):
    """Every signed-in role gets ``code``; anonymous visitors go to sign in."""
    return only(code, others=code)


def everyone(code):
    return dict.fromkeys(ROLES, code)


def only(allowed_code, *roles, others=403, anonymous=LOGIN):
    expected = dict.fromkeys(ROLES, others)
    expected[ANON] = anonymous
    expected.update(dict.fromkeys(roles, allowed_code))
    return expected


# endpoint -> (method, path, {role: expected status})
ACCESS = {
    "course.static": ("GET", "/static/course/course.css", everyone(200)),
    "course.index": ("GET", "/", {**everyone(302), ANON: 200}),  # each to their page
    "course.accounts.login": ("GET", "/login", {**everyone(302), ANON: 200}),
    "course.accounts.logout": ("POST", "/logout", everyone(302)),
    "course.accounts.alive": ("GET", "/session/alive", signed_in(204)),
    "course.accounts.accept_invitation": ("GET", "/invitations/not-a-token", everyone(404)),
    "course.accounts.forgot_password": ("GET", "/password/forgot", everyone(200)),
    "course.accounts.reset_password": ("GET", "/password/reset/not-a-token", everyone(410)),
    "course.accounts.account": ("GET", "/account", signed_in(200)),
    "course.accounts.login_code": ("GET", "/login/code", everyone(302)),  # no password yet
    "course.accounts.two_step": ("GET", "/account/two-step", signed_in(200)),
    "course.admin.two_step_off": (
        "POST",
        f"/admin/people/{NOBODY}/two-step-off",
        only(404, Role.SITE_ADMIN),
    ),
    "course.accounts.change_password": ("POST", "/account/password", signed_in(400)),
    "course.agencies.time_zone": (
        "POST",
        "/agency/time-zone",
        {**only(302, Role.AGENCY_ADMIN), Role.SITE_ADMIN: 404},  # a site admin names one
    ),
    "course.learning.training": ("GET", "/training", only(200, Role.TRAINEE)),
    "course.learning.unit": (
        "GET",
        MODULE,
        only(200, Role.TRAINEE, Role.MASTER_TRAINER, Role.AGENCY_TRAINER, Role.SITE_ADMIN),
    ),
    "course.learning.complete": ("POST", f"{MODULE}/complete", only(302, Role.TRAINEE)),
    "course.curriculum.handout": ("GET", HANDOUT, {**everyone(200), ANON: LOGIN}),
    "course.admin.index": ("GET", "/admin/", only(200, Role.SITE_ADMIN)),
    "course.admin.people": ("GET", "/admin/people", only(200, Role.SITE_ADMIN)),
    "course.admin.person": ("GET", f"/admin/people/{NOBODY}", only(404, Role.SITE_ADMIN)),
    "course.admin.resend": (
        "POST",
        f"/admin/people/{NOBODY}/invitation",
        only(404, Role.SITE_ADMIN),
    ),
    "course.admin.groups": ("GET", "/admin/groups", only(200, Role.SITE_ADMIN)),
    "quizzes.static": ("GET", "/static/quizzes/quiz.js", everyone(200)),
    "quizzes.overview": ("GET", QUIZ, only(200, Role.TRAINEE)),
    "quizzes.start": ("POST", f"{QUIZ}/start", only(302, Role.TRAINEE)),
    # Attempts are checked object by object (tests/quizzes/test_quiz_permissions.py);
    # an id that is nobody's is simply not found, for everyone signed in.
    "quizzes.attempt": ("GET", f"/quizzes/attempts/{NOBODY}", signed_in(404)),
    "quizzes.answer": ("POST", f"/quizzes/attempts/{NOBODY}", signed_in(404)),
    "quizzes.autosave": ("POST", f"/quizzes/attempts/{NOBODY}/autosave", signed_in(404)),
    "quizzes.reply": ("POST", f"/quizzes/attempts/{NOBODY}/answers/q/reply", signed_in(404)),
    "quizzes.answer_again": ("POST", f"/quizzes/attempts/{NOBODY}/answers/q/again", signed_in(404)),
    "quizzes.review_queue": ("GET", "/quizzes/review", only(200, *MENTORS, Role.SITE_ADMIN)),
    "quizzes.allow_attempt": (
        "POST",
        lambda user: f"/quizzes/people/{user.public_id}/elements-of-a-healthy-relationship/allow",
        signed_in(404),
    ),
    # Everyone may see their own results page.
    "quizzes.person": ("GET", lambda user: f"/quizzes/people/{user.public_id}", signed_in(200)),
    # Mentored levels. Object routes are asked for an id that is nobody's: roles that
    # pass the coarse check get 404; per-object rules are tested in tests/course/.
    "course.learning.level": ("GET", "/levels/level-2", only(200, Role.TRAINEE)),
    "course.learning.answer_invitation": (
        "POST",
        f"/level-three-invitations/{NOBODY}",
        only(404, Role.TRAINEE),
    ),
    # The film catalogue: a site admin manages it; watching asks the film's levels
    # (tests/course/test_films.py tries real films for each role and level).
    "course.films.index": ("GET", "/films", only(200, Role.SITE_ADMIN)),
    "course.films.new": ("GET", "/films/new", only(200, Role.SITE_ADMIN)),
    "course.films.edit": ("GET", f"/films/{NOBODY}", only(404, Role.SITE_ADMIN)),
    "course.films.delete": ("GET", f"/films/{NOBODY}/delete", only(404, Role.SITE_ADMIN)),
    "course.films.add_captions": ("POST", f"/films/{NOBODY}/captions", only(404, Role.SITE_ADMIN)),
    "course.films.remove_captions": (
        "POST",
        f"/films/{NOBODY}/captions/en/delete",
        only(404, Role.SITE_ADMIN),
    ),
    "course.films.watch": ("GET", f"/films/{NOBODY}/file", signed_in(404)),
    "course.films.captions": ("GET", f"/films/{NOBODY}/captions/en.vtt", signed_in(404)),
    "course.curriculum.handouts": ("GET", "/handouts", signed_in(200)),
    "course.reflections.save": ("POST", f"{WEEK}/reflection", only(404, Role.TRAINEE)),
    "course.reflections.autosave": ("POST", f"{WEEK}/reflection/autosave", only(404, Role.TRAINEE)),
    "course.reflections.show": ("GET", f"/reflections/{NOBODY}", signed_in(404)),
    "course.reflections.review": ("GET", f"/reflections/{NOBODY}/review", signed_in(404)),
    "course.reflections.queue": ("GET", "/mentor/queue", only(200, *MENTORS)),
    "course.mentoring.dashboard": ("GET", "/mentor", only(200, *MENTORS)),
    "course.mentoring.group": ("GET", f"/mentor/groups/{NOBODY}", signed_in(404)),
    "course.mentoring.sign_off": ("POST", f"/mentor/groups/{NOBODY}/sign-off", only(404, *MENTORS)),
    "course.mentoring.certify": ("POST", f"/mentor/groups/{NOBODY}/certify", only(404, *MENTORS)),
    "course.mentoring.open_week": (
        "POST",
        f"/mentor/groups/{NOBODY}/open-week",
        only(404, *MENTORS),
    ),
    "course.mentoring.pause": ("POST", f"/mentor/groups/{NOBODY}/pause", only(404, *MENTORS)),
    "course.mentoring.sharing": ("POST", f"/mentor/groups/{NOBODY}/sharing", only(404, *MENTORS)),
    "course.mentoring.new_meeting": (
        "GET",
        f"/mentor/groups/{NOBODY}/meetings/new",
        only(404, *MENTORS),
    ),
    "course.mentoring.edit_meeting": (
        "GET",
        f"/mentor/groups/{NOBODY}/meetings/{NOBODY}",
        only(404, *MENTORS),
    ),
    "course.mentoring.delete_meeting": (
        "POST",
        f"/mentor/groups/{NOBODY}/meetings/{NOBODY}/delete",
        only(404, *MENTORS),
    ),
    "course.mentoring.revoke_sign_off": (
        "GET",
        f"/mentor/sign-offs/{NOBODY}/revoke",
        only(404, *MENTORS),
    ),
    "course.mentoring.invite_level_three": (
        "POST",
        f"/mentor/trainees/{NOBODY}/invite-level-three",
        only(404, Role.MASTER_TRAINER, Role.SITE_ADMIN),
    ),
    "course.mentoring.new_group": (
        "GET",
        "/groups/new",
        only(200, Role.SITE_ADMIN, Role.AGENCY_ADMIN),
    ),
    "course.agencies.staff": (
        "GET",
        "/agency/staff",
        {**only(200, Role.AGENCY_ADMIN), Role.SITE_ADMIN: 404},
    ),
    # An agency admin works on their own agency; a site admin must name one.
    "course.agencies.cohorts": (
        "GET",
        "/agency/cohorts",
        {**only(200, Role.AGENCY_ADMIN), Role.SITE_ADMIN: 404},
    ),
    "course.agencies.add_person": (
        "POST",
        f"/agency/cohorts/{NOBODY}/people",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.withdraw": (
        "POST",
        f"/agency/enrolments/{NOBODY}/withdraw",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.move": (
        "POST",
        f"/agency/enrolments/{NOBODY}/move",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.person": (
        "GET",
        f"/agency/staff/{NOBODY}",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.deactivate": (
        "POST",
        f"/agency/people/{NOBODY}/deactivate",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.reactivate": (
        "POST",
        f"/agency/people/{NOBODY}/reactivate",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.invitation": (
        "POST",
        f"/agency/invitations/{NOBODY}/resend",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.agencies.cohort": (
        "GET",
        f"/agency/cohorts/{NOBODY}",
        only(404, Role.AGENCY_ADMIN, Role.SITE_ADMIN),
    ),
    "course.admin.audit": ("GET", "/admin/audit", only(200, Role.SITE_ADMIN)),
    "course.admin.create_agency": ("POST", "/admin/agencies", only(302, Role.SITE_ADMIN)),
    "course.admin.jobs": ("GET", "/admin/jobs", only(200, Role.SITE_ADMIN)),
    "course.admin.retry_job": ("POST", f"/admin/jobs/{NOBODY}/retry", only(404, Role.SITE_ADMIN)),
    # Dyad videos: per-video rules are tested in tests/media/ for every role and the
    # pair partner; here an id that is nobody's gives 404 to whoever passes the role check.
    "course.media.new": (
        "GET",
        "/units/l2-week-06-first-visit-and-trust/videos/new",
        only(200, Role.TRAINEE),
    ),
    # tus: a request without Tus-Resumable is refused before anything else is looked at.
    "course.media.upload_options": ("OPTIONS", "/media/uploads", everyone(204)),
    "course.media.start_upload": ("POST", "/media/uploads", only(412, Role.TRAINEE)),
    "course.media.upload": ("PATCH", "/media/uploads/nobody", only(412, Role.TRAINEE)),
    "course.media.uploaded": ("GET", "/media/uploads/nobody", only(404, Role.TRAINEE)),
    "course.media.cancel_upload": ("POST", "/media/uploads/nobody/cancel", only(404, Role.TRAINEE)),
    "course.media.upload_form": ("POST", f"{WEEK}/videos", only(302, Role.TRAINEE)),
    "course.media.show": ("GET", "/media/videos/nobody", signed_in(404)),
    "course.media.status": ("GET", "/media/videos/nobody/status", signed_in(404)),
    "course.media.stream": ("GET", "/media/videos/nobody/stream", signed_in(404)),
    "course.media.poster": ("GET", "/media/videos/nobody/poster.jpg", signed_in(404)),
    "course.media.download": ("GET", "/media/videos/nobody/download", signed_in(404)),
    "course.media.comment": ("POST", "/media/videos/nobody/comments", signed_in(404)),
    "course.media.reviewed": ("POST", "/media/videos/nobody/reviewed", signed_in(404)),
    "course.media.delete": ("POST", "/media/videos/nobody/delete", signed_in(404)),
    "course.media.withdraw": ("POST", "/consents/nobody/withdraw", only(404, Role.TRAINEE)),
    "course.notifications.index": ("GET", "/notifications", signed_in(200)),
    # Notifications are checked by owner (tests/course/test_notifications.py).
    "course.notifications.mark_read": ("POST", f"/notifications/{NOBODY}/read", signed_in(404)),
    "course.notifications.mark_all_read": ("POST", "/notifications/read-all", signed_in(302)),
    # Public: anyone can check a certificate code; an unknown one is not found.
    "course.mentoring.verify": ("GET", "/verify/PFR-NOPE-NOPE-NOPE", everyone(404)),
    # Level 1 workshops: each workshop is checked object by object in
    # tests/course/test_workshops.py; an id that is nobody's is not found.
    "course.workshops.index": ("GET", "/workshops", signed_in(200)),
    "course.workshops.new": (
        "GET",
        "/workshops/new",
        only(200, Role.MASTER_TRAINER, Role.SITE_ADMIN),
    ),
    "course.workshops.show": ("GET", f"/workshops/{NOBODY}", signed_in(404)),
    "course.workshops.edit": ("GET", f"/workshops/{NOBODY}/edit", signed_in(404)),
    "course.workshops.enrol": ("POST", f"/workshops/{NOBODY}/enrol", signed_in(404)),
    "course.workshops.withdraw": (
        "GET",
        f"/workshops/{NOBODY}/seats/{NOBODY}/withdraw",
        signed_in(404),
    ),
    "course.workshops.attendance": (
        "POST",
        f"/workshops/{NOBODY}/sessions/{NOBODY}/attendance/{NOBODY}",
        signed_in(404),
    ),
    "course.workshops.notes": ("POST", f"/workshops/{NOBODY}/notes", signed_in(404)),
    "course.workshops.sign_off": ("POST", f"/workshops/{NOBODY}/sign-off/{NOBODY}", signed_in(404)),
    "course.workshops.revoke": (
        "GET",
        f"/workshops/{NOBODY}/sign-off/{NOBODY}/revoke",
        signed_in(404),
    ),
    "course.calendar.session_ics": (
        "GET",
        f"/workshops/{NOBODY}/sessions/{NOBODY}.ics",
        signed_in(404),
    ),
    "course.calendar.index": ("GET", "/calendar", signed_in(200)),
    "course.calendar.meeting_ics": ("GET", f"/meetings/{NOBODY}.ics", signed_in(404)),
    "course.mentoring.plan_meeting": (
        "GET",
        f"/mentor/groups/{NOBODY}/meetings/plan",
        only(404, *MENTORS),
    ),
    # Certificates: by holder, issuer or site admin (tests/course/test_certificates.py).
    "course.certificates.show": ("GET", "/certificates/PFR-NOPE-NOPE-NOPE", signed_in(404)),
    "course.certificates.download": (
        "GET",
        "/certificates/PFR-NOPE-NOPE-NOPE.pdf",
        signed_in(404),
    ),
    # The feed is public by its secret: a made-up one is not found, signed in or not.
    "course.calendar.feed": ("GET", "/calendar/feed/not-a-feed.ics", everyone(404)),
    # Public: load balancers probe it; only a site admin sees which check failed
    # (tests/ops/test_healthz.py).
    "course.ops.healthz": ("GET", "/healthz", everyone(200)),
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add the new route to ACCESS in tests/test_routes.py"
    assert ACCESS.keys() - endpoints == set(), "ACCESS lists a route that no longer exists"


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_route_access_for_each_role(client, auth, endpoint, role):
    method, path, expected = ACCESS[endpoint]
    user = factories.make_user(Role(role)) if role != ANON else None
    if user:
        auth.login_as(user)
    if callable(path):
        path = path(user or factories.make_trainee())
    response = client.open(path, method=method)
    response.close()  # static files are streamed; close them
    assert response.status_code == expected[role], f"{role} {method} {path}"


def test_no_url_carries_a_sequential_id(app):
    """Every id slot in a URL is a random public id, so URLs do not count records."""
    from werkzeug.routing import IntegerConverter

    from course.public_ids import PublicIdConverter

    public = 0
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            assert not isinstance(converter, IntegerConverter), (rule.endpoint, name)
            public += isinstance(converter, PublicIdConverter)
    assert public >= 30


def test_a_records_database_id_does_not_open_it(client, auth):
    """The integer key of a real cohort, group or workshop is not found; its public id is."""
    from datetime import date

    auth.login_as(Role.SITE_ADMIN)
    agency = factories.make_agency()
    cohort = Cohort(agency=agency, name="Spring", level="level-1", start_date=date(2026, 9, 1))
    db.session.add(cohort)
    db.session.commit()
    group = factories.make_group()
    workshop = factories.make_workshop()

    for path in ("/agency/cohorts/{}", "/mentor/groups/{}", "/workshops/{}"):
        record = {"agency": cohort, "mentor": group, "workshops": workshop}[path.split("/")[1]]
        assert client.get(path.format(record.id)).status_code == 404, path
        assert client.get(path.format(10**20)).status_code == 404, path
        assert client.get(path.format(record.public_id)).status_code == 200, path
