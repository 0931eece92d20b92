"""Reflections: weekly reflections, versions and rubric reviews."""

from course.reflections.views import bp

__all__ = ["bp"]
