"""Models of the capture app: imports of existing lists and citizen applications (portal)."""

from hongheo.capture.imports.models import ImportBatch, ImportMapping
from hongheo.capture.portal.models import PortalApplication, PortalFollowUp, PortalLookup

__all__ = ["ImportBatch", "ImportMapping", "PortalApplication", "PortalFollowUp", "PortalLookup"]
