"""Links to the course's pages for notifications and emails, built with ``url_for`` so
they carry the URL prefix the host mounted the course under."""

from flask import current_app, has_request_context, url_for


def _on_the_site():
    """A request context at the host's public address (``SITE_URL``)."""
    return current_app.test_request_context(base_url=current_app.config["COURSE_SITE_URL"])


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of a page, in a request or outside one (a CLI command,
    a background job)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with _on_the_site():
        return url_for(endpoint, **values)


def site_url_for(endpoint: str, **values) -> str:
    """A page's absolute address for an email: always the site's public address, in a
    request or from the CLI alike (never the address a request happened to use)."""
    with _on_the_site():
        return url_for(endpoint, _external=True, **values)
