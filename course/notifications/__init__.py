"""Notifications: dashboard messages and the emails that go with them.

Other features call ``services.notify(user, subject, body, link=...)``.
"""
