"""The psm-tui benchmark harness: ``uv run python -m bench generate|run`` (see bench/README.md)."""
