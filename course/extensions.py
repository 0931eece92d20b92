"""Extension objects, created unbound and bound to an app in ``course.init_app``."""

import re

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, declared_attr
from werkzeug.local import LocalProxy

TABLE_PREFIX = "course_"

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_name(class_name: str) -> str:
    """``WeekSignOff`` -> ``course_week_sign_off``: every course table carries the prefix,
    so a host's own ``user`` or ``notification`` table never meets the course's."""
    return TABLE_PREFIX + re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


class CourseModel(DeclarativeBase):
    """The course's tables, in their own MetaData (a host's models keep theirs)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    @declared_attr.directive
    def __tablename__(cls) -> str:
        return table_name(cls.__name__)


# The course's own Flask-SQLAlchemy, set up only on an app that has none (see
# course.database.init_app); a host's own is shared otherwise.
own_db = SQLAlchemy()


def _app_db() -> SQLAlchemy:
    return current_app.extensions["sqlalchemy"]


# The app's Flask-SQLAlchemy, whichever it is: ``db.session``, ``db.engine``.
db: SQLAlchemy = LocalProxy(_app_db)  # type: ignore[assignment]
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: memory by default, Redis in production.
limiter = Limiter(key_func=get_remote_address)
