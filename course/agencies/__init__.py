"""Agencies: agencies, their cohorts, and what an agency admin follows.

# TODO(#6): cohort enrolment by CSV, dashboards and reports.
"""
