"""Registry surface: household list, household page, edits, members, splits and merges."""
