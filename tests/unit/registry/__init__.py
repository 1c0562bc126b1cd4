"""Unit tests of the registry of pipelines, frameworks and score models, and of its files."""
