"""Analysis pipelines: transcription (later), sentiment, scorecards, measures, and their prices."""
