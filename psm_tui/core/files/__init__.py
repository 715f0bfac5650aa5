"""The file boundary: every path, file and size a user sends is checked here before use."""
