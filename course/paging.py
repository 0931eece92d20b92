"""One page of a long list: the people search, the staff report, a mentor's groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from course.extensions import db

T = TypeVar("T")
PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    pages: int
    total: int
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        """The position of the page's first item (1-based), for "People 51-100 of 500"."""
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.total else 0


def _place(total: int, number: int | None, per_page: int) -> tuple[int, int]:
    """(page number, page count): a page past the end shows the last one."""
    pages = max(1, -(-total // per_page))
    return min(max(number or 1, 1), pages), pages


def page_of_list(items: list[T], number: int | None, per_page: int = PER_PAGE) -> Page[T]:
    number, pages = _place(len(items), number, per_page)
    start = (number - 1) * per_page
    return Page(items[start : start + per_page], number, pages, len(items), per_page)


def page_of_query(
    query: Select, number: int | None, per_page: int = PER_PAGE, rows: bool = False
) -> Page:
    """Count the query's rows, then read only the page's (the query is ordered): its
    first column's values, or with ``rows`` whole rows of columns."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number, pages = _place(total, number, per_page)
    read = db.session.execute if rows else db.session.scalars
    items = read(query.offset((number - 1) * per_page).limit(per_page))
    return Page(list(items), number, pages, total, per_page)
