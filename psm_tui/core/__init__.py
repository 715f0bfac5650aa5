"""The headless core: every rule and every write, as the acting user; plain dataclasses out.

Never imports textual, click or the presentation; see docs/architecture.md.
"""
