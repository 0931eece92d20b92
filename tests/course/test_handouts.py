"""The handout library: by topic, age and audience; Spanish versions behind a language
switch; child-care versions linked to the parent handout they adapt."""

import pytest
from markupsafe import escape

from course.accounts.models import Role
from course.curriculum.services import get_curriculum


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role))
def test_everyone_signed_in_opens_the_library_and_nobody_else(app, client, auth, role):
    assert client.get("/handouts").status_code == 302  # to sign in
    auth.login_as(role)
    html = page(client, "/handouts")
    for handout in get_curriculum().handouts.values():
        assert f'href="/handouts/{handout.slug}"' in html
        assert escape(handout.topic) in html


def test_the_library_filters_by_audience_and_age(app, client, auth):
    handouts = get_curriculum().handouts.values()
    auth.login_as(Role.TRAINEE)
    tools = page(client, "/handouts?audience=providers")
    for handout in handouts:
        assert (f'href="/handouts/{handout.slug}"' in tools) == (handout.audience == "providers")
    infants = page(client, "/handouts?age=infants")
    for handout in handouts:
        assert (f'href="/handouts/{handout.slug}"' in infants) == ("infants" in handout.ages)
    nothing = page(client, "/handouts?age=infants&audience=nobody")  # unknown: no filter
    assert all(f'href="/handouts/{h.slug}"' in nothing for h in handouts if "infants" in h.ages)


def test_a_parent_handout_switches_to_spanish_and_back(app, client, auth):
    handout = next(h for h in get_curriculum().handouts.values() if h.audience == "parents")
    spanish = handout.translations["es"]
    auth.login_as(Role.TRAINEE)
    english = page(client, f"/handouts/{handout.slug}")
    assert escape(handout.title) in english and 'lang="en"' in english
    assert f'href="/handouts/{handout.slug}?lang=es"' in english
    html = page(client, f"/handouts/{handout.slug}?lang=es")
    assert escape(spanish.title) in html and '<article class="handout" lang="es">' in html
    assert escape(handout.title) not in html.split("<article")[1]
    assert f'href="/handouts/{handout.slug}"' in html  # back to English
    # a language it is not written in falls back to English
    assert escape(handout.title) in page(client, f"/handouts/{handout.slug}?lang=fr")


def test_practice_tools_have_no_language_switch_and_print(app, client, auth):
    tool = next(h for h in get_curriculum().handouts.values() if h.audience == "providers")
    auth.login_as(Role.TRAINEE)
    html = page(client, f"/handouts/{tool.slug}")
    assert 'aria-label="Language"' not in html and "data-print" in html
    assert "Practice tools for providers" in html


def test_a_child_care_version_and_its_parent_handout_link_to_each_other(app, client, auth):
    handouts = get_curriculum().handouts
    variant = next(h for h in handouts.values() if h.variant_of)
    parent = handouts[variant.variant_of]
    auth.login_as(Role.AGENCY_ADMIN)
    assert f'href="/handouts/{parent.slug}"' in page(client, f"/handouts/{variant.slug}")
    assert f'href="/handouts/{variant.slug}"' in page(client, f"/handouts/{parent.slug}")


def test_an_unknown_handout_is_not_found(app, client, auth):
    auth.login_as(Role.TRAINEE)
    assert client.get("/handouts/no-such-handout").status_code == 404
