"""Mentoring: mentor groups, weeks, meetings, sign-offs, certificates."""
