"""Counts for the analysis, kept up to date as responses complete (see ARCHITECTURE.md)."""
