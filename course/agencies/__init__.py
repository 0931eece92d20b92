"""Agencies: agencies and their cohorts. # TODO(#6): enrolment, dashboards, reports."""
