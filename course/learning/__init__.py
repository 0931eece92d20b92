"""Learning: the trainee's path through the levels and their progress."""

from course.learning.views import bp

__all__ = ["bp"]
