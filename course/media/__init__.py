"""Media: dyad video consent, upload, storage, playback, comments and retention."""
