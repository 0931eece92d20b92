"""Notifications: dashboard messages and the emails that go with them.

Other features call ``services.notify(user, subject, body, link=...)``.
"""

from course.notifications.views import bp, inject_unread_count

__all__ = ["bp", "inject_unread_count"]
