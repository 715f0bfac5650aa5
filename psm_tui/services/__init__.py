"""The domain: every rule and every write. Plain dataclasses out; never imports textual."""
