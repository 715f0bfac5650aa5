"""Operating the server: backup and restore, health checks, SSH keys and the demo data."""
