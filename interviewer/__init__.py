"""interviewer: an AI mock interviewer for AI/ML product-manager loops at media companies."""

__version__ = "0.1.0"
