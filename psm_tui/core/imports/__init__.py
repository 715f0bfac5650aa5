"""Importing cases and the roster: read a file, check every row, write all or nothing."""
