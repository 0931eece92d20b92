"""Learning: the trainee's path through the levels and their progress."""
