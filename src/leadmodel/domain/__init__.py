"""The pure domain layer: values, entities and rules. No I/O, no clock, no global state."""
