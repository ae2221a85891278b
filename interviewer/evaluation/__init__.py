"""Offline evals: golden answers scored by an engine, agreement metrics, reports, tuning."""
