"""Hộ Nghèo: registry, poverty standards and review workflow for Vietnam's poor and near-poor households."""

__version__ = "0.1.0"
