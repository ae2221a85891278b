"""Access to OpenAI-compatible chat models: the one LLM seam of the project."""
