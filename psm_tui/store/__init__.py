"""The store: the database proxy, the models, one module per SQL dialect, migrations support.

Imports nothing of psm above it (docs/architecture.md); raises its own errors (``store.errors``),
which ``core.session`` turns into the user's message.
"""
