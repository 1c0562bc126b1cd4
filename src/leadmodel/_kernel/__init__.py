"""Private machinery shared by every layer: validation vocabulary, copying, TOML reading."""
