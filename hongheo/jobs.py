"""Imports every module that registers background job kinds (for the worker and the web app)."""

import hongheo.capture.imports.jobs
import hongheo.capture.portal.jobs
import hongheo.fieldwork.jobs
import hongheo.linkage.jobs
import hongheo.oversight.jobs
import hongheo.registry.jobs
import hongheo.reviews.jobs
import hongheo.standards.jobs  # noqa: F401
