"""Unit tests of the domain events and of the domain rules the services ask, not repeat."""
