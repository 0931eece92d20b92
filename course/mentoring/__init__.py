"""Mentoring: mentor groups, weeks, meetings, sign-offs, certificates."""

from course.mentoring.views import bp

__all__ = ["bp"]
