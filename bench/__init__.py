"""`make bench`: seed a large site, serve it with gunicorn, measure it (figures, not tests)."""
