"""Admin: the site admin's overview of agencies and people."""

from course.admin.views import bp

__all__ = ["bp"]
