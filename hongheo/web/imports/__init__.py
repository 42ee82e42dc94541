"""Imports surface: household lists from Excel/CSV."""
