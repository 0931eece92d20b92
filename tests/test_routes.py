"""The route inventory: every URL rule declares who may use it, checked for each role.

A new route without an entry in ACCESS fails ``test_every_route_is_classified``, so
no page can be added unguarded.
"""

import pytest

from course.accounts.models import Role
from tests import factories

ANON = "anonymous"
ROLES = [ANON, *Role]
LOGIN = 302  # anonymous visitors are sent to the sign-in page
MODULE = "/units/elements-of-a-healthy-relationship"
HANDOUT = "/handouts/healthy-relationships-small-moments"


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
    "course.index": (
        "GET",
        "/",
        {**everyone(200), Role.TRAINEE: 302, Role.SITE_ADMIN: 302},
    ),
    "accounts.login": ("GET", "/login", {**everyone(302), ANON: 200}),
    "accounts.logout": ("POST", "/logout", everyone(302)),
    "accounts.accept_invitation": ("GET", "/invitations/not-a-token", everyone(404)),
    "learning.training": ("GET", "/training", only(200, Role.TRAINEE)),
    "learning.unit": (
        "GET",
        MODULE,
        only(200, Role.TRAINEE, Role.MASTER_TRAINER, Role.AGENCY_TRAINER, Role.SITE_ADMIN),
    ),
    "learning.complete": ("POST", f"{MODULE}/complete", only(302, Role.TRAINEE)),
    "curriculum.handout": ("GET", HANDOUT, {**everyone(200), ANON: LOGIN}),
    "admin.index": ("GET", "/admin/", only(200, Role.SITE_ADMIN)),
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "add the new route to ACCESS in tests/test_routes.py"
    assert ACCESS.keys() - endpoints == set(), "ACCESS lists a route that no longer exists"


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_route_access_for_each_role(client, auth, endpoint, role):
    method, path, expected = ACCESS[endpoint]
    if role != ANON:
        auth.login_as(factories.make_user(Role(role)))
    response = client.open(path, method=method)
    response.close()  # static files are streamed; close them
    assert response.status_code == expected[role], f"{role} {method} {path}"
