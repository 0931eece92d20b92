"""The ``auth`` fixture: sign a test client in as a person or as a role."""

import pytest

from course.accounts.models import Role
from tests import factories


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=factories.PASSWORD, next_url=""):
        return self.client.post(
            "/login", data={"email": email, "password": password, "next": next_url}
        )

    def login_as(self, role_or_user):
        """Sign in as the given user, or as a new user holding the given role."""
        user = role_or_user
        if isinstance(role_or_user, (Role, str)):
            user = factories.make_user(Role(role_or_user))
        response = self.login(user.email)
        assert response.status_code == 302, "test sign-in failed"
        return user

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)
