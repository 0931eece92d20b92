import pytest

from course.accounts.models import Role
from course.markup import render_markdown


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.mark.parametrize(
    "path", ["/login", "/logout", "/units/reflective-capacity/complete", "/admin/"]
)
def test_post_without_csrf_token_is_refused(csrf_app, client, path, make):
    user = make.make_site_admin()
    user.add_role(Role.TRAINEE)
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    response = client.post(path, data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400


def test_login_form_carries_a_csrf_token(csrf_app, client):
    assert b'name="csrf_token"' in client.get("/login").data


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
        ("<iframe src='https://example.org'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_output_is_sanitised(source, forbidden):
    assert forbidden not in render_markdown(source).lower()


def test_markdown_keeps_ordinary_formatting():
    html = render_markdown("## Heading\n\n**bold** and [a link](https://example.org)")
    assert "<h2>Heading</h2>" in html
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
