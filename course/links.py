"""Links to the course's pages for notifications and emails, built with ``url_for`` so
they carry the URL prefix the host mounted the course under."""

from urllib.parse import urljoin

from flask import current_app, has_request_context, url_for


def site_address() -> str:
    """The site's public address for emails: ``COURSE_SITE_URL``, else the host's own
    ``SERVER_NAME`` with ``PREFERRED_URL_SCHEME`` and ``APPLICATION_ROOT``."""
    config = current_app.config
    if config["COURSE_SITE_URL"]:
        return config["COURSE_SITE_URL"]
    if config.get("SERVER_NAME"):
        scheme, root = config["PREFERRED_URL_SCHEME"], config["APPLICATION_ROOT"]
        return f"{scheme}://{config['SERVER_NAME']}{root}"
    return "http://localhost"


def _on_the_site():
    """A request context at the site's public address."""
    return current_app.test_request_context(base_url=site_address())


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


def absolute(path: str) -> str:
    """The absolute address of a stored site path (which already carries the prefix)."""
    return urljoin(site_address(), path)
