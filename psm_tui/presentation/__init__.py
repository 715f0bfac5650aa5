"""What the CLI and the TUI both show: report tables and the export renderers (CSV, XLSX)."""
