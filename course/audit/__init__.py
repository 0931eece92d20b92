"""Audit: the record of every access to sensitive material."""
