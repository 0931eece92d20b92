"""Random public ids: what URLs carry instead of the database's sequential ids.

A sequential id in a URL tells anyone who sees it how many cohorts, people or
reflections the site holds and how fast they grow. Every record a URL names has a
``public_id`` of 22 random URL-safe characters; route variables named ``<thing>_id``
carry it through the ``public_id`` converter, and views load the record with
:func:`get_by_public_id`. Primary and foreign keys stay integers.
"""

from __future__ import annotations

import secrets
from typing import TypeVar

from flask import Flask, abort
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.routing import BaseConverter

T = TypeVar("T")
PUBLIC_ID_LENGTH = 22  # 16 random bytes in URL-safe base64


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class PublicIdMixin:
    """A model's random, unique, unchanging public id."""

    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)


class PublicIdConverter(BaseConverter):
    """``<public_id:cohort_id>``: only the public id's shape routes (anything else is 404).

    Building a URL from anything but a string fails at once, so a template or view
    still passing a database id is caught by the first test that renders it.
    """

    regex = rf"[A-Za-z0-9_-]{{{PUBLIC_ID_LENGTH}}}"

    def to_url(self, value) -> str:
        if not isinstance(value, str):
            raise TypeError(f"URLs carry public ids, not {type(value).__name__} {value!r}")
        return super().to_url(value)


def register_converter(app: Flask) -> None:
    """Install the converter; a host's different ``public_id`` converter is an error."""
    existing = app.url_map.converters.get("public_id")
    if existing is not None and existing is not PublicIdConverter:
        raise RuntimeError("the app already has another 'public_id' URL converter")
    app.url_map.converters["public_id"] = PublicIdConverter


def get_by_public_id(model: type[T], public_id: str) -> T | None:
    from course.extensions import db

    return db.session.scalar(select(model).where(model.public_id == public_id))


def get_or_404(model: type[T], public_id: str) -> T:
    """The record a URL names. :raise 404: when there is none."""
    found = get_by_public_id(model, public_id)
    if found is None:
        abort(404)
    return found
