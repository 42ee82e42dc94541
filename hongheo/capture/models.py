"""Models of the capture app (imports of existing lists; offline sync and OpenRosa come later)."""

from hongheo.capture.imports.models import ImportBatch, ImportMapping

__all__ = ["ImportBatch", "ImportMapping"]
