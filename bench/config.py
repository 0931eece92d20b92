"""The production settings, changed only where a local benchmark over plain http needs it."""

import tempfile
from pathlib import Path

from config import ProductionConfig


class BenchConfig(ProductionConfig):
    """ProductionConfig for `make bench`: served on 127.0.0.1 over http, so the session
    cookie may not be Secure-only, and sign-in throttling stays out of the load."""

    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    RATELIMIT_ENABLED = False  # Flask-Limiter reads this; the load is one address
    # The bench signs its accounts in with passwords; production asks mentors and site
    # admins for an authenticator code too, which a load generator has no phone for.
    COURSE_TWO_STEP_ROLES = ()
    # Production refuses the console backend; any mail the seeding sends lands in a
    # throwaway folder instead of reaching a mail server.
    COURSE_MAIL_BACKEND = "file"
    COURSE_MAIL_FILE_DIR = str(Path(tempfile.gettempdir()) / "pfr-bench-mail")
