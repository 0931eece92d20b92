"""Mentoring: mentor groups. # TODO(#4): weeks, meetings, sign-offs, certificates."""
