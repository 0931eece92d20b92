"""Reflections: weekly reflections, versions and rubric reviews."""
