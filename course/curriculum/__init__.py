"""Curriculum: the levels, units, handouts and videos read from content/."""
