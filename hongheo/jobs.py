"""Imports every module that registers background job kinds (for the worker and the web app)."""

import hongheo.registry.jobs  # noqa: F401
import hongheo.standards.jobs  # noqa: F401
