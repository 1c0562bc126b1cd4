"""Private machinery shared by every layer: the document converter (``documents``, with its
hooks and the spec marker), the validation vocabulary, immutable JSON, copying, TOML reading."""
