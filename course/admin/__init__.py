"""Admin: the site admin's overview of agencies and people."""
