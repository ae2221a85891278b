"""The offline engine: deterministic, no key, no network."""
