"""Curriculum: the levels, units, handouts and videos read from content/."""

from course.curriculum.views import bp

__all__ = ["bp"]
