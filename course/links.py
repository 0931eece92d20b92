"""Links to the course's pages for notifications and emails, built with ``url_for`` so
they carry the URL prefix the host mounted the course under."""

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """The site-relative path of a page, in a request or outside one (a CLI command,
    a background job), where the host's ``SITE_URL`` stands in for the request."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context(base_url=current_app.config["COURSE_SITE_URL"]):
        return url_for(endpoint, **values)
