"""Accounts: sign-in, roles and invitations."""

from course.accounts.views import bp

__all__ = ["bp"]
