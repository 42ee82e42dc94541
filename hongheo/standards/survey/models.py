"""Phiếu A / Phiếu B data (filled in by the survey-forms work)."""
