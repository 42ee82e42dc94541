"""Standards surface: standards, provincial drafts, classification runs, score cards."""
